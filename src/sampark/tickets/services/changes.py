"""An agent's edits to a ticket: status (and the transitions allowed), priority (a manual
override, or the priority rules applied again when a field they test changes), owner, group,
subject, category, type, tags, custom fields, impact and urgency, all as one new version."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sampark.core import clock, events
from sampark.core.errors import (
    Forbidden,
    InvalidTransition,
)
from sampark.team.models import Group

from .. import access, rules
from ..fields import validate_custom_fields
from ..models import (
    Channel,
    Level,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)
from ._steps import (
    _agent_ref,
    _check_choice,
    _check_text,
    _event,
    _lock,
    _require_agent,
    _save,
    _set_tags,
    normalise_tags,
)
from .configuration import resolve_priority
from .conversation import _reopen

Kind = TicketEvent.Kind


ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
    Status.OPEN: frozenset({Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.ON_HOLD, Status.SOLVED}),
    Status.ON_HOLD: frozenset({Status.OPEN, Status.PENDING, Status.SOLVED}),
    Status.SOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
# A field an edit leaves alone (None is a value: no owner, no group).
UNSET: Any = object()


def _change_status(ticket: Ticket, new_status: str, actor, changed: set[str], now) -> None:
    _check_choice(new_status, Status, "status")
    if new_status == ticket.status:
        return
    if new_status not in ALLOWED_TRANSITIONS[ticket.status]:
        raise InvalidTransition(
            _("A %(from)s ticket cannot become %(to)s.")
            % {"from": Status(ticket.status).label, "to": Status(new_status).label}
        )
    if ticket.status == Status.SOLVED and new_status == Status.OPEN:
        _reopen(ticket, changed, now, reason="agent", channel=Channel.AGENT, actor=actor)
        return
    previous = ticket.status
    ticket.status = new_status
    changed.add("status")
    if new_status == Status.SOLVED:
        ticket.solved_at = now
        changed.add("solved_at")
    elif new_status == Status.CLOSED:
        ticket.closed_at = now
        changed.add("closed_at")
    _event(
        ticket,
        Kind.STATUS,
        channel=Channel.AGENT,
        actor=actor,
        data={"from": previous, "to": new_status},
        at=now,
    )


def _change_owner(ticket: Ticket, new_owner, actor, changed: set[str], now) -> None:
    if new_owner is not None:
        _require_agent(new_owner)
    if (new_owner.pk if new_owner else None) == ticket.owner_id:
        return
    if not access.can_reassign(actor, ticket):
        raise Forbidden(
            _(
                "Only the current owner or a supervisor can hand this ticket to someone else. "
                "Join it as a collaborator instead."
            )
        )
    previous = ticket.owner
    ticket.owner = new_owner
    changed.add("owner")
    if new_owner is not None:
        ticket.collaborators.remove(new_owner)
    _event(
        ticket,
        Kind.ASSIGNED,
        channel=Channel.AGENT,
        actor=actor,
        data={"from": _agent_ref(previous), "to": _agent_ref(new_owner), "reason": "manual"},
        at=now,
    )


def _change_group(
    ticket: Ticket,
    group: Group | None,
    actor,
    changed: set[str],
    now,
    *,
    kind: str = Kind.GROUP,
    reason: str = "",
    extra: dict | None = None,
) -> None:
    """Queue the ticket in ``group`` (its tier follows), with an event of ``kind`` saying why;
    ``extra`` joins the event's data (an escalation's id, say)."""
    if (group.pk if group else None) == ticket.group_id:
        return
    previous_group, previous_tier = ticket.group, ticket.tier
    ticket.group = group
    ticket.tier = group.tier if group else ticket.tier
    changed.update({"group", "tier"})
    _event(
        ticket,
        kind,
        channel=Channel.AGENT,
        actor=actor,
        body=reason,
        data={
            "from": previous_group.name if previous_group else None,
            "to": group.name if group else None,
            "from_tier": previous_tier,
            "to_tier": ticket.tier,
            **(extra or {}),
        },
        at=now,
    )


@transaction.atomic
def update_ticket(
    ticket_id: int,
    *,
    actor,
    expected_version: int,
    status: str = UNSET,
    priority: str = UNSET,
    priority_reason: str = "",
    owner=UNSET,
    group: Group | None = UNSET,
    group_reason: str = "",
    category: str = UNSET,
    ticket_type: str = UNSET,
    subject: str = UNSET,
    tags: list[str] = UNSET,
    custom_fields: dict = UNSET,
    impact: str = UNSET,
    urgency: str = UNSET,
) -> Ticket:
    """Apply an agent's edits to a ticket at ``expected_version``, as one new version.

    A priority given here is a manual override, recorded with its reason; rules no longer
    touch that ticket's priority. Otherwise, when a field the rules test changes, the
    priority rules are applied again. ``group_reason`` says why the group changed (a
    de-escalation back to a lower tier, say) and is kept on its event."""
    _require_agent(actor, field="actor")
    ticket = _lock(ticket_id, expected_version, actor=actor)
    if ticket.status == Status.CLOSED:
        raise InvalidTransition(_("A closed ticket cannot be changed."))
    now = clock.now()
    changed: set[str] = set()
    plain: dict[str, tuple[Any, Any]] = {}

    if priority is not UNSET and priority != ticket.priority.code:
        new_priority = resolve_priority(priority)
        _event(
            ticket,
            Kind.PRIORITY,
            channel=Channel.AGENT,
            actor=actor,
            body=_check_text(priority_reason or "", "priority_reason", 500),
            data={"from": ticket.priority.code, "to": new_priority.code, "manual": True},
            at=now,
        )
        ticket.priority, ticket.priority_rank = new_priority, new_priority.rank
        ticket.priority_source = "manual"
        changed.update({"priority", "priority_rank", "priority_source"})
    if owner is not UNSET:
        _change_owner(ticket, owner, actor, changed, now)
    if group is not UNSET:
        reason = _check_text(group_reason or "", "group_reason", 2000)
        _change_group(ticket, group, actor, changed, now, reason=reason)
    if subject is not UNSET:
        plain["subject"] = (ticket.subject, _check_text(subject, "subject", 255, required=True))
    if category is not UNSET:
        plain["category"] = (ticket.category, _check_text(category, "category", 100))
    if ticket_type is not UNSET:
        plain["type"] = (ticket.type, _check_choice(ticket_type, TicketType, "type"))
    if custom_fields is not UNSET:
        merged = validate_custom_fields(custom_fields, current=ticket.custom_fields)
        plain["custom_fields"] = (ticket.custom_fields, merged)
    if tags is not UNSET:
        names = normalise_tags(tags)
        current = list(ticket.tags.order_by("name").values_list("name", flat=True))
        if sorted(names) != current:
            _set_tags(ticket, names)
            plain["tags"] = (current, sorted(names))
    if impact is not UNSET:
        plain["impact"] = (ticket.impact, _check_choice(impact, Level, "impact") if impact else "")
    if urgency is not UNSET:
        plain["urgency"] = (
            ticket.urgency,
            _check_choice(urgency, Level, "urgency") if urgency else "",
        )
    if status is not UNSET:
        _change_status(ticket, status, actor, changed, now)

    diff = {}
    for field, (old, new) in plain.items():
        if old != new:
            diff[field] = {"from": old, "to": new}
            if field != "tags":
                setattr(ticket, field, new)
                changed.add(field)
    if diff:
        _event(ticket, Kind.FIELDS, channel=Channel.AGENT, actor=actor, data=diff, at=now)
    if set(diff) & RULE_INPUTS and ticket.priority_source not in STICKY_PRIORITY:
        _reapply_priority_rules(ticket, changed, now)
    if changed or diff:
        _save(ticket, changed, now)
        events.publish("ticket_updated", ticket_id=ticket.pk, fields=sorted(changed | set(diff)))
    return ticket


RULE_INPUTS = {"category", "custom_fields", "impact", "urgency", "subject"}
# Priorities set by an agent, by a routing rule at intake or raised by an SLA breach stay
# until an agent changes them.
STICKY_PRIORITY = {"manual", "routing", "sla"}


def _reapply_priority_rules(ticket: Ticket, changed: set[str], now) -> None:
    """The fields priority rules test have changed: decide again and record any change."""
    decision = rules.decide(
        rules.Facts(
            subject=ticket.subject,
            description=ticket.description,
            channel=ticket.channel,
            category=ticket.category,
            organization_tier=ticket.organization.tier if ticket.organization_id else None,
            asset_model=ticket.asset.model_number if ticket.asset_id else "",
            custom_fields=ticket.custom_fields,
            impact=ticket.impact,
            urgency=ticket.urgency,
        )
    )
    if decision is None or decision.priority.pk == ticket.priority_id:
        return
    _event(
        ticket,
        Kind.PRIORITY,
        channel=Channel.AGENT,
        data={
            "from": ticket.priority.code,
            "to": decision.priority.code,
            "manual": False,
            "source": decision.source,
            "rule": decision.rule.name if decision.rule else None,
        },
        at=now,
    )
    ticket.priority, ticket.priority_rank = decision.priority, decision.priority.rank
    ticket.priority_source = decision.source
    changed.update({"priority", "priority_rank", "priority_source"})


# Why the assignment engine gave a ticket to someone (the ASSIGNED event's "reason").
ASSIGNMENT_REASONS = ("take_next", "spoc_back", "wait_over", "handover", "leave_return")


@transaction.atomic
def assign_ticket(
    ticket_id: int,
    owner,
    *,
    reason: str,
    actor=None,
    note: str = "",
    if_owner_is: Any = UNSET,
) -> Ticket | None:
    """Give an active ticket to ``owner`` for the assignment engine, with ``reason`` (one of
    :data:`ASSIGNMENT_REASONS`) and an optional ``note`` (a handover note) on its timeline. A
    new ticket becomes open, as one opened with an owner does.

    ``if_owner_is`` (a user id, or None for unowned): only if the ticket still has that owner
    once locked; otherwise, or when it is no longer active, nothing is written and None comes
    back (another agent took it meanwhile). Who may ask is the caller's check: the engine
    acts for the help desk (``actor`` None) or for the agent taking the ticket."""
    if reason not in ASSIGNMENT_REASONS:
        raise ValueError(f"not an assignment reason: {reason!r}")
    _require_agent(owner)
    ticket = _lock(ticket_id)
    if not ticket.is_active or ticket.merged_into_id is not None:
        return None
    if if_owner_is is not UNSET and ticket.owner_id != if_owner_is:
        return None
    if ticket.owner_id == owner.pk:
        return ticket
    now = clock.now()
    previous = ticket.owner
    ticket.owner = owner
    changed = {"owner"}
    ticket.collaborators.remove(owner)
    _event(
        ticket,
        Kind.ASSIGNED,
        channel=Channel.AGENT,
        actor=actor,
        body=_check_text(note or "", "note", 5000),
        data={"from": _agent_ref(previous), "to": _agent_ref(owner), "reason": reason},
        at=now,
    )
    if ticket.status == Status.NEW:
        _event(
            ticket,
            Kind.STATUS,
            channel=Channel.AGENT,
            actor=actor,
            data={"from": Status.NEW, "to": Status.OPEN, "reason": reason},
            at=now,
        )
        ticket.status = Status.OPEN
        changed.add("status")
    _save(ticket, changed, now)
    events.publish("ticket_updated", ticket_id=ticket.pk, fields=sorted(changed))
    return ticket
