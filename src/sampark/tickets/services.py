"""Every change to a ticket goes through these functions.

Each one runs in a single transaction, checks the rules, writes the ticket's new state and
appends the TicketEvents that explain it (actor, channel, time), and publishes a domain event
that subscribers receive after commit. Field updates use optimistic locking: a caller passes
the version it read, and a stale version raises StaleVersion instead of overwriting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from sampark.core import clock, events
from sampark.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
    StaleVersion,
)
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

from . import rules
from .fields import validate_custom_fields
from .models import (
    ACTIVE_STATUSES,
    Channel,
    FieldDefinition,
    Level,
    Priority,
    PriorityMatrixCell,
    PriorityRule,
    Status,
    Tag,
    Ticket,
    TicketEvent,
    TicketType,
    tag_name,
)

User = get_user_model()
Kind = TicketEvent.Kind

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
    Status.OPEN: frozenset({Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.ON_HOLD, Status.SOLVED}),
    Status.ON_HOLD: frozenset({Status.OPEN, Status.PENDING, Status.SOLVED}),
    Status.SOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
MAX_TAGS = 20
UNSET: Any = object()


# --- small shared steps -------------------------------------------------------------------


def _require_agent(user, *, field: str = "owner"):
    if user is None or profile_of(user) is None:
        raise InvalidInput(_("Only active agents can own or work on tickets."), field=field)
    return user


def _is_supervisor(user) -> bool:
    profile = profile_of(user)
    return profile is not None and profile.is_supervisor


def _lock(ticket_id: int, expected_version: int | None = None) -> Ticket:
    """The ticket, locked for this transaction, at the version the caller read."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("priority", "requester", "owner", "group")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound(_("Ticket not found."))
    if expected_version is not None and ticket.version != expected_version:
        raise StaleVersion(ticket.version)
    return ticket


def _save(ticket: Ticket, fields: set[str] | list[str], now=None) -> None:
    ticket.version += 1
    ticket.updated_at = now or clock.now()
    ticket.save(update_fields=[*set(fields), "version", "updated_at"])


def _event(
    ticket: Ticket,
    kind: str,
    *,
    channel: str,
    actor=None,
    contact=None,
    body: str = "",
    public: bool = False,
    data: dict | None = None,
    time_spent: int | None = None,
    at=None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        contact=contact,
        channel=channel,
        body=body,
        public=public,
        data=data or {},
        time_spent=time_spent,
        created_at=at or clock.now(),
    )


def _agent_ref(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.email, "email": user.email}


# PostgreSQL's source of ticket numbers (migration 0007).
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


def resolve_priority(code: str | None) -> Priority:
    by_code, default = _priorities()
    if code:
        found = by_code.get(code)
        if found is None:
            raise InvalidInput(
                _("Unknown priority “%(code)s”.") % {"code": code[:20]}, field="priority"
            )
        return found
    if default is None:
        raise InvalidInput(_("No priorities are configured."), field="priority")
    return default


def normalise_tags(tags) -> list[str]:
    if not isinstance(tags, list | tuple):
        raise InvalidInput(_("Tags must be a list of words."), field="tags")
    clean = []
    for tag in tags:
        if not isinstance(tag, str):
            raise InvalidInput(_("Tags must be a list of words."), field="tags")
        name = tag_name(tag)
        if not name or len(name) > 50:
            raise InvalidInput(_("Each tag must be 1 to 50 characters long."), field="tags")
        if name not in clean:
            clean.append(name)
    if len(clean) > MAX_TAGS:
        raise InvalidInput(
            _("A ticket can have at most %(n)d tags.") % {"n": MAX_TAGS}, field="tags"
        )
    return clean


def _set_tags(ticket: Ticket, names: list[str]) -> None:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in names if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    ticket.tags.set([existing[n] for n in names])


def _check_choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise InvalidInput(
            _("%(field)s must be one of: %(choices)s.")
            % {"field": field, "choices": ", ".join(choices.values)},
            field=field,
        )
    return value


def _check_time_spent(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 86400:
        raise InvalidInput(_("Time spent must be 0 to 86400 seconds."), field="time_spent")
    return value


def _check_text(value: str, field: str, max_length: int, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidInput(_("%(field)s must be text.") % {"field": field}, field=field)
    value = value.strip()
    if required and not value:
        raise InvalidInput(_("%(field)s is required.") % {"field": field}, field=field)
    if len(value) > max_length:
        raise InvalidInput(
            _("%(field)s is longer than %(n)d characters.") % {"field": field, "n": max_length},
            field=field,
        )
    return value


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


# --- conversation -------------------------------------------------------------------------


def _ensure_customer_facing(ticket: Ticket, agent) -> None:
    """The owner is the one face to the customer; collaborators write internal notes."""
    if ticket.owner_id and ticket.owner_id != agent.pk and not _is_supervisor(agent):
        raise Forbidden(
            _(
                "Only the ticket's owner speaks to the customer. Add an internal note, or ask a "
                "supervisor to reassign the ticket."
            )
        )


def _take_ownership_if_unowned(ticket: Ticket, agent, changed: set[str], now) -> None:
    if ticket.owner_id is None:
        ticket.owner = agent
        changed.add("owner")
        _event(
            ticket,
            Kind.ASSIGNED,
            channel=Channel.AGENT,
            actor=agent,
            data={"from": None, "to": _agent_ref(agent), "reason": "first_reply"},
            at=now,
        )


def _to_open(
    ticket: Ticket, changed: set[str], now, *, kind: str, reason: str, channel: str, actor=None
) -> None:
    """Put the ticket back to open and record why: a STATUS event for what the conversation
    implies (a new ticket answered, a pending one replied to), a REOPENED event for a solved
    ticket coming back. SLA clocks replay both from the log."""
    previous = ticket.status
    ticket.status = Status.OPEN
    changed.add("status")
    if kind == Kind.REOPENED:
        ticket.solved_at = None
        changed.add("solved_at")
    _event(
        ticket,
        kind,
        channel=channel,
        actor=actor,
        contact=None if actor else ticket.requester,
        data={"from": previous, "to": Status.OPEN, "reason": reason},
        at=now,
    )


def _status_follows_conversation(
    ticket: Ticket, changed: set[str], now, *, reason: str, channel: str, actor=None
) -> None:
    _to_open(ticket, changed, now, kind=Kind.STATUS, reason=reason, channel=channel, actor=actor)


def _mark_responded(ticket: Ticket, agent, changed: set[str], now, channel: str) -> None:
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now
        changed.add("first_responded_at")
    if ticket.status == Status.NEW:
        _status_follows_conversation(
            ticket, changed, now, reason="first_response", channel=channel, actor=agent
        )


@transaction.atomic
def add_message(
    ticket_id: int,
    *,
    body: str,
    public: bool = True,
    agent=None,
    contact: Contact | None = None,
    channel: str = Channel.AGENT,
    time_spent: int | None = None,
    expected_version: int | None = None,
) -> TicketEvent:
    """A public message (from the customer or to them) or an internal note.

    A customer reply to a solved ticket reopens it, and one to a pending ticket puts it back
    to open. An agent's first public reply counts as the first response, and an unowned ticket
    becomes the replying agent's.
    """
    if (agent is None) == (contact is None):
        raise InvalidInput(_("A message comes from either an agent or a customer."))
    if not isinstance(body, str) or not body.strip():
        raise InvalidInput(_("The message is empty."), field="body")
    time_spent = _check_time_spent(time_spent)
    _check_choice(channel, Channel, "channel")
    ticket = _lock(ticket_id, expected_version)
    now = clock.now()
    changed: set[str] = set()
    if contact is not None:
        if ticket.status == Status.CLOSED:
            raise Conflict(_("This ticket is closed; open a follow-up ticket instead."))
        if ticket.status == Status.SOLVED:
            _reopen(ticket, changed, now, reason="customer_reply", channel=channel)
        elif ticket.status == Status.PENDING:
            _status_follows_conversation(
                ticket, changed, now, reason="customer_reply", channel=channel
            )
        event = _event(
            ticket,
            Kind.MESSAGE_IN,
            channel=channel,
            contact=contact,
            body=body,
            public=True,
            at=now,
        )
    elif public:
        _require_agent(agent, field="actor")
        if ticket.status == Status.CLOSED:
            raise Conflict(_("This ticket is closed; open a follow-up ticket instead."))
        _ensure_customer_facing(ticket, agent)
        _take_ownership_if_unowned(ticket, agent, changed, now)
        _mark_responded(ticket, agent, changed, now, channel)
        event = _event(
            ticket,
            Kind.MESSAGE_OUT,
            channel=channel,
            actor=agent,
            body=body,
            public=True,
            time_spent=time_spent,
            at=now,
        )
    else:
        _require_agent(agent, field="actor")
        event = _event(
            ticket,
            Kind.NOTE,
            channel=channel,
            actor=agent,
            body=body,
            public=False,
            time_spent=time_spent,
            at=now,
        )
    _save(ticket, changed, now)
    events.publish("ticket_message", ticket_id=ticket.pk, event_id=event.pk, kind=event.kind)
    return event


class CallDirection:
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    values = (INBOUND, OUTBOUND)


@transaction.atomic
def log_call(
    ticket_id: int,
    *,
    agent,
    direction: str,
    duration_seconds: int,
    summary: str,
    time_spent: int | None = None,
    expected_version: int | None = None,
) -> TicketEvent:
    """Record a phone call with the customer on the ticket: a customer communication."""
    _require_agent(agent, field="actor")
    if direction not in CallDirection.values:
        raise InvalidInput(_("Direction must be inbound or outbound."), field="direction")
    if not isinstance(duration_seconds, int) or not 0 <= duration_seconds <= 24 * 3600:
        raise InvalidInput(_("Duration must be 0 to 86400 seconds."), field="duration_seconds")
    summary = _check_text(summary, "summary", 10_000, required=True)
    time_spent = _check_time_spent(time_spent)
    ticket = _lock(ticket_id, expected_version)
    if ticket.status == Status.CLOSED:
        raise Conflict(_("This ticket is closed; open a follow-up ticket instead."))
    _ensure_customer_facing(ticket, agent)
    now = clock.now()
    changed: set[str] = set()
    _take_ownership_if_unowned(ticket, agent, changed, now)
    _mark_responded(ticket, agent, changed, now, Channel.PHONE)
    event = _event(
        ticket,
        Kind.CALL,
        channel=Channel.PHONE,
        actor=agent,
        contact=ticket.requester,
        body=summary,
        public=True,
        data={"direction": direction, "duration_seconds": duration_seconds},
        time_spent=time_spent if time_spent is not None else duration_seconds,
        at=now,
    )
    _save(ticket, changed, now)
    events.publish("ticket_message", ticket_id=ticket.pk, event_id=event.pk, kind=event.kind)
    return event


# --- field changes ------------------------------------------------------------------------


def _reopen(
    ticket: Ticket, changed: set[str], now, *, reason: str, channel: str, actor=None
) -> None:
    _to_open(ticket, changed, now, kind=Kind.REOPENED, reason=reason, channel=channel, actor=actor)


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
    if ticket.owner_id and ticket.owner_id != actor.pk and not _is_supervisor(actor):
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
) -> None:
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
    priority rules are applied again."""
    _require_agent(actor, field="actor")
    ticket = _lock(ticket_id, expected_version)
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
        _change_group(ticket, group, actor, changed, now)
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
# Priorities set by an agent or raised by an SLA breach stay until an agent changes them.
STICKY_PRIORITY = {"manual", "sla"}


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
    ticket = _lock(ticket_id, expected_version)
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
    ticket = _lock(ticket_id)
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
    ticket = _lock(ticket_id)
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


# --- one problem, one ticket --------------------------------------------------------------


@transaction.atomic
def split_ticket(
    ticket_id: int,
    *,
    actor,
    event_ids: list[int],
    subject: str,
    expected_version: int | None = None,
) -> Ticket:
    """Move the chosen messages into a new ticket linked to this one (one problem, one ticket).

    The messages are copied to the new ticket with their original times, and the original
    ticket's timeline records which messages went where, so neither history loses anything.
    The new ticket keeps the same requester, owner (SPOC), group and priority, and is then
    routed on its own.
    """
    _require_agent(actor, field="actor")
    subject = _check_text(subject, "subject", 255, required=True)
    wanted = list(dict.fromkeys(event_ids))
    if not wanted:
        raise InvalidInput(_("Choose at least one message to split off."), field="event_ids")
    source = _lock(ticket_id, expected_version)
    if source.status == Status.CLOSED:
        raise Conflict(_("A closed ticket cannot be split."))
    messages = list(
        source.events.filter(pk__in=wanted, kind__in=TicketEvent.MESSAGE_KINDS).order_by(
            "created_at", "id"
        )
    )
    if len(messages) != len(wanted):
        raise InvalidInput(
            _("Only messages and notes of this ticket can be split off."), field="event_ids"
        )
    now = clock.now()
    first_customer = next((m for m in messages if m.kind == Kind.MESSAGE_IN), None)
    new = Ticket(
        subject=subject,
        description=first_customer.body if first_customer else messages[0].body,
        status=Status.OPEN if source.owner_id else Status.NEW,
        priority=source.priority,
        priority_rank=source.priority_rank,
        priority_source=source.priority_source,
        impact=source.impact,
        urgency=source.urgency,
        type=source.type,
        category=source.category,
        channel=source.channel,
        language=source.language,
        requester=source.requester,
        organization=source.organization,
        asset=source.asset,
        owner=source.owner,
        group=source.group,
        tier=source.tier,
        split_from=source,
        created_at=now,
        updated_at=now,
    )
    _insert_numbered(new)
    _event(
        new,
        Kind.SPLIT_FROM,
        channel=Channel.AGENT,
        actor=actor,
        data={"ticket": source.pk, "number": source.number, "event_ids": wanted},
        at=now,
    )
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket=new,
            kind=m.kind,
            actor_id=m.actor_id,
            contact_id=m.contact_id,
            channel=m.channel,
            public=m.public,
            body=m.body,
            data={**m.data, "copied_from": {"ticket": source.pk, "event": m.pk}},
            time_spent=m.time_spent,
            created_at=m.created_at,
        )
        for m in messages
    )
    _event(
        source,
        Kind.SPLIT,
        channel=Channel.AGENT,
        actor=actor,
        data={"ticket": new.pk, "number": new.number, "event_ids": wanted},
        at=now,
    )
    _save(source, set(), now)
    events.publish("ticket_opened", ticket_id=new.pk, subject=new)
    return new


@transaction.atomic
def merge_tickets(
    source_id: int, *, into_id: int, actor, expected_version: int | None = None
) -> Ticket:
    """Close ``source`` as a duplicate of ``into``. Both timelines are kept; reading the
    surviving ticket's timeline includes the events of every ticket merged into it."""
    _require_agent(actor, field="actor")
    if source_id == into_id:
        raise InvalidInput(_("A ticket cannot be merged into itself."), field="into")
    # Lock in id order so that two opposite merges cannot deadlock.
    first, second = sorted([source_id, into_id])
    locked = {first: _lock(first), second: _lock(second)}
    source, target = locked[source_id], locked[into_id]
    if expected_version is not None and source.version != expected_version:
        raise StaleVersion(source.version)
    if source.merged_into_id or source.status == Status.CLOSED:
        raise Conflict(_("Ticket #%(n)s is already closed.") % {"n": source.number})
    if target.merged_into_id or target.status == Status.CLOSED:
        raise Conflict(_("Ticket #%(n)s is closed and cannot take a merge.") % {"n": target.number})
    now = clock.now()
    previous_status = source.status
    source.status = Status.CLOSED
    source.closed_at = now
    source.merged_into = target
    _event(
        source,
        Kind.MERGED,
        channel=Channel.AGENT,
        actor=actor,
        data={"into": target.pk, "number": target.number, "from_status": previous_status},
        at=now,
    )
    _event(
        target,
        Kind.MERGED_FROM,
        channel=Channel.AGENT,
        actor=actor,
        data={"ticket": source.pk, "number": source.number},
        at=now,
    )
    _save(source, {"status", "closed_at", "merged_into"}, now)
    target_changed: set[str] = set()
    if target.status == Status.SOLVED and previous_status in ACTIVE_STATUSES:
        _reopen(target, target_changed, now, reason="merge", channel=Channel.AGENT, actor=actor)
    _save(target, target_changed, now)
    events.publish("ticket_merged", ticket_id=source.pk, into_id=target.pk)
    return target


# --- customer records ---------------------------------------------------------------------


def transfer_requester(source: Contact, target: Contact, *, actor=None) -> list[int]:
    """Move every ticket of ``source`` to ``target`` (a contact merge); each moved ticket's
    timeline records it. Called inside customers.services.merge_contacts' transaction."""
    tickets = list(Ticket.objects.filter(requester=source).values_list("pk", flat=True))
    if not tickets:
        return []
    now = clock.now()
    Ticket.objects.filter(pk__in=tickets).update(
        requester=target, version=F("version") + 1, updated_at=now
    )
    if target.organization_id:
        # Tickets written from a personal address join the account the person belongs to.
        Ticket.objects.filter(pk__in=tickets, organization__isnull=True).update(
            organization_id=target.organization_id
        )
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=pk,
            kind=Kind.REQUESTER,
            actor=actor,
            channel=Channel.AGENT,
            data={
                "from": {"id": source.pk, "name": source.name},
                "to": {"id": target.pk, "name": target.name},
                "reason": "contact_merge",
            },
            created_at=now,
        )
        for pk in tickets
    )
    return tickets


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


# --- configuration ------------------------------------------------------------------------


@transaction.atomic
def save_priority(priority: Priority | None = None, **fields) -> Priority:
    """Create or change a level of the priority scheme. A new rank is copied onto every ticket
    at that priority so that queues keep sorting on one index; one default at most."""
    allowed = {"code", "name", "name_hi", "description", "rank", "is_default"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput(_("Unknown priority fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "code" in fields:
        fields["code"] = _check_text(fields["code"], "code", 8, required=True)
    if "name" in fields:
        fields["name"] = _check_text(fields["name"], "name", 80, required=True)
    if "rank" in fields and (not isinstance(fields["rank"], int) or not 1 <= fields["rank"] <= 99):
        raise InvalidInput(_("Rank must be a whole number from 1 to 99."), field="rank")
    others = Priority.objects.exclude(pk=priority.pk) if priority else Priority.objects.all()
    if "code" in fields and others.filter(code=fields["code"]).exists():
        raise Conflict(_("A priority with this code already exists."))
    if "rank" in fields and others.filter(rank=fields["rank"]).exists():
        raise Conflict(_("Another priority already has this rank."))
    if fields.get("is_default"):
        others.filter(is_default=True).update(is_default=False)
    if priority is None:
        return Priority.objects.create(**fields)
    rank_changed = "rank" in fields and fields["rank"] != priority.rank
    for field, value in fields.items():
        setattr(priority, field, value)
    if fields:
        priority.save(update_fields=list(fields))
    if rank_changed:
        Ticket.objects.filter(priority=priority).update(priority_rank=priority.rank)
    return priority


@transaction.atomic
def save_field_definition(definition: FieldDefinition | None = None, **fields) -> FieldDefinition:
    """Create or change a custom ticket field definition."""
    allowed = {"key", "label", "label_hi", "kind", "choices", "required", "active", "max_length"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput(_("Unknown field settings: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "kind" in fields:
        _check_choice(fields["kind"], FieldDefinition.Kind, "kind")
    kind = fields.get("kind", definition.kind if definition else FieldDefinition.Kind.TEXT)
    choices = fields.get("choices", definition.choices if definition else [])
    if kind == FieldDefinition.Kind.CHOICE and (
        not isinstance(choices, list) or not choices or not all(isinstance(c, str) for c in choices)
    ):
        raise InvalidInput(_("A choice field needs a list of text choices."), field="choices")
    if "key" in fields:
        key = _check_text(fields["key"], "key", 50, required=True)
        if not key.replace("_", "").replace("-", "").isalnum() or not key.isascii():
            raise InvalidInput(_("A key uses letters, digits, - and _ only."), field="key")
        others = FieldDefinition.objects.all()
        if definition is not None:
            others = others.exclude(pk=definition.pk)
        if others.filter(key=key).exists():
            raise Conflict(_("A custom field with this key already exists."))
        fields["key"] = key
    if "label" in fields:
        fields["label"] = _check_text(fields["label"], "label", 100, required=True)
    if definition is None:
        return FieldDefinition.objects.create(**fields)
    for field, value in fields.items():
        setattr(definition, field, value)
    if fields:
        definition.save(update_fields=list(fields))
    return definition


def _string_list(value, field: str, allowed=None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InvalidInput(_("%(f)s must be a list of words.") % {"f": field}, field=field)
    cleaned = [v.strip() for v in value]
    if allowed is not None and (bad := [v for v in cleaned if v not in allowed]):
        raise InvalidInput(
            _("%(f)s has unknown values: %(v)s") % {"f": field, "v": ", ".join(bad)}, field=field
        )
    return cleaned


@transaction.atomic
def save_priority_rule(rule: PriorityRule | None = None, **fields) -> PriorityRule:
    """Create or change a priority rule. A rule sets a priority, or an impact and/or urgency
    that the matrix turns into one."""
    from sampark.customers.models import Organization

    allowed = {
        "name",
        "position",
        "active",
        "organization_tiers",
        "channels",
        "categories",
        "asset_models",
        "custom_fields",
        "keywords",
        "priority",
        "impact",
        "urgency",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput(_("Unknown rule fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "name" in fields:
        fields["name"] = _check_text(fields["name"], "name", 100, required=True)
    lists = {
        "organization_tiers": Organization.Tier.values,
        "channels": Channel.values,
        "categories": None,
        "asset_models": None,
        "keywords": None,
    }
    for name, choices in lists.items():
        if name in fields:
            fields[name] = _string_list(fields[name], name, choices)
    if "custom_fields" in fields:
        if not isinstance(fields["custom_fields"], dict):
            raise InvalidInput(_("Custom field values must be an object."), field="custom_fields")
        known = set(FieldDefinition.objects.values_list("key", flat=True))
        if bad := sorted(set(fields["custom_fields"]) - known):
            raise InvalidInput(
                _("Unknown custom field “%(key)s”.") % {"key": bad[0]}, field="custom_fields"
            )
    for level in ("impact", "urgency"):
        if fields.get(level):
            _check_choice(fields[level], Level, level)
    merged = {
        "priority": rule.priority if rule else None,
        "impact": rule.impact if rule else "",
        "urgency": rule.urgency if rule else "",
        **{k: fields[k] for k in ("priority", "impact", "urgency") if k in fields},
    }
    if merged["priority"] is None and not (merged["impact"] or merged["urgency"]):
        raise InvalidInput(
            _("A rule must set a priority, or an impact and urgency."), field="priority"
        )
    if rule is None:
        return PriorityRule.objects.create(**fields)
    for name, value in fields.items():
        setattr(rule, name, value)
    if fields:
        rule.save(update_fields=list(fields))
    return rule


@transaction.atomic
def set_matrix_cell(*, impact: str, urgency: str, priority: Priority) -> PriorityMatrixCell:
    _check_choice(impact, Level, "impact")
    _check_choice(urgency, Level, "urgency")
    cell, _created = PriorityMatrixCell.objects.update_or_create(
        impact=impact, urgency=urgency, defaults={"priority": priority}
    )
    return cell
