"""Moving the work up and around: escalation to a higher-tier group (by an agent, or on an SLA
breach to the next tier), a priority raised on breach, the SLA events on the timeline, and
swarming (collaborators pulled in around a ticket whose owner stays the customer's contact)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from sampark.calendars import services as calendars
from sampark.core import clock, events
from sampark.core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
)
from sampark.notifications.services import notify
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


def next_in_chain(ticket: Ticket) -> Group | None:
    """Where the ticket goes up: its group's configured escalation group (the chain, per
    product line if the groups are), else the first group of the next tier up."""
    group = ticket.group
    if group is not None and group.escalates_to_id:
        target = Group.objects.filter(pk=group.escalates_to_id).first()
        if target is not None and target.tier > ticket.tier:
            return target
    return Group.objects.filter(tier__gt=ticket.tier).order_by("tier", "name").first()


def _due(group: Group, now):
    """When the escalation's work is due: the group's minutes in its business hours."""
    calendar = group.calendar or calendars.default_calendar()
    seconds = group.escalation_response_minutes * 60
    if calendar is None:
        return now + dt.timedelta(seconds=seconds)
    return calendars.schedule_of(calendar).add(now, seconds)


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
        due_at=_due(group, now),
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
