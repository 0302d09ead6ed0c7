"""Tickets that find their owner after intake: "Take next", and the tickets that waited for
their busy SPOC, or for the delegate of a SPOC on leave
(:class:`~sampark.assignment.models.Reservation`)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from sampark.core import clock
from sampark.core.errors import Conflict
from sampark.sla.models import TicketClock
from sampark.team.models import AgentProfile
from sampark.tickets import access
from sampark.tickets import services as tickets
from sampark.tickets.models import ACTIVE_STATUSES, Ticket

from ..models import Handover, Leave, Reservation
from . import intake

# How many of the most urgent tickets "Take next" tries when others take them first.
TAKE_TRIES = 10
# Reservations looked at by one sweep.
SETTLE_BATCH = 200


def _my_group_ids(user) -> list[int]:
    return sorted(
        AgentProfile.groups.through.objects.filter(agentprofile__user_id=user.pk).values_list(
            "group_id", flat=True
        )
    )


def next_ticket_ids(user, limit: int = TAKE_TRIES) -> list[int]:
    """The ids of the unowned active tickets ``user`` would take next, most urgent first:
    those waiting for them as their SPOC, then the ones of their groups by nearest SLA due
    (the clock index), then those without a running clock by priority and age. Tickets
    waiting for another agent's SPOC return are passed over, and every ticket is one the
    access layer lets ``user`` see."""
    now = clock.now()
    groups = _my_group_ids(user)
    waiting_for_others = Reservation.objects.filter(until__gt=now).exclude(agent=user)
    mine = list(
        access.visible(
            user,
            Ticket.objects.filter(
                pk__in=Reservation.objects.filter(agent=user).values("ticket_id"),
                owner__isnull=True,
                status__in=ACTIVE_STATUSES,
            ),
        )
        .order_by("priority_rank", "created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    if not groups:
        return mine
    unowned = access.visible(
        user,
        Ticket.objects.filter(
            group_id__in=groups, owner__isnull=True, status__in=ACTIVE_STATUSES
        ).exclude(pk__in=waiting_for_others.values("ticket_id")),
    )
    by_due = list(
        TicketClock.objects.filter(
            ticket_group__in=groups,
            ticket_owner__isnull=True,
            sla_due__isnull=False,
            ticket_id__in=unowned.values("pk"),
        )
        .order_by("sla_due", "ticket_id")
        .values_list("ticket_id", flat=True)[:limit]
    )
    rest = list(
        unowned.filter(sla_clock__sla_due__isnull=True)
        .order_by("priority_rank", "created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    ordered = mine + [pk for pk in by_due + rest if pk not in mine]
    return ordered[:limit]


@transaction.atomic
def take_next(user) -> Ticket | None:
    """Give ``user`` the most urgent unowned ticket they may work on (see
    :func:`next_ticket_ids`), or None when there is none. Refused (Conflict) when they are
    at capacity. Their profile row is locked first, so two "Take next" clicks never take
    them past capacity; a ticket another agent took meanwhile is passed over."""
    profile = (
        AgentProfile.objects.select_for_update(of=("self",))
        .filter(user_id=user.pk)
        .values_list("capacity", flat=True)
        .first()
    )
    if profile is None:
        return None
    load = intake.load_of([user.pk])[user.pk]
    if load >= profile:
        raise Conflict(
            _("You already have %(load)d active tickets, your capacity. Solve one first.")
            % {"load": load}
        )
    for ticket_id in next_ticket_ids(user):
        waited = Reservation.objects.filter(ticket_id=ticket_id).first()
        taken = _give(ticket_id, user, reason="take_next", actor=user, waited=waited)
        if taken is not None:
            return taken
    return None


def _give(ticket_id: int, owner, *, reason: str, actor=None, waited: Reservation | None):
    """Give an unowned ticket to ``owner`` (None if someone else took it first) and end its
    wait (``waited``, its reservation, if it had one). A ticket that waited for ``owner`` as
    the delegate of a leave is handed over: its "Owner" event carries the leave's handover
    note, and it goes back to the agent when the leave ends, as the tickets handed over when
    the leave began do. The leave is locked first, as ending it does, so that a leave ending
    meanwhile is either seen ended here (and the ticket is not handed over) or finds the
    handover."""
    leave = None
    if waited is not None and waited.leave_id is not None and waited.agent_id == owner.pk:
        leave = (
            Leave.objects.select_for_update()
            .filter(pk=waited.leave_id, state=Leave.State.ON_LEAVE)
            .first()
        )
    taken = tickets.assign_ticket(
        ticket_id,
        owner,
        reason="handover" if leave is not None else reason,
        actor=actor,
        note=leave.note if leave is not None else "",
        if_owner_is=None,
    )
    if taken is not None:
        Reservation.objects.filter(ticket_id=ticket_id).delete()
        if leave is not None:
            Handover.objects.create(leave=leave, ticket_id=ticket_id)
    return taken


def settle_waiting(limit: int = SETTLE_BATCH) -> int:
    """Tickets waiting for their busy SPOC: to the SPOC once they can take it (online, under
    capacity, not on leave); when the wait is over, to the group's strategy (or left in the
    queue). Each ticket in a transaction of its own. Returns how many found an owner."""
    assigned = 0
    now = clock.now()
    waiting = list(
        Reservation.objects.select_related("agent").order_by("until", "ticket_id")[:limit]
    )
    for reservation in waiting:
        with transaction.atomic():
            ticket = (
                Ticket.objects.filter(pk=reservation.ticket_id)
                .values_list("owner_id", "status", "group_id", "language")
                .first()
            )
            if ticket is None or ticket[0] is not None or ticket[1] not in ACTIVE_STATUSES:
                Reservation.objects.filter(pk=reservation.pk).delete()
                continue
            _owner, _status, group_id, language = ticket
            owner, reason = None, ""
            if intake.claim(reservation.agent_id):
                owner, reason = reservation.agent, "spoc_back"
            elif reservation.until <= now:
                owner = intake.assign_by_strategy(
                    group_id,
                    intake.strategy_of(group_id),
                    language=language,
                    excluded=[reservation.agent_id],
                )
                reason = "wait_over"
            else:
                continue
            if owner is None:
                Reservation.objects.filter(pk=reservation.pk).delete()  # left in the queue
            elif _give(reservation.ticket_id, owner, reason=reason, waited=reservation):
                assigned += 1
    return assigned
