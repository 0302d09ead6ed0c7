"""Moving the work up and around: escalation to a higher-tier group (by an agent, or on an SLA
breach to the next tier) and the worker's sweep over its due times, a priority raised on
breach, the SLA events on the timeline, and swarming (collaborators pulled in around a ticket
whose owner stays the customer's contact)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from sampark.calendars import services as calendars
from sampark.calendars.hours import CALENDAR_TIME
from sampark.core import clock, events
from sampark.core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
)
from sampark.notifications.services import notify, notify_many
from sampark.team import queries as team
from sampark.team.models import AgentProfile, EscalationMode, Group

from .. import access
from ..models import (
    Channel,
    Escalation,
    Priority,
    Ticket,
    TicketEvent,
)
from ._steps import _agent_ref, _check_text, _event, _lock, _require_agent, _save, _thread_note
from .changes import _change_group

Kind = TicketEvent.Kind
# An escalation is due soon once this much of its group's time has gone: the SLA policies'
# default warning point.
WARN_FRACTION = 0.75


def next_in_chain(ticket: Ticket) -> Group | None:
    """Where the ticket goes up: its group's configured escalation group (the chain, per
    product line if the groups are), else the first group of the next tier up."""
    group = ticket.group
    if group is not None and group.escalates_to_id:
        target = Group.objects.filter(pk=group.escalates_to_id).first()
        if target is not None and target.tier > ticket.tier:
            return target
    return Group.objects.filter(tier__gt=ticket.tier).order_by("tier", "name").first()


def _due_times(group: Group, now) -> tuple[dt.datetime, dt.datetime]:
    """When the escalation's work is due soon (:data:`WARN_FRACTION` of the way) and when it
    is due: the group's minutes, counted in its business hours."""
    calendar = group.calendar or calendars.default_calendar()
    seconds = group.escalation_response_minutes * 60
    schedule = calendars.schedule_of(calendar) if calendar is not None else CALENDAR_TIME
    return schedule.add(now, seconds * WARN_FRACTION), schedule.add(now, seconds)


def _move_owner(ticket: Ticket, owner, actor, changed: set[str], now, *, reason: str) -> None:
    """Ownership moved by an escalation's mode (the group's setting, not an agent's pick)."""
    previous = ticket.owner
    ticket.owner = owner
    changed.add("owner")
    _event(
        ticket,
        Kind.ASSIGNED,
        channel=Channel.AGENT,
        actor=actor,
        data={"from": _agent_ref(previous), "to": _agent_ref(owner), "reason": reason},
        at=now,
    )


def _escalate(ticket: Ticket, group: Group, actor, reason: str, source: str) -> Escalation:
    """Open an escalation work item for ``group`` on a locked, active ticket and queue the
    ticket there. In the group's default mode the owner stays the customer's contact; in
    hand-off mode the ticket leaves its owner for the group's queue (the owner is kept on the
    item, and de-escalation gives the ticket back)."""
    now = clock.now()
    hand_off = group.escalation_mode == EscalationMode.HAND_OFF
    warn_at, due_at = _due_times(group, now)
    item = Escalation.objects.create(
        ticket=ticket,
        from_group=ticket.group,
        to_group=group,
        from_tier=ticket.tier,
        to_tier=group.tier,
        mode=group.escalation_mode,
        source=source,
        reason=reason,
        raised_by=actor,
        previous_owner=ticket.owner if hand_off else None,
        warn_at=warn_at,
        due_at=due_at,
        opened_at=now,
    )
    changed: set[str] = set()
    _change_group(
        ticket,
        group,
        actor,
        changed,
        now,
        kind=Kind.ESCALATED,
        reason=reason,
        extra={"escalation": item.pk, "mode": item.mode, "source": source},
    )
    if hand_off and ticket.owner_id is not None:
        _move_owner(ticket, None, actor, changed, now, reason="escalation")
    _save(ticket, changed, now)
    told = item.previous_owner or ticket.owner  # the owner, also after a hand-off
    if actor is None and told is not None:
        notify(
            [told],
            kind="escalation",
            title=_("#%(number)s was escalated to %(group)s")
            % {"number": ticket.number, "group": group.name},
            body=reason,
            ticket=ticket,
        )
    events.publish("ticket_escalated", ticket_id=ticket.pk, group_id=group.pk)
    return item


@transaction.atomic
def escalate_ticket(
    ticket_id: int,
    *,
    actor,
    reason: str,
    group: Group | None = None,
    expected_version: int | None = None,
) -> Escalation:
    """Move the work to a more experienced group: ``group``, or the next in the chain. A work
    item opens for that group; the owner stays the customer's contact unless the group hands
    ownership off."""
    _require_agent(actor, field="actor")
    reason = _check_text(reason, "reason", 2000, required=True)
    ticket = _lock(ticket_id, expected_version, actor=actor)
    if not access.can_escalate(actor, ticket):
        raise access.ticket_not_found()
    if not ticket.is_active:
        raise InvalidTransition(_("Only an active ticket can be escalated."))
    if group is None:
        group = next_in_chain(ticket)
        if group is None:
            raise InvalidTransition(
                _("There is no tier above %(tier)s to escalate to.") % {"tier": ticket.tier}
            )
    elif group.tier <= ticket.tier:
        raise InvalidInput(
            _("Escalation goes to a higher tier than %(tier)s.") % {"tier": ticket.tier},
            field="group",
        )
    return _escalate(ticket, group, actor, reason, Escalation.Source.AGENT)


@transaction.atomic
def escalate_to_next_tier(
    ticket_id: int, *, reason: str, source: str = Escalation.Source.SLA
) -> Escalation | None:
    """An automatic escalation (an SLA breach action, or a rule's): to the next group in the
    chain, with the group's mode. None when the ticket is not active or has no tier above."""
    ticket = _lock(ticket_id)
    if not ticket.is_active:
        return None
    target = next_in_chain(ticket)
    if target is None:
        return None
    return _escalate(ticket, target, None, reason, source)


def _latest_open(ticket: Ticket) -> Escalation | None:
    """The ticket's newest open escalation; the caller holds the ticket's lock, which every
    change to its escalations takes first."""
    return (
        Escalation.objects.filter(ticket_id=ticket.pk, closed_at__isnull=True)
        .select_related("from_group", "previous_owner")
        .order_by("-opened_at", "-id")
        .first()
    )


@transaction.atomic
def deescalate_ticket(
    ticket_id: int, *, actor, reason: str, expected_version: int | None = None
) -> Escalation:
    """Close the latest open escalation and give the ticket back to the tier below: the group
    it came from, and, after a hand-off, the owner it had, who has full control again."""
    _require_agent(actor, field="actor")
    reason = _check_text(reason, "reason", 2000, required=True)
    ticket = _lock(ticket_id, expected_version, actor=actor)
    if not access.can_escalate(actor, ticket):
        raise access.ticket_not_found()
    item = _latest_open(ticket)
    if item is None:
        raise InvalidTransition(_("This ticket has no open escalation to close."))
    now = clock.now()
    changed: set[str] = set()
    extra = {"escalation": item.pk, "mode": item.mode}
    if item.from_group is not None and item.from_group_id != ticket.group_id:
        _change_group(
            ticket,
            item.from_group,
            actor,
            changed,
            now,
            kind=Kind.DEESCALATED,
            reason=reason,
            extra=extra,
        )
    else:
        previous_tier, ticket.tier = ticket.tier, item.from_tier
        changed.add("tier")
        _event(
            ticket,
            Kind.DEESCALATED,
            channel=Channel.AGENT,
            actor=actor,
            body=reason,
            data={
                "from": ticket.group.name if ticket.group else None,
                "to": ticket.group.name if ticket.group else None,
                "from_tier": previous_tier,
                "to_tier": ticket.tier,
                **extra,
            },
            at=now,
        )
    owner = item.previous_owner
    hand_back = item.mode == EscalationMode.HAND_OFF and owner is not None and owner.is_active
    if hand_back and owner.pk != ticket.owner_id:
        _move_owner(ticket, owner, actor, changed, now, reason="deescalation")
    item.closed_at, item.closed_by, item.close_reason = now, actor, reason
    item.save(update_fields=["closed_at", "closed_by", "close_reason"])
    _save(ticket, changed, now)
    events.publish("ticket_escalated", ticket_id=ticket.pk, group_id=ticket.group_id)
    return item


def _open_item(escalation_id: int, actor) -> tuple[Escalation, Ticket]:
    """The open escalation and its ticket, locked; missing, closed or out of ``actor``'s
    scope all answer like a missing ticket would."""
    item = Escalation.objects.filter(pk=escalation_id).select_related("to_group").first()
    if item is None:
        raise NotFound(_("Escalation not found."))
    try:
        ticket = _lock(item.ticket_id, actor=actor)
    except NotFound:
        raise NotFound(_("Escalation not found.")) from None
    if item.closed_at is not None:
        raise InvalidTransition(_("This escalation is closed."))
    return item, ticket


@transaction.atomic
def assign_escalation(escalation_id: int, *, assignee, actor) -> Escalation:
    """Give the escalation's work to an agent of the group it went to (they join the ticket
    as a collaborator, so it stays in their sight). ``None`` leaves it to the group."""
    _require_agent(actor, field="actor")
    item, ticket = _open_item(escalation_id, actor)
    if assignee is not None:
        _require_agent(assignee, field="assignee")
        member = AgentProfile.groups.through.objects.filter(
            agentprofile__user_id=assignee.pk, group_id=item.to_group_id
        ).exists()
        if not member:
            raise InvalidInput(
                _("Only an agent of the group the ticket was escalated to can work it."),
                field="assignee",
            )
    if (assignee.pk if assignee else None) == item.assignee_id:
        return item
    now = clock.now()
    previous = item.assignee
    item.assignee = assignee
    item.save(update_fields=["assignee"])
    if assignee is not None and assignee.pk != ticket.owner_id:
        ticket.collaborators.add(assignee)
    _event(
        ticket,
        Kind.ESCALATION_ASSIGNED,
        channel=Channel.AGENT,
        actor=actor,
        data={
            "escalation": item.pk,
            "from": _agent_ref(previous),
            "to": _agent_ref(assignee),
        },
        at=now,
    )
    _save(ticket, set(), now)
    if assignee is not None and assignee.pk != actor.pk:
        notify(
            [assignee],
            kind="escalation",
            title=_("Escalation on #%(number)s is yours") % {"number": ticket.number},
            body=item.reason,
            ticket=ticket,
        )
    return item


@transaction.atomic
def add_escalation_note(escalation_id: int, *, actor, body: str) -> TicketEvent:
    """A note in the escalation's own internal thread (an internal note on the ticket whose
    data names the escalation, so that the timeline keeps the whole story). The owner hears
    of notes written by others."""
    _require_agent(actor, field="actor")
    body = _check_text(body, "body", 65536, required=True)
    item, ticket = _open_item(escalation_id, actor)
    return _thread_note(
        ticket,
        actor=actor,
        body=body,
        data={"escalation": item.pk},
        notice=_("New note on the escalation of #%(number)s") % {"number": ticket.number},
        kind="escalation",
    )


# --- due times: the worker's sweep ---------------------------------------------------------


@dataclass(frozen=True)
class _Passing:
    """One point in an escalation's time that the sweep notices once: the column it is read
    from, the column that records it was passed, and the event that says so."""

    at: str
    noticed: str
    kind: str


OVERDUE = _Passing("due_at", "overdue_at", Kind.ESCALATION_OVERDUE)
DUE_SOON = _Passing("warn_at", "warned_at", Kind.ESCALATION_WARNING)


@dataclass
class EscalationSweep:
    overdue: int = 0
    warnings: int = 0
    # Passed while the ticket was solved or closed: recorded, nobody told.
    quiet: int = 0


def sweep_escalations(*, now=None, batch: int = 200) -> EscalationSweep:
    """The worker's pass over escalation due times. Each open work item whose due time has
    passed is noticed once: an *escalation overdue* event on the ticket's timeline, and a
    notification to whoever works it (its assignee; unassigned, the supervisors of the group
    it went to, or its agents when it has none) and to the ticket's owner (after a hand-off,
    the owner it had too). Three quarters of the way (:data:`WARN_FRACTION`), an *escalation
    due soon* event and a word to whoever works it. An item is noticed past its due time
    without the warning first when the sweep comes late.

    Once, whichever worker sweeps: a batch of items is locked (on PostgreSQL, SKIP LOCKED, so
    that concurrent workers take different items; SQLite has one writer) and marked passed in
    the transaction that writes the events and notifications. Items of a solved or closed
    ticket are marked passed and nobody is told."""
    now = now or clock.now()
    result = EscalationSweep()
    for passing in (OVERDUE, DUE_SOON):
        while True:
            with transaction.atomic():
                claimed = _claim(passing, now, batch)
                _tell(claimed, passing, now, result)
            if len(claimed) < batch:
                break
    return result


def _claim(passing: _Passing, now, batch: int) -> list[Escalation]:
    """Up to ``batch`` open items whose ``passing`` point is behind ``now`` and not yet
    noticed, locked and marked noticed (the partial indexes ``escalation_due_unswept`` and
    ``escalation_warn_unswept`` hold exactly these)."""
    due = Escalation.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        closed_at__isnull=True, overdue_at__isnull=True, **{f"{passing.at}__lte": now}
    )
    if passing is DUE_SOON:
        due = due.filter(warned_at__isnull=True)
    claimed = list(
        due.select_related("ticket__owner", "to_group", "assignee", "previous_owner").order_by(
            passing.at, "id"
        )[:batch]
    )
    if claimed:
        Escalation.objects.filter(pk__in=[item.pk for item in claimed]).update(
            **{passing.noticed: now}
        )
    return claimed


def _tell(items: list[Escalation], passing: _Passing, now, result: EscalationSweep) -> None:
    """The timeline events and notifications of the items just claimed: one insert each."""
    active = [item for item in items if item.ticket.is_active]
    result.quiet += len(items) - len(active)
    unassigned = {
        item.to_group_id
        for item in active
        if item.to_group_id and (item.assignee is None or not item.assignee.is_active)
    }
    supervisors = team.agents_of(unassigned, roles=team.SUPERVISORS)
    members = team.agents_of([group for group in unassigned if not supervisors[group]])
    timeline, notices = [], []
    for item in active:
        ticket = item.ticket
        if item.assignee is not None and item.assignee.is_active:
            working = [item.assignee]
        else:
            working = supervisors.get(item.to_group_id) or members.get(item.to_group_id) or []
        timeline.append(
            TicketEvent(
                ticket=ticket,
                kind=passing.kind,
                channel=Channel.AGENT,
                data={
                    "escalation": item.pk,
                    "group": item.to_group.name if item.to_group else None,
                    "tier": item.to_tier,
                    "due": item.due_at.isoformat() if item.due_at else None,
                    "assignee": _agent_ref(item.assignee),
                },
                created_at=now,
            )
        )
        if passing is OVERDUE:
            title = _("Escalation on #%(number)s is overdue") % {"number": ticket.number}
            told = [*working, ticket.owner, item.previous_owner]
            result.overdue += 1
        else:
            title = _("Escalation on #%(number)s is due soon") % {"number": ticket.number}
            told = working
            result.warnings += 1
        notices.append((told, "escalation", title, item.reason[:500], ticket))
    TicketEvent.objects.bulk_create(timeline)
    notify_many(notices, at=now)


# --- swarming -----------------------------------------------------------------------------


@transaction.atomic
def add_collaborator(ticket_id: int, *, agent, actor) -> Ticket:
    """Pull a specialist in around the ticket. The owner stays the owner."""
    _require_agent(actor, field="actor")
    _require_agent(agent, field="agent")
    ticket = _lock(ticket_id, actor=actor)
    if not access.can_collaborate(actor, ticket):
        raise access.ticket_not_found()
    if ticket.owner_id == agent.pk:
        raise InvalidInput(_("The owner is already on this ticket."), field="agent")
    if ticket.collaborators.filter(pk=agent.pk).exists():
        return ticket
    ticket.collaborators.add(agent)
    now = clock.now()
    _event(
        ticket,
        Kind.COLLABORATOR_ADDED,
        channel=Channel.AGENT,
        actor=actor,
        data={"agent": _agent_ref(agent)},
        at=now,
    )
    _save(ticket, set(), now)
    return ticket


@transaction.atomic
def remove_collaborator(ticket_id: int, *, agent, actor) -> Ticket:
    _require_agent(actor, field="actor")
    ticket = _lock(ticket_id, actor=actor)
    if not access.can_collaborate(actor, ticket):
        raise access.ticket_not_found()
    if not ticket.collaborators.filter(pk=agent.pk).exists():
        raise NotFound(_("This agent is not a collaborator on the ticket."))
    ticket.collaborators.remove(agent)
    now = clock.now()
    _event(
        ticket,
        Kind.COLLABORATOR_REMOVED,
        channel=Channel.AGENT,
        actor=actor,
        data={"agent": _agent_ref(agent)},
        at=now,
    )
    _save(ticket, set(), now)
    return ticket


# --- service levels -----------------------------------------------------------------------


@transaction.atomic
def record_sla_events(rows, *, at=None) -> list[TicketEvent]:
    """SLA warnings, breaches and follow-up reminders for many tickets in one insert (the
    sweep's batches): ``rows`` holds ``(ticket_id, kind, target, due, cycle)`` tuples."""
    now = at or clock.now()
    created = []
    for ticket_id, kind, target, due, cycle in rows:
        if kind not in (Kind.SLA_WARNING, Kind.SLA_BREACH, Kind.FOLLOW_UP):
            raise InvalidInput(_("Not an SLA event kind."))
        created.append(
            TicketEvent(
                ticket_id=ticket_id,
                kind=kind,
                channel=Channel.AGENT,
                data={"target": target, "due": due.isoformat() if due else None, "cycle": cycle},
                created_at=now,
            )
        )
    return TicketEvent.objects.bulk_create(created) if created else []


@transaction.atomic
def raise_priority(ticket_id: int, *, reason: str) -> Ticket | None:
    """Move the ticket one level up the priority scheme (an SLA breach action). None when it
    is already at the top."""
    ticket = _lock(ticket_id)
    higher = Priority.objects.filter(rank__lt=ticket.priority_rank).order_by("-rank").first()
    if higher is None or not ticket.is_active:
        return None
    now = clock.now()
    _event(
        ticket,
        Kind.PRIORITY,
        channel=Channel.AGENT,
        body=reason,
        data={
            "from": ticket.priority.code,
            "to": higher.code,
            "manual": False,
            "reason": "sla_breach",
        },
        at=now,
    )
    ticket.priority, ticket.priority_rank = higher, higher.rank
    # Raised by a breach: rules re-applied on a later field change must not lower it again.
    ticket.priority_source = "sla"
    _save(ticket, {"priority", "priority_rank", "priority_source"}, now)
    events.publish("ticket_updated", ticket_id=ticket.pk, fields=["priority"])
    return ticket
