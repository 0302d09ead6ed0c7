"""Moving the work up and around: escalation to a higher-tier group (by an agent, or on an SLA
breach to the next tier), a priority raised on breach, the SLA events on the timeline, and
swarming (collaborators pulled in around a ticket whose owner stays the customer's contact)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from sampark.core import clock, events
from sampark.core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
)
from sampark.team.models import Group

from .. import access
from ..models import (
    Channel,
    Priority,
    Ticket,
    TicketEvent,
)
from ._steps import _agent_ref, _check_text, _event, _lock, _require_agent, _save
from .changes import _change_group

Kind = TicketEvent.Kind


def _escalate(ticket: Ticket, group: Group, actor, reason: str) -> Ticket:
    """Move a locked, active ticket to a higher-tier group; the owner stays."""
    now = clock.now()
    changed: set[str] = set()
    _change_group(ticket, group, actor, changed, now, kind=Kind.ESCALATED, reason=reason)
    _save(ticket, changed, now)
    events.publish("ticket_escalated", ticket_id=ticket.pk, group_id=group.pk)
    return ticket


@transaction.atomic
def escalate_ticket(
    ticket_id: int, *, actor, group: Group, reason: str, expected_version: int | None = None
) -> Ticket:
    """Move the work to a more experienced group. The owner stays the customer's contact."""
    _require_agent(actor, field="actor")
    reason = _check_text(reason, "reason", 2000, required=True)
    ticket = _lock(ticket_id, expected_version, actor=actor)
    if not access.can_escalate(actor, ticket):
        raise access.ticket_not_found()
    if not ticket.is_active:
        raise InvalidTransition(_("Only an active ticket can be escalated."))
    if group.tier <= ticket.tier:
        raise InvalidInput(
            _("Escalation goes to a higher tier than %(tier)s.") % {"tier": ticket.tier},
            field="group",
        )
    return _escalate(ticket, group, actor, reason)


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


@transaction.atomic
def escalate_to_next_tier(ticket_id: int, *, reason: str) -> Ticket | None:
    """An automatic escalation (an SLA breach action): to the group's configured escalation
    group, else the first group of the next tier. The owner stays. None when there is none."""
    ticket = _lock(ticket_id)
    if not ticket.is_active:
        return None
    target = ticket.group.escalates_to if ticket.group and ticket.group.escalates_to_id else None
    if target is None:
        target = Group.objects.filter(tier__gt=ticket.tier).order_by("tier", "name").first()
    if target is None or target.tier <= ticket.tier:
        return None
    return _escalate(ticket, target, None, reason)
