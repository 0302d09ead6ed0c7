"""Opening a ticket: checking what the customer or agent gave, deciding its priority (the
priority given, else the rules, else the matrix, else the default), its group and its owner (the
single point of contact, else the group's assignment strategy:
:mod:`sampark.assignment.services.intake`), numbering it, and writing it with its opening
events and (through ``ticket_opened``) its SLA clocks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from sampark.assignment.services import intake as assignment
from sampark.core import clock, events
from sampark.core.language import TextLanguage, detect_language
from sampark.customers.models import Asset, Contact
from sampark.db import configuration, transactions
from sampark.db.inserts import insert_with_children
from sampark.routing import engine as routing
from sampark.team.models import Group

from .. import rules
from ..fields import validate_custom_fields
from ..models import (
    Channel,
    Level,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)
from . import escalation
from ._steps import (
    MAX_TAGS,
    _agent_ref,
    _check_choice,
    _check_text,
    _event,
    _require_agent,
    _set_tags,
    normalise_tags,
)
from .attachments import NewAttachment, store_attachments
from .configuration import resolve_priority

Kind = TicketEvent.Kind


TICKET_NUMBERS = "tickets_ticket_number"


def _insert_numbered(ticket: Ticket, opening: Sequence[TicketEvent] = ()) -> None:
    """Insert a new ticket with the next human-facing ticket number, then ``opening``, its
    first events (on PostgreSQL in the same statement: :func:`insert_with_children`).

    On PostgreSQL the number comes from a sequence, which no transaction holds, drawn by the
    INSERT itself (no round trip of its own). The counter row that SQLite uses was locked by
    each create from taking its number until it committed, so creates queued on it (257
    creates/s against 298/s with the sequence). A create that fails after taking its number
    leaves a gap. SQLite has one writer anyway: there, one atomic UPDATE ... RETURNING of the
    counter."""
    if connection.vendor == "postgresql":
        computed = {"number": f"nextval('{TICKET_NUMBERS}')"}
        insert_with_children(ticket, opening, link="ticket", computed=computed)
        return
    ticket.number = _next_counter_value()
    insert_with_children(ticket, opening, link="ticket")


def _next_counter_value() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tickets_counter SET value = value + 1 WHERE name = %s RETURNING value",
            ["ticket"],
        )
        row = cursor.fetchone()
    if row is None:
        start = (Ticket.objects.order_by("-number").values_list("number", flat=True).first()) or 0
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO tickets_counter (name, value) VALUES (%s, %s)", ["ticket", start + 1]
            )
        return start + 1
    return row[0]


@configuration.cached
def _priorities() -> tuple[dict[str, Priority], Priority | None]:
    """Every priority by code, and the one a ticket gets when nothing decides otherwise (the
    one marked default, else the least urgent)."""
    scheme = list(Priority.objects.all())
    default = next((p for p in scheme if p.is_default), scheme[-1] if scheme else None)
    return {p.code: p for p in scheme}, default


@configuration.cached
def _default_group() -> Group | None:
    return Group.objects.select_related("calendar").filter(is_default=True).first()


def _routing_record(routed: routing.Decision, kept: list[str]) -> dict | None:
    """What the routing rules decided and why, as the opening event keeps it (None: no rule
    matched); ``kept``: what the caller had chosen, which the rules did not change."""
    if not routed.matches:
        return None
    return {**routed.record(), "kept": kept}


# --- open ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Opening:
    """Everything :func:`open_ticket` decides before it writes: checked input, priority,
    group and owner."""

    requester: Contact
    asset: Asset | None
    subject: str
    description: str
    channel: str
    actor: Any
    priority: Priority
    priority_source: str
    rule_name: str | None
    impact: str
    urgency: str
    ticket_type: str
    category: str
    tag_names: list[str]
    custom_fields: dict
    language: str
    message_language: str
    group: Group | None
    owner: Any
    owner_reason: str
    routing: dict | None
    assignment: assignment.Choice | None
    message_data: dict | None = None
    attachments: Sequence[NewAttachment] = ()
    follow_up_of: Ticket | None = None


@transactions.step
def open_ticket(
    *,
    subject: str,
    requester: Contact,
    description: str = "",
    channel: str = Channel.WEB,
    actor=None,
    priority: str | None = None,
    group: Group | None = None,
    ticket_type: str = TicketType.QUESTION,
    category: str = "",
    tags: list[str] = (),
    custom_fields: dict | None = None,
    language: str = "",
    asset: Asset | None = None,
    owner=None,
    impact: str = "",
    urgency: str = "",
    new_requester: bool = False,
    skills: Sequence[str] = (),
    message_data: dict | None = None,
    attachments: Sequence[NewAttachment] = (),
    follow_up_of: Ticket | None = None,
) -> Ticket:
    """Open a ticket and give it its owner (the SPOC), its group's queue and its priority: the
    one given, else the first matching priority rule, else the impact × urgency matrix, else
    the scheme's default. Its ``language`` is the one given, else the one its subject and
    description are written in (:func:`~sampark.core.language.detect_language`: ``hi``, ``en``,
    ``hinglish`` or ``mixed``), else the requester's. ``new_requester``: the requester was
    created for this ticket, so has no earlier ticket whose owner could be the SPOC.
    ``skills``: what the agent who gets it must know, for the group's assignment strategy;
    the routing rules' skills are added to them. ``message_data`` and ``attachments``: what
    the channel knows of the opening message (kept on its event) and its files.
    ``follow_up_of``: the closed ticket this one continues (the customer wrote again about it).

    Every decision is made inside the transaction that writes the ticket, on what it reads
    there: the owner above all, which rests on the requester's other tickets. Configuration is
    read under one generation (:func:`configuration.snapshot`)."""
    with configuration.snapshot():
        subject = _check_text(subject, "subject", 255, required=True)
        _check_choice(channel, Channel, "channel")
        _check_choice(ticket_type, TicketType, "type")
        category = _check_text(category, "category", 100)
        if language:
            _check_choice(language, TextLanguage, "language")
        tag_names = normalise_tags(tags)
        fields = validate_custom_fields(custom_fields or {}, current=None)
        if requester.merged_into_id:
            requester = requester.merged_into
        # Decided before routing and the rules, which may read it.
        written_in = detect_language(f"{subject}\n{description}")
        language = language or written_in or requester.language
        for level, name in ((impact, "impact"), (urgency, "urgency")):
            if level:
                _check_choice(level, Level, name)
        decision = None
        if priority:
            priority_row, source = resolve_priority(priority), "manual"
        else:
            decision = rules.decide(
                rules.Facts(
                    subject=subject,
                    description=description,
                    channel=channel,
                    category=category,
                    organization_tier=requester.organization.tier
                    if requester.organization_id
                    else None,
                    asset_model=asset.model_number if asset is not None else "",
                    custom_fields=fields,
                    impact=impact,
                    urgency=urgency,
                )
            )
            if decision is not None:
                priority_row, source = decision.priority, decision.source
                impact, urgency = decision.impact or impact, decision.urgency or urgency
            else:
                priority_row, source = resolve_priority(None), "default"
        routed = routing.route(
            routing.Facts(
                subject=subject,
                description=description,
                channel=channel,
                language=language,
                organization_id=requester.organization_id,
                organization_tier=requester.organization.tier
                if requester.organization_id
                else None,
                asset_product=asset.name if asset is not None else "",
                asset_model=asset.model_number if asset is not None else "",
                category=category,
                custom_fields=fields,
                priority=priority_row.code,
                at=clock.now(),
            )
        )
        kept = []  # what the caller chose and the routing decision left alone
        if routed.priority is not None:
            if priority:
                kept.append("priority")
            else:
                priority_row, source, decision = routed.priority, "routing", None
        if routed.group is not None and group is not None:
            kept.append("group")
        if group is None:
            group = routed.group or _default_group()
        if routed.category:
            if category:
                kept.append("category")
            else:
                category = routed.category
        if routed.tags:
            tag_names = list(dict.fromkeys([*tag_names, *routed.tags]))[:MAX_TAGS]
        skills = list(dict.fromkeys([*skills, *routed.skills]))
        choice = None
        if owner is not None:
            owner, reason = _require_agent(owner), "chosen"
        else:
            choice = assignment.choose_owner(
                requester,
                group_id=group.pk if group else None,
                skills=skills,
                language=language,
                has_tickets=not new_requester,
            )
            owner, reason = choice.owner, choice.reason
        ticket = _write(
            _Opening(
                requester=requester,
                asset=asset,
                subject=subject,
                description=description,
                channel=channel,
                actor=actor,
                priority=priority_row,
                priority_source=source,
                rule_name=decision.rule.name if decision and decision.rule else None,
                impact=impact,
                urgency=urgency,
                ticket_type=ticket_type,
                category=category,
                tag_names=tag_names,
                custom_fields=fields,
                language=language,
                message_language=detect_language(description) or written_in,
                group=group,
                owner=owner,
                owner_reason=reason,
                routing=_routing_record(routed, kept),
                assignment=choice,
                message_data=message_data,
                attachments=attachments,
                follow_up_of=follow_up_of,
            )
        )
        if routed.escalate:
            _escalate_as_routed(ticket, routed)
        return ticket


def _escalate_as_routed(ticket: Ticket, routed: routing.Decision) -> None:
    """A routing rule's "escalate to the next tier": the new ticket goes up its group's chain
    at once, as an SLA breach would send it (an escalation work item; the owner stays unless
    the higher group hands off), in the opening's transaction. Nothing when its group has no
    tier above."""
    name = next(m.rule_name for m in routed.matches if "escalate" in m.applied)
    reason = _("Routing rule “%(name)s” sends tickets like this one to the next tier.") % {
        "name": name
    }
    if escalation.escalate_to_next_tier(ticket.pk, reason=reason, source="rule") is not None:
        ticket.refresh_from_db()


def _build(opening: _Opening, now) -> tuple[Ticket, list[TicketEvent]]:
    """The ticket that ``opening`` describes, without its number, and its opening events: not
    saved."""
    requester, owner, group, channel = (
        opening.requester,
        opening.owner,
        opening.group,
        opening.channel,
    )
    ticket = Ticket(
        subject=opening.subject,
        description=opening.description,
        status=Status.OPEN if owner is not None else Status.NEW,
        priority=opening.priority,
        priority_rank=opening.priority.rank,
        priority_source=opening.priority_source,
        impact=opening.impact,
        urgency=opening.urgency,
        type=opening.ticket_type,
        category=opening.category,
        channel=channel,
        language=opening.language,
        requester=requester,
        organization=requester.organization,
        asset=opening.asset,
        owner=owner,
        group=group,
        tier=group.tier if group else "L1",
        custom_fields=opening.custom_fields,
        follow_up_of=opening.follow_up_of,
        created_at=now,
        updated_at=now,
    )
    events_so_far = [
        TicketEvent(
            ticket=ticket,
            kind=Kind.CREATED,
            channel=channel,
            actor=opening.actor,
            contact=None if opening.actor else requester,
            data={
                "subject": opening.subject,
                "priority": opening.priority.code,
                "priority_source": opening.priority_source,
                "priority_rule": opening.rule_name,
                "group": group.name if group else None,
                "owner": _agent_ref(owner),
                "owner_reason": opening.owner_reason,
                "routing": opening.routing,
            },
            created_at=now,
        )
    ]
    choice = opening.assignment
    if choice is not None and choice.leave is not None and owner is not None:
        # The SPOC is on leave: their delegate reads the handover note on the timeline, as
        # on the tickets handed over when the leave began.
        events_so_far.append(
            TicketEvent(
                ticket=ticket,
                kind=Kind.ASSIGNED,
                channel=Channel.AGENT,
                body=choice.handover_note,
                data={"from": None, "to": _agent_ref(owner), "reason": "handover"},
                created_at=now,
            )
        )
    if opening.description.strip():
        events_so_far.append(
            TicketEvent(
                ticket=ticket,
                kind=Kind.MESSAGE_IN,
                channel=channel,
                contact=requester,
                body=opening.description,
                public=True,
                data={**(opening.message_data or {}), "language": opening.message_language},
                created_at=now,
            )
        )
    if opening.follow_up_of is not None:
        earlier = opening.follow_up_of
        events_so_far.append(
            TicketEvent(
                ticket=ticket,
                kind=Kind.FOLLOW_UP_OF,
                channel=channel,
                contact=requester,
                data={"ticket": earlier.number, "ticket_id": earlier.pk},
                created_at=now,
            )
        )
    return ticket, events_so_far


def _write(opening: _Opening) -> Ticket:
    """Write the ticket that ``opening`` describes, its opening events and (through the
    ``ticket_opened`` subscribers) its SLA clocks, inside :func:`open_ticket`'s transaction."""
    ticket, first_events = _build(opening, clock.now())
    _insert_numbered(ticket, first_events)  # in this order: the opening, then the message
    if opening.attachments:
        # With the opening message, or with the opening itself when it had no text.
        carrier = next((e for e in first_events if e.kind == Kind.MESSAGE_IN), first_events[0])
        if carrier.pk is None:
            carrier = ticket.events.filter(kind=carrier.kind).order_by("id").first()
        store_attachments(ticket, carrier, opening.attachments)
    if opening.follow_up_of is not None:
        _event(
            opening.follow_up_of,
            Kind.FOLLOW_UP_OPENED,
            channel=opening.channel,
            contact=opening.requester,
            data={"ticket": ticket.number, "ticket_id": ticket.pk},
            at=ticket.created_at,
        )
    if opening.tag_names:
        _set_tags(ticket, opening.tag_names)
    if opening.assignment is not None:
        assignment.record(ticket, opening.assignment)
    # What the query layer attaches to tickets it reads, so the caller can render this one.
    ticket.tag_names, ticket.collaborator_list = sorted(opening.tag_names), []
    # The customer's first message, for a channel that links its own record to it.
    ticket.opening_message = next((e for e in first_events if e.kind == Kind.MESSAGE_IN), None)
    # The new ticket's log so far, for the SLA clocks: they need not read back what was
    # just written.
    history = [(event.kind, event.created_at, event.data) for event in first_events]
    events.publish(
        "ticket_opened", ticket_id=ticket.pk, subject=ticket, detail={"history": history}
    )
    return ticket
