"""REST endpoints for tickets: thin handlers that parse, authorise, call one service or query,
and render."""

from datetime import datetime
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from sampark.api.schema import (
    AgentRef,
    GroupRef,
    Id,
    Input,
    Limit,
    OrganizationRef,
    PathId,
    Text,
    agent_ref,
    group_ref,
    organization_ref,
    referenced,
    referenced_agent,
    rendered,
)
from sampark.core.errors import InvalidInput, NotFound
from sampark.customers.services import RequesterDetails
from sampark.db import configuration
from sampark.db.prepared import Prepared
from sampark.team.models import Group
from sampark.workflows import intake

from . import access, queries, services
from .models import Channel, Ticket, TicketEvent

router = Router(tags=["tickets"])
User = get_user_model()

ChannelName = Literal["email", "chat", "phone", "web", "messaging", "api", "agent"]
StatusName = Literal["new", "open", "pending", "on_hold", "solved", "closed"]
TypeName = Literal["question", "incident", "problem", "request", "complaint", "task"]
TagName = Text(50, 1)
LevelName = Literal["high", "medium", "low"]
# The language a ticket is written in (sampark.core.language); a contact's is only en or hi.
TicketLanguage = Literal["hi", "en", "hinglish", "mixed"]


# --- schemas ------------------------------------------------------------------------------


class RequesterIn(Input):
    name: Text(200) = ""
    email: Text(254) | None = None
    phone: Text(40) | None = None
    language: Literal["en", "hi"] | None = None


class AssetIn(Input):
    name: Text(200) = ""
    model_number: Text(100) = ""
    serial_number: Text(100) = ""
    licence: Text(100) = ""
    account_number: Text(100) = ""
    location: Text(300) = ""


class TicketCreateIn(Input):
    subject: Text(255, 1)
    description: Text(65536) = ""
    channel: ChannelName = "api"
    requester: RequesterIn
    priority: Text(8) | None = None
    type: TypeName = "question"
    category: Text(100) = ""
    group: Id | None = None
    owner: Id | None = None
    language: TicketLanguage | None = None
    tags: list[TagName] = Field(default_factory=list, max_length=20)
    custom_fields: dict[Text(50), Any] = Field(default_factory=dict, max_length=100)
    asset: AssetIn | None = None
    impact: LevelName | None = None
    urgency: LevelName | None = None


class TicketPatchIn(Input):
    version: Id
    status: StatusName | None = None
    priority: Text(8) | None = None
    priority_reason: Text(500) = ""
    owner: Id | None = None
    group: Id | None = None
    category: Text(100) | None = None
    type: TypeName | None = None
    subject: Text(255, 1) | None = None
    tags: list[TagName] | None = Field(None, max_length=20)
    custom_fields: dict[Text(50), Any] | None = Field(None, max_length=100)
    impact: LevelName | None = None
    urgency: LevelName | None = None


class ContactRef(Schema):
    id: int
    name: str
    language: str


class TicketAssetOut(Schema):
    id: int
    name: str
    model_number: str
    serial_number: str
    licence: str
    account_number: str
    location: str


class PriorityRef(Schema):
    code: str
    name: str
    name_hi: str
    rank: int


class EventOut(Schema):
    id: int
    ticket: int
    kind: str
    channel: str
    public: bool
    body: str
    data: dict
    time_spent: int | None
    actor: AgentRef | None
    contact: ContactRef | None
    created_at: datetime


class SLAClockOut(Schema):
    due: datetime | None
    met_at: datetime | None
    breached: bool
    paused: bool


class SLAOut(Schema):
    policy: str | None
    first_response_due: SLAClockOut
    next_response_due: SLAClockOut
    resolution_due: SLAClockOut
    next_update_due: SLAClockOut


class TicketOut(Schema):
    id: int
    number: int
    subject: str
    description: str
    status: str
    priority: str
    priority_detail: PriorityRef
    priority_source: str
    impact: str
    urgency: str
    type: str
    category: str
    channel: str
    language: TicketLanguage
    tier: str
    version: int
    owner: AgentRef | None
    group: GroupRef | None
    requester: ContactRef
    organization: OrganizationRef | None
    asset: TicketAssetOut | None
    tags: list[str]
    collaborators: list[AgentRef]
    custom_fields: dict
    split_from: int | None
    merged_into: int | None
    created_at: datetime
    updated_at: datetime
    first_responded_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    sla: SLAOut


class TicketDetailOut(TicketOut):
    events: list[EventOut]


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class EventPage(Schema):
    items: list[EventOut]
    next_cursor: str | None


class TimelineEventOut(EventOut):
    ticket_number: int
    ticket_subject: str
    ticket_status: str


class TimelinePage(Schema):
    items: list[TimelineEventOut]
    next_cursor: str | None


class MessageIn(Input):
    body: Text(65536, 1)
    public: bool = True
    time_spent: int | None = Field(None, ge=0, le=86400)
    version: Id | None = None


class CallIn(Input):
    direction: Literal["inbound", "outbound"]
    duration_seconds: int = Field(ge=0, le=86400)
    summary: Text(10000, 1)
    time_spent: int | None = Field(None, ge=0, le=86400)
    version: Id | None = None


class SplitIn(Input):
    event_ids: list[Id] = Field(min_length=1, max_length=200)
    subject: Text(255, 1)
    version: Id | None = None


class MergeIn(Input):
    into: Id
    version: Id | None = None


class EscalateIn(Input):
    reason: Text(2000, 1)
    # Omitted: the next group in the chain (the group's escalation group, else the next tier).
    group: Id | None = None
    version: Id | None = None


class CollaboratorIn(Input):
    agent: Id


class ListParams(Schema):
    status: list[StatusName] | None = None
    active: bool | None = None
    priority: Text(8) | None = None
    group: Id | None = None
    owner: Id | None = None
    unowned: bool = False
    requester: Id | None = None
    organization: Id | None = None
    tag: Text(50) | None = None
    channel: ChannelName | None = None
    language: list[TicketLanguage] | None = None
    order: Literal["newest", "oldest", "queue"] = "newest"
    cursor: Text(500) | None = None
    limit: Limit = 50


# --- rendering ----------------------------------------------------------------------------


def contact_ref(contact) -> dict | None:
    if contact is None:
        return None
    return {"id": contact.pk, "name": contact.name, "language": contact.language}


def event_out(event: TicketEvent) -> dict:
    return {
        "id": event.pk,
        "ticket": event.ticket_id,
        "kind": event.kind,
        "channel": event.channel,
        "public": event.public,
        "body": event.body,
        "data": event.data,
        "time_spent": event.time_spent,
        "actor": agent_ref(event.actor),
        "contact": contact_ref(event.contact),
        "created_at": event.created_at,
    }


SLA_KEYS = {
    "first_response_due": "first_response",
    "next_response_due": "next_response",
    "resolution_due": "resolution",
    "next_update_due": "next_update",
}
NO_CLOCK = {"due": None, "met_at": None, "breached": False, "paused": False}


def _moment(stored: str | None) -> datetime | None:
    return datetime.fromisoformat(stored) if stored else None


def sla_out(ticket) -> dict:
    """The ticket's SLA clocks as the API shows them: one object per target."""
    row = getattr(ticket, "sla_clock", None)
    clocks = row.clocks if row is not None else {}
    out: dict = {"policy": str(row.policy) if row is not None and row.policy_id else None}
    for key, target in SLA_KEYS.items():
        state = clocks.get(target) or NO_CLOCK
        out[key] = {
            "due": _moment(state.get("due")),
            "met_at": _moment(state.get("met_at")),
            "breached": bool(state.get("breached")),
            "paused": bool(state.get("paused")),
        }
    return out


def ticket_out(ticket) -> dict:
    asset = ticket.asset
    priority = ticket.priority
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "description": ticket.description,
        "status": ticket.status,
        "priority": priority.code,
        "priority_detail": {
            "code": priority.code,
            "name": priority.name,
            "name_hi": priority.name_hi,
            "rank": priority.rank,
        },
        "priority_source": ticket.priority_source,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "type": ticket.type,
        "category": ticket.category,
        "channel": ticket.channel,
        "language": ticket.language,
        "tier": ticket.tier,
        "version": ticket.version,
        "owner": agent_ref(ticket.owner),
        "group": group_ref(ticket.group),
        "requester": contact_ref(ticket.requester),
        "organization": organization_ref(ticket.organization),
        "asset": None
        if asset is None
        else {
            "id": asset.pk,
            "name": asset.name,
            "model_number": asset.model_number,
            "serial_number": asset.serial_number,
            "licence": asset.licence,
            "account_number": asset.account_number,
            "location": asset.location,
        },
        "tags": ticket.tag_names,
        "collaborators": [agent_ref(u) for u in ticket.collaborator_list],
        "custom_fields": ticket.custom_fields,
        "split_from": ticket.split_from_id,
        "merged_into": ticket.merged_into_id,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "first_responded_at": ticket.first_responded_at,
        "solved_at": ticket.solved_at,
        "closed_at": ticket.closed_at,
        "sla": sla_out(ticket),
    }


def _page(page: queries.Page, render):
    return rendered(
        {"items": [render(item) for item in page.items], "next_cursor": page.next_cursor}
    )


def _contact_language(language: str | None) -> str:
    """A new requester's language from the ticket's: a contact answers in ``en`` or ``hi``, and
    one who writes Hindi in any script gets Hindi."""
    if not language:
        return ""
    return "en" if language == "en" else "hi"


def _agent(agent_id: int | None, field: str):
    return referenced_agent(agent_id, field=field)


def _group(group_id: int | None, field: str = "group") -> Group | None:
    return referenced(Group, group_id, field=field)


def _fresh(ticket_id: int) -> dict:
    """The ticket as a change just left it: shown to the agent who made the change even when
    the change took it out of their scope (a hand-over, an escalation)."""
    return ticket_out(queries.get_ticket(ticket_id))


def _visible(request, ticket_id: int):
    """The ticket, ready to show, or the 404 of a missing one when it is outside the scope."""
    return queries.get_ticket(ticket_id, access.scope_of(request.auth))


# --- endpoints ----------------------------------------------------------------------------


@router.post("/tickets", response={201: TicketOut}, summary="Open a ticket")
def create_ticket(request, payload: TicketCreateIn):
    """Open a ticket from intake data. The requester is matched by email, then phone (one
    person across channels); the owner is chosen by the single-point-of-contact rules."""
    requester = payload.requester
    # No configuration was written since the token was checked: carry on with that reading.
    with configuration.snapshot(getattr(request, "configuration_reading", None)):
        ticket = intake.open_ticket_from_intake(
            requester=RequesterDetails(
                name=requester.name,
                email=requester.email or "",
                phone=requester.phone or "",
                language=requester.language or _contact_language(payload.language),
            ),
            asset_details=payload.asset.dict() if payload.asset else None,
            subject=payload.subject,
            description=payload.description,
            channel=payload.channel,
            actor=request.auth,
            priority=payload.priority,
            group=_group(payload.group),
            ticket_type=payload.type,
            category=payload.category,
            tags=payload.tags,
            custom_fields=payload.custom_fields,
            language=payload.language or "",
            owner=_agent(payload.owner, "owner"),
            impact=payload.impact or "",
            urgency=payload.urgency or "",
        )
    # Rendered from the objects the service returned: the only row it did not hand back is the
    # SLA clock, started inside the same transaction.
    prefetch_related_objects([ticket], "sla_clock__policy")
    return rendered(ticket_out(ticket), status=201)


@router.get("/tickets", response=TicketPage, summary="List tickets")
def list_tickets(request, params: Query[ListParams]):
    """Tickets matching every given filter, a page at a time. ``order=queue`` sorts by priority
    then age; follow ``next_cursor`` for the next page."""
    filters = queries.TicketFilters(
        status=params.status,
        active=params.active,
        priority=params.priority,
        group=params.group,
        owner=params.owner,
        unowned=params.unowned,
        requester=params.requester,
        organization=params.organization,
        tag=params.tag,
        channel=params.channel,
        language=params.language,
    )
    page = queries.ticket_page(
        filters,
        order=params.order,
        cursor=params.cursor,
        limit=params.limit,
        scope=access.scope_of(request.auth),
    )
    return _page(page, ticket_out)


_group_exists = Prepared(lambda pk: Group.objects.filter(pk=pk).values_list("pk")[:1], int)


@router.get("/groups/{group_id}/queue", response=TicketPage, summary="A group's queue")
def group_queue(request, group_id: PathId, cursor: Text(500) | None = None, limit: Limit = 50):
    """Active tickets of the group, most urgent priority first, then oldest first. An agent
    whose scope does not cover the group sees only the tickets they own or collaborate on."""
    scope = access.scope_of(request.auth)
    page = queries.group_queue(group_id, cursor=cursor, limit=limit, scope=scope)
    # A page with tickets on it proves the group exists; only an empty one needs the check.
    if not page.items and not _group_exists(group_id):
        raise NotFound(_("Group not found."))
    return _page(page, ticket_out)


@router.get(
    "/tickets/{ticket_id}", response=TicketDetailOut, summary="A ticket and its latest events"
)
def get_ticket(request, ticket_id: PathId, events: Limit = 50):
    ticket = _visible(request, ticket_id)
    return rendered(
        {
            **ticket_out(ticket),
            "events": [event_out(e) for e in queries.recent_events(ticket, limit=events)],
        }
    )


@router.patch("/tickets/{ticket_id}", response=TicketOut, summary="Change a ticket")
def patch_ticket(request, ticket_id: PathId, payload: TicketPatchIn):
    """Change fields of the ticket at ``version``. A stale version gets 409: reload, re-apply."""
    access.require_visible(request.auth, ticket_id)
    given = payload.dict(exclude_unset=True)
    changes: dict[str, Any] = {}
    for field in ("status", "priority", "category", "subject", "tags", "custom_fields"):
        if field in given:
            if given[field] is None:
                raise InvalidInput(_("%(field)s cannot be null.") % {"field": field}, field=field)
            changes[field] = given[field]
    for field in ("impact", "urgency"):
        if field in given:
            changes[field] = given[field] or ""
    if "type" in given:
        if given["type"] is None:
            raise InvalidInput(_("%(field)s cannot be null.") % {"field": "type"}, field="type")
        changes["ticket_type"] = given["type"]
    if "owner" in given:
        changes["owner"] = _agent(given["owner"], "owner")
    if "group" in given:
        changes["group"] = _group(given["group"])
    services.update_ticket(
        ticket_id,
        actor=request.auth,
        expected_version=payload.version,
        priority_reason=payload.priority_reason,
        **changes,
    )
    return _fresh(ticket_id)


@router.get("/tickets/{ticket_id}/events", response=EventPage, summary="A ticket's history")
def list_events(
    request,
    ticket_id: PathId,
    cursor: Text(500) | None = None,
    limit: Limit = 50,
    order: Literal["newest", "oldest"] = "newest",
):
    ticket = _visible(request, ticket_id)
    page = queries.ticket_events(ticket, cursor=cursor, limit=limit, newest_first=order == "newest")
    return _page(page, event_out)


@router.get("/tickets/{ticket_id}/messages", response=EventPage, summary="Messages and notes")
def list_messages(request, ticket_id: PathId, cursor: Text(500) | None = None, limit: Limit = 50):
    ticket = _visible(request, ticket_id)
    page = queries.ticket_events(
        ticket, kinds=TicketEvent.MESSAGE_KINDS, cursor=cursor, limit=limit, newest_first=False
    )
    return _page(page, event_out)


@router.post(
    "/tickets/{ticket_id}/messages",
    response={201: EventOut},
    summary="Reply to the customer or add an internal note",
)
def add_message(request, ticket_id: PathId, payload: MessageIn):
    """``public: true`` sends a reply to the customer (the owner's job); ``false`` is an
    internal note for the team."""
    access.require_visible(request.auth, ticket_id)
    event = services.add_message(
        ticket_id,
        body=payload.body,
        public=payload.public,
        agent=request.auth,
        channel=Channel.AGENT,
        time_spent=payload.time_spent,
        expected_version=payload.version,
    )
    return Status(201, event_out(event))


@router.get("/tickets/{ticket_id}/calls", response=EventPage, summary="Logged calls")
def list_calls(request, ticket_id: PathId, cursor: Text(500) | None = None, limit: Limit = 50):
    ticket = _visible(request, ticket_id)
    page = queries.ticket_events(
        ticket, kinds=[TicketEvent.Kind.CALL], cursor=cursor, limit=limit, newest_first=False
    )
    return _page(page, event_out)


@router.post("/tickets/{ticket_id}/calls", response={201: EventOut}, summary="Log a call")
def log_call(request, ticket_id: PathId, payload: CallIn):
    access.require_visible(request.auth, ticket_id)
    event = services.log_call(
        ticket_id,
        agent=request.auth,
        direction=payload.direction,
        duration_seconds=payload.duration_seconds,
        summary=payload.summary,
        time_spent=payload.time_spent,
        expected_version=payload.version,
    )
    return Status(201, event_out(event))


@router.post(
    "/tickets/{ticket_id}/split",
    response={201: TicketOut},
    summary="Split messages into a new ticket",
)
def split_ticket(request, ticket_id: PathId, payload: SplitIn):
    """One problem, one ticket: the chosen messages go to a new ticket linked to this one."""
    access.require_visible(request.auth, ticket_id)
    new = services.split_ticket(
        ticket_id,
        actor=request.auth,
        event_ids=payload.event_ids,
        subject=payload.subject,
        expected_version=payload.version,
    )
    return Status(201, _fresh(new.pk))


@router.post(
    "/tickets/{ticket_id}/merge", response=TicketOut, summary="Merge this ticket into another"
)
def merge_ticket(request, ticket_id: PathId, payload: MergeIn):
    """Close this ticket as a duplicate of ``into``; returns the surviving ticket. An ``into``
    outside the caller's scope is answered as one that does not exist."""
    access.require_visible(request.auth, ticket_id)
    if not access.visible(request.auth, Ticket.objects.filter(pk=payload.into)).exists():
        raise InvalidInput(_("No ticket has id %(id)s.") % {"id": payload.into}, field="into")
    target = services.merge_tickets(
        ticket_id, into_id=payload.into, actor=request.auth, expected_version=payload.version
    )
    return _fresh(target.pk)


@router.post(
    "/tickets/{ticket_id}/escalate", response=TicketOut, summary="Escalate to a higher tier"
)
def escalate_ticket(request, ticket_id: PathId, payload: EscalateIn):
    """Move the work a tier up: to ``group``, or the next group in the chain. The ticket comes
    back with ``tier`` raised and an open escalation work item for that group; in the group's
    default mode ``owner`` is unchanged (it stays the customer's contact), in hand-off mode
    the ticket waits in the group's queue with no owner."""
    access.require_visible(request.auth, ticket_id)
    services.escalate_ticket(
        ticket_id,
        actor=request.auth,
        group=_group(payload.group),
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _fresh(ticket_id)


@router.get(
    "/tickets/{ticket_id}/collaborators",
    response=list[AgentRef],
    summary="Agents swarming on the ticket",
)
def list_collaborators(request, ticket_id: PathId):
    return ticket_out(_visible(request, ticket_id))["collaborators"]


@router.post(
    "/tickets/{ticket_id}/collaborators",
    response={201: list[AgentRef]},
    summary="Pull in a collaborator",
)
def add_collaborator(request, ticket_id: PathId, payload: CollaboratorIn):
    access.require_visible(request.auth, ticket_id)
    services.add_collaborator(ticket_id, agent=_agent(payload.agent, "agent"), actor=request.auth)
    return Status(201, _fresh(ticket_id)["collaborators"])


@router.delete(
    "/tickets/{ticket_id}/collaborators/{agent_id}",
    response={204: None},
    summary="Remove a collaborator",
)
def remove_collaborator(request, ticket_id: PathId, agent_id: PathId):
    access.require_visible(request.auth, ticket_id)
    agent = User.objects.filter(pk=agent_id).first()
    if agent is None:
        raise NotFound(_("This agent is not a collaborator on the ticket."))
    services.remove_collaborator(ticket_id, agent=agent, actor=request.auth)
    return Status(204, None)


# --- the customer 360 ---------------------------------------------------------------------


@router.get(
    "/contacts/{contact_id}/timeline",
    response=TimelinePage,
    summary="Everything that happened with this customer",
)
def contact_timeline(
    request, contact_id: PathId, cursor: Text(500) | None = None, limit: Limit = 50
):
    """The customer 360: every event on every ticket the caller may see, across every channel,
    newest first."""
    contact = queries.get_contact(contact_id)
    scope = access.scope_of(request.auth)
    page = queries.contact_timeline(contact, cursor=cursor, limit=limit, scope=scope)
    items = []
    for event in page.items:
        ticket = event.ticket
        items.append(
            {
                **event_out(event),
                "ticket_number": ticket.number,
                "ticket_subject": ticket.subject,
                "ticket_status": ticket.status,
            }
        )
    return rendered({"items": items, "next_cursor": page.next_cursor})


@router.get("/contacts/{contact_id}/tickets", response=TicketPage, summary="A contact's tickets")
def contact_tickets(
    request, contact_id: PathId, cursor: Text(500) | None = None, limit: Limit = 50
):
    queries.get_contact(contact_id)
    page = queries.ticket_page(
        queries.TicketFilters(requester=contact_id),
        cursor=cursor,
        limit=limit,
        scope=access.scope_of(request.auth),
    )
    return _page(page, ticket_out)
