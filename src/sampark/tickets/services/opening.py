"""Opening a ticket: checking what the customer or agent gave, deciding its priority (the
priority given, else the rules, else the matrix, else the default), its group and its owner (the
single point of contact, :func:`choose_owner`), numbering it, and writing it with its opening
events and (through ``ticket_opened``) its SLA clocks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from sampark.core import clock, events
from sampark.customers.models import Asset, Contact, Language
from sampark.customers.services import (
    RequesterDetails,
    find_or_create_asset,
    find_or_create_contact,
    match_requester,
)
from sampark.db import configuration
from sampark.db.inserts import insert_with_children
from sampark.db.prepared import Prepared
from sampark.team.models import Group
from sampark.team.permissions import profile_of

from .. import rules
from ..fields import validate_custom_fields
from ..models import (
    ACTIVE_STATUSES,
    Channel,
    Level,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)
from ._steps import (
    _agent_ref,
    _check_choice,
    _check_text,
    _require_agent,
    _set_tags,
    normalise_tags,
)
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


# --- single point of contact ------------------------------------------------------------


def choose_owner(contact: Contact, *, has_tickets: bool = True) -> tuple[Any, str]:
    """The agent a new ticket from ``contact`` goes to, and why.

    In order: the account manager of the contact's organization; else the owner of the
    contact's active ticket or of one solved within SAMPARK_SPOC_WINDOW_DAYS (the most recently
    updated); else nobody, and the ticket waits in its group's queue. ``has_tickets=False``
    (a contact created a moment ago) skips looking for earlier tickets.
    """
    organization = contact.organization
    if organization is not None and organization.account_manager_id:
        manager = organization.account_manager
        if manager.is_active and profile_of(manager) is not None:
            return manager, "account_manager"
    if not has_tickets:
        return None, "queue"
    since = clock.now() - timedelta(days=settings.SAMPARK_SPOC_WINDOW_DAYS)
    # An active ticket's owner first; then the owner of the most recently solved one.
    recent = _owner_of_active(contact.pk) or _owner_of_solved(contact.pk, since)
    if recent:
        return recent[0].owner, "returning_customer"
    return None, "queue"


def _owned_tickets_of(contact_id: int):
    return Ticket.objects.filter(
        requester_id=contact_id,
        owner__isnull=False,
        owner__is_active=True,
        merged_into__isnull=True,
    ).select_related("owner")


_owner_of_active = Prepared(
    lambda contact_id: (
        _owned_tickets_of(contact_id)
        .filter(status__in=ACTIVE_STATUSES)
        .order_by("-updated_at", "-id")[:1]
    ),
    int,
)
_owner_of_solved = Prepared(
    lambda contact_id, since: (
        _owned_tickets_of(contact_id).filter(solved_at__gte=since).order_by("-solved_at", "-id")[:1]
    ),
    int,
    datetime,
)


# --- open ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opening:
    """Everything :func:`open_ticket` decides before it writes: checked input, priority,
    group and owner. Deciding reads only, so the intake can do it before its transaction."""

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
    group: Group | None
    owner: Any
    owner_reason: str
    basis: tuple  # what the decisions rested on: see still_holds

    def still_holds(self, requester: Contact, asset: Asset | None, *, created: bool) -> bool:
        """Whether the requester and asset found inside the transaction are the ones the
        decisions rested on: the same contact (or a new one, if planned for a new one), with
        the same organization and language, and the same asset model (priority rules read
        it)."""
        return self.basis == _basis(requester, asset, planned_new=created)


def _basis(requester: Contact, asset: Asset | None, *, planned_new: bool = False) -> tuple:
    return (
        None if planned_new else requester.pk,
        requester.organization_id,
        requester.language,
        asset.model_number if asset is not None else "",
    )


def plan_opening(
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
) -> Opening:
    """Check the input and decide priority, group and owner for a new ticket (see
    :func:`open_ticket`); reads, never writes."""
    subject = _check_text(subject, "subject", 255, required=True)
    _check_choice(channel, Channel, "channel")
    _check_choice(ticket_type, TicketType, "type")
    category = _check_text(category, "category", 100)
    if language:
        _check_choice(language, Language, "language")
    tag_names = normalise_tags(tags)
    fields = validate_custom_fields(custom_fields or {}, current=None)
    if requester.merged_into_id:
        requester = requester.merged_into
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
    if group is None:
        group = _default_group()
    if owner is not None:
        owner, reason = _require_agent(owner), "chosen"
    else:
        owner, reason = choose_owner(requester, has_tickets=not new_requester)
    return Opening(
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
        language=language or requester.language,
        group=group,
        owner=owner,
        owner_reason=reason,
        basis=_basis(requester, asset),
    )


@transaction.atomic
def open_ticket(**fields) -> Ticket:
    """Open a ticket and give it its owner (the SPOC), its group's queue and its priority: the
    one given, else the first matching priority rule, else the impact × urgency matrix, else
    the scheme's default. Takes the arguments of :func:`plan_opening`; ``new_requester``: the
    requester was created for this ticket, so has no earlier ticket whose owner could be the
    SPOC."""
    with configuration.snapshot():
        return _open(plan_opening(**fields))


def _build(plan: Opening, now) -> tuple[Ticket, list[TicketEvent]]:
    """The ticket that ``plan`` describes, without its number, and its opening events: not
    saved."""
    requester, owner, group, channel = plan.requester, plan.owner, plan.group, plan.channel
    ticket = Ticket(
        subject=plan.subject,
        description=plan.description,
        status=Status.OPEN if owner is not None else Status.NEW,
        priority=plan.priority,
        priority_rank=plan.priority.rank,
        priority_source=plan.priority_source,
        impact=plan.impact,
        urgency=plan.urgency,
        type=plan.ticket_type,
        category=plan.category,
        channel=channel,
        language=plan.language,
        requester=requester,
        organization=requester.organization,
        asset=plan.asset,
        owner=owner,
        group=group,
        tier=group.tier if group else "L1",
        custom_fields=plan.custom_fields,
        created_at=now,
        updated_at=now,
    )
    opening = [
        TicketEvent(
            ticket=ticket,
            kind=Kind.CREATED,
            channel=channel,
            actor=plan.actor,
            contact=None if plan.actor else requester,
            data={
                "subject": plan.subject,
                "priority": plan.priority.code,
                "priority_source": plan.priority_source,
                "priority_rule": plan.rule_name,
                "group": group.name if group else None,
                "owner": _agent_ref(owner),
                "owner_reason": plan.owner_reason,
            },
            created_at=now,
        )
    ]
    if plan.description.strip():
        opening.append(
            TicketEvent(
                ticket=ticket,
                kind=Kind.MESSAGE_IN,
                channel=channel,
                contact=requester,
                body=plan.description,
                public=True,
                created_at=now,
            )
        )
    return ticket, opening


def _log(opening: list[TicketEvent]) -> list[tuple]:
    """The new ticket's log so far, for the SLA clocks: they need not read back what was
    just written."""
    return [(event.kind, event.created_at, event.data) for event in opening]


def _open(
    plan: Opening,
    *,
    now=None,
    prepared: dict | None = None,
    built: tuple[Ticket, list[TicketEvent]] | None = None,
) -> Ticket:
    """Write the ticket that ``plan`` describes, its opening events and (through the
    ``ticket_opened`` subscribers) its SLA clocks. Inside the caller's transaction.
    ``prepared``: what the subscribers prepared before it (see :func:`events.prepare`) for a
    ticket built from the same plan at the same ``now``; ``built``: that ticket and its events,
    when they still stand as built."""
    ticket, opening = built or _build(plan, now or clock.now())
    _insert_numbered(ticket, opening)  # in this order: the opening, then the message
    if plan.tag_names:
        _set_tags(ticket, plan.tag_names)
    # What the query layer attaches to tickets it reads, so the caller can render this one.
    ticket.tag_names, ticket.collaborator_list = sorted(plan.tag_names), []
    events.publish(
        "ticket_opened",
        ticket_id=ticket.pk,
        subject=ticket,
        detail={"history": _log(opening)},
        prepared=prepared,
    )
    return ticket


def open_ticket_from_intake(
    *,
    requester: RequesterDetails,
    asset_details: dict | None = None,
    **ticket_fields,
) -> Ticket:
    """The intake of the help-desk SOP in one step: find or create the customer (one person
    across channels), record the equipment and account data as an Asset, and open the ticket.

    The reads and decisions come first, outside the transaction: on SQLite every write
    transaction holds the database's one write lock, and looking the requester up and
    deciding priority, group and owner were a third of the time a create held it. Inside,
    the decisions are kept only if the requester and asset found there are the ones they
    rested on; otherwise they are made again. Should another request add the same new
    requester in between (a unique identity refused), the intake runs again, all of it
    inside the transaction.

    The ``ticket_opened`` subscribers prepare their part before the transaction too, on the
    ticket built from the plan (the SLA clocks match a policy and compute due times).
    Configuration is read under one generation (:func:`configuration.snapshot`)."""
    with configuration.snapshot():
        return _open_from_intake(requester, asset_details, ticket_fields)


def _open_from_intake(requester: RequesterDetails, asset_details, ticket_fields) -> Ticket:
    match = match_requester(requester)
    model = (asset_details or {}).get("model_number") or ""
    planned_asset = Asset(model_number=model.strip()) if model.strip() else None
    plan = plan_opening(
        requester=match.contact or match.new_contact(),
        asset=planned_asset,
        new_requester=match.contact is None,
        **ticket_fields,
    )
    now = clock.now()
    built = _build(plan, now)
    prepared = events.prepare("ticket_opened", built[0], history=_log(built[1]))
    try:
        return _intake(requester, asset_details, ticket_fields, match, plan, now, prepared, built)
    except IntegrityError:
        return _intake(requester, asset_details, ticket_fields, None, None, None, None, None)


@transaction.atomic
def _intake(details, asset_details, ticket_fields, match, plan, now, prepared, built) -> Ticket:
    # Any failure fails the whole intake (and a refused identity retries it): no savepoint.
    contact, created = find_or_create_contact(details, match=match, savepoint=False)
    asset = find_or_create_asset(contact=contact, **asset_details) if asset_details else None
    if plan is None or not plan.still_holds(contact, asset, created=created):
        plan = plan_opening(requester=contact, asset=asset, new_requester=created, **ticket_fields)
        now = prepared = built = None
    elif plan.requester is not contact or plan.asset is not asset:
        # Found (or saved) as other instances: the same decisions, a ticket built on these.
        plan, built = replace(plan, requester=contact, asset=asset), None
    # Otherwise the ticket built before the transaction points at the contact just saved.
    return _open(plan, now=now, prepared=prepared, built=built)
