"""Leave and handover: an agent away for some days hands their customers to a delegate.

- When it starts (the day it starts, by the worker's sweep, or at once when recorded for
  today), the agent's open tickets go to the delegate, each with an "Owner" event that
  carries the handover note; the tickets waiting for the agent as SPOC wait for the delegate.
- While the leave lasts, new tickets for the agent's customers go to the delegate
  (:mod:`.intake` reads who is on leave) with the same note, or wait for a busy delegate;
  a waiting ticket that the delegate then gets is handed over with the note too
  (:mod:`.taking`). Each is noted as handed over (a :class:`Handover`).
- When it ends (the day after its last day, or when ended early), if ``return_customers``
  was chosen, the tickets handed over that the delegate still owns come back to the agent
  (an "Owner" event, "back from leave"), and those still waiting for the delegate wait for
  the agent again. Otherwise the delegate keeps them.

An agent records their own leave; supervisors and admins record anyone's.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sampark.core import clock
from sampark.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from sampark.team.permissions import profile_of
from sampark.tickets import services as tickets
from sampark.tickets.models import ACTIVE_STATUSES, Ticket

from ..models import Handover, Leave, Reservation

User = get_user_model()
State = Leave.State
# A leave is recorded for at most this long; longer absences are a reassignment.
MAX_DAYS = 366


def today() -> dt.date:
    """Today in the help desk's time zone: leave days are the desk's days."""
    return timezone.localdate(clock.now())


def can_manage_leave(actor, agent) -> bool:
    """Agents record their own leave; supervisors and admins anyone's."""
    profile = profile_of(actor)
    return profile is not None and (actor.pk == agent.pk or profile.is_supervisor)


def visible_leaves(actor):
    """The leaves ``actor`` may see: their own, and those they stand in for; everyone's for a
    supervisor or admin."""
    profile = profile_of(actor)
    rows = Leave.objects.select_related("agent", "delegate")
    if profile is None:
        return rows.none()
    if profile.is_supervisor:
        return rows
    return rows.filter(Q(agent=actor) | Q(delegate=actor))


def leave_for(actor, leave_id: int) -> Leave:
    found = visible_leaves(actor).filter(pk=leave_id).first()
    if found is None:
        raise NotFound(_("Leave not found."))
    return found


def _overlapping(agent_id: int, starts_on: dt.date, ends_on: dt.date):
    return Leave.objects.filter(
        agent_id=agent_id,
        state__in=(State.PLANNED, State.ON_LEAVE),
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    )


@transaction.atomic
def record_leave(
    agent,
    *,
    delegate,
    starts_on: dt.date,
    ends_on: dt.date,
    actor,
    return_customers: bool = True,
    note: str = "",
) -> Leave:
    """Record ``agent``'s leave with ``delegate`` standing in. Starts at once when it starts
    today (or started earlier and is still running)."""
    if not can_manage_leave(actor, agent):
        raise Forbidden(_("Only supervisors and admins record leave for another agent."))
    if delegate is None or profile_of(delegate) is None:
        raise InvalidInput(_("The delegate must be an active agent."), field="delegate")
    if delegate.pk == agent.pk:
        raise InvalidInput(_("Choose someone else as the delegate."), field="delegate")
    if ends_on < starts_on:
        raise InvalidInput(_("The last day comes on or after the first."), field="ends_on")
    if ends_on < today():
        raise InvalidInput(_("This leave is already over."), field="ends_on")
    if (ends_on - starts_on).days >= MAX_DAYS:
        raise InvalidInput(
            _("A leave lasts at most %(n)d days.") % {"n": MAX_DAYS}, field="ends_on"
        )
    if _overlapping(agent.pk, starts_on, ends_on).exists():
        raise Conflict(_("These days overlap another leave of this agent."))
    if _overlapping(delegate.pk, starts_on, ends_on).exists():
        raise InvalidInput(_("The delegate is on leave on some of these days."), field="delegate")
    note = (note or "").strip()
    if len(note) > 2000:
        raise InvalidInput(_("The handover note is too long."), field="note")
    leave = Leave.objects.create(
        agent=agent,
        delegate=delegate,
        starts_on=starts_on,
        ends_on=ends_on,
        return_customers=return_customers,
        note=note,
        recorded_by=actor,
    )
    if starts_on <= today():
        start_leave(leave)
    return leave


@transaction.atomic
def start_leave(leave: Leave) -> int:
    """The leave begins: the agent's open tickets, and the tickets waiting for them as SPOC,
    go to the delegate, each with the handover note. Returns how many were handed over."""
    leave = Leave.objects.select_for_update().select_related("agent", "delegate").get(pk=leave.pk)
    if leave.state != State.PLANNED:
        return 0
    leave.state = State.ON_LEAVE
    leave.save(update_fields=["state"])
    owned = Ticket.objects.filter(owner_id=leave.agent_id, status__in=ACTIVE_STATUSES)
    handed = 0
    for ticket_id in owned.order_by("id").values_list("pk", flat=True):
        moved = tickets.assign_ticket(
            ticket_id,
            leave.delegate,
            reason="handover",
            note=leave.note,
            if_owner_is=leave.agent_id,
        )
        if moved is not None:
            Handover.objects.create(leave=leave, ticket_id=ticket_id)
            handed += 1
    Reservation.objects.filter(agent_id=leave.agent_id).update(
        agent_id=leave.delegate_id, reason="delegate", leave=leave
    )
    return handed


@transaction.atomic
def end_leave(leave: Leave, *, actor=None) -> int:
    """The agent is back (the leave's last day has passed, or it ends early; a planned leave
    is cancelled). With ``return_customers``, the tickets handed over that the delegate still
    owns and that are still active come back, and the tickets still waiting for the delegate
    wait for the agent. Returns how many came back."""
    if actor is not None and not can_manage_leave(actor, leave.agent):
        raise Forbidden(_("Only supervisors and admins change another agent's leave."))
    leave = Leave.objects.select_for_update().select_related("agent", "delegate").get(pk=leave.pk)
    if leave.state == State.PLANNED:
        leave.state = State.CANCELLED
        leave.save(update_fields=["state"])
        return 0
    if leave.state != State.ON_LEAVE:
        return 0
    leave.state = State.RETURNED
    if leave.ends_on >= today():
        leave.ends_on = max(leave.starts_on, today() - dt.timedelta(days=1))
    leave.save(update_fields=["state", "ends_on"])
    waiting = Reservation.objects.filter(leave=leave)
    if not leave.return_customers or not leave.agent.is_active:
        waiting.update(leave=None)  # the delegate's to keep
        return 0
    waiting.update(agent_id=leave.agent_id, reason="spoc", leave=None)
    returned = 0
    handed = list(leave.handovers.filter(returned=False).order_by("ticket_id"))
    for handover in handed:
        back = tickets.assign_ticket(
            handover.ticket_id,
            leave.agent,
            reason="leave_return",
            if_owner_is=leave.delegate_id,
        )
        if back is not None:
            returned += 1
    Handover.objects.filter(pk__in=[handover.pk for handover in handed]).update(returned=True)
    return returned


def begin_and_end_due() -> tuple[int, int]:
    """The worker's daily business: start the leaves whose first day has come, end those
    whose last day has passed. Returns (started, ended)."""
    day = today()
    starting = list(Leave.objects.filter(state=State.PLANNED, starts_on__lte=day))
    ending = list(Leave.objects.filter(state=State.ON_LEAVE, ends_on__lt=day))
    for leave in ending:
        end_leave(leave)
    for leave in starting:
        if leave.ends_on < day:
            end_leave(leave)  # missed entirely (the worker was down): cancelled
        else:
            start_leave(leave)
    return len(starting), len(ending)
