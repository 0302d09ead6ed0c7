"""REST endpoints for escalation work items, de-escalation, escalation chains and swarming.
Every ticket they touch goes through the access layer: one outside the caller's scope answers
like a missing one (a request for help also answers the agents it asks)."""

from datetime import datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sampark.api.schema import (
    AgentRef,
    GroupRef,
    Id,
    Input,
    Limit,
    PathId,
    Text,
    agent_ref,
    group_ref,
    referenced,
    referenced_agent,
    rendered,
)
from sampark.core import clock
from sampark.core.errors import NotFound
from sampark.team.models import Group

from . import access, services
from . import escalation_queries as queries
from .api import EventOut, TicketOut, _fresh, _visible, event_out

router = Router(tags=["escalation"])


# --- schemas ------------------------------------------------------------------------------


class DeescalateIn(Input):
    reason: Text(2000, 1)
    version: Id | None = None


class EscalationAssigneeIn(Input):
    # None: the work goes back to the group as a whole.
    agent: Id | None = None


class NoteIn(Input):
    body: Text(65536, 1)


class EscalationOut(Schema):
    id: int
    ticket: int
    from_group: GroupRef | None
    to_group: GroupRef | None
    from_tier: str
    to_tier: str
    mode: str
    source: str
    reason: str
    raised_by: AgentRef | None
    assignee: AgentRef | None
    due_at: datetime | None
    warn_at: datetime | None = Field(description="Due soon from this moment on.")
    due_state: Literal["closed", "none", "overdue", "due_soon", "on_track"]
    warned_at: datetime | None = Field(description="When the sweep said it was due soon.")
    overdue_at: datetime | None = Field(description="When the sweep found it overdue.")
    opened_at: datetime
    closed_at: datetime | None
    closed_by: AgentRef | None
    close_reason: str
    thread: list[EventOut]


class ChainLinkOut(Schema):
    group: GroupRef
    escalates_to: GroupRef | None
    next_in_chain: GroupRef | None
    escalation_mode: str
    escalation_response_minutes: int


class SwarmIn(Input):
    message: Text(2000, 1)
    agents: list[Id] = Field(default_factory=list, max_length=50)
    group: Id | None = None
    skill: Text(50) = ""


class SwarmCloseIn(Input):
    summary: Text(5000, 1)


class InvitationOut(Schema):
    agent: AgentRef
    state: str
    responded_at: datetime | None


class SwarmOut(Schema):
    id: int
    ticket: int
    requested_by: AgentRef | None
    message: str
    group: GroupRef | None
    skill: str
    opened_at: datetime
    closed_at: datetime | None
    closed_by: AgentRef | None
    summary: str
    invitations: list[InvitationOut]
    thread: list[EventOut]


class TicketSummaryOut(Schema):
    id: int
    number: int
    subject: str
    priority: str
    tier: str


class SwarmRequestOut(Schema):
    swarm: int
    ticket: TicketSummaryOut
    requested_by: AgentRef | None
    message: str
    group: GroupRef | None
    skill: str
    opened_at: datetime


# --- rendering ----------------------------------------------------------------------------


def escalation_out(item) -> dict:
    return {
        "id": item.pk,
        "ticket": item.ticket_id,
        "from_group": group_ref(item.from_group),
        "to_group": group_ref(item.to_group),
        "from_tier": item.from_tier,
        "to_tier": item.to_tier,
        "mode": item.mode,
        "source": item.source,
        "reason": item.reason,
        "raised_by": agent_ref(item.raised_by),
        "assignee": agent_ref(item.assignee),
        "due_at": item.due_at,
        "warn_at": item.warn_at,
        "due_state": item.due_state(clock.now()),
        "warned_at": item.warned_at,
        "overdue_at": item.overdue_at,
        "opened_at": item.opened_at,
        "closed_at": item.closed_at,
        "closed_by": agent_ref(item.closed_by),
        "close_reason": item.close_reason,
        "thread": [event_out(note) for note in getattr(item, "thread", [])],
    }


def swarm_out(swarm) -> dict:
    return {
        "id": swarm.pk,
        "ticket": swarm.ticket_id,
        "requested_by": agent_ref(swarm.requested_by),
        "message": swarm.message,
        "group": group_ref(swarm.group),
        "skill": swarm.skill,
        "opened_at": swarm.opened_at,
        "closed_at": swarm.closed_at,
        "closed_by": agent_ref(swarm.closed_by),
        "summary": swarm.summary,
        "invitations": [
            {"agent": agent_ref(i.agent), "state": i.state, "responded_at": i.responded_at}
            for i in swarm.invitations.all()
        ],
        "thread": [event_out(note) for note in getattr(swarm, "thread", [])],
    }


def _escalation(request, escalation_id: int) -> dict:
    """The escalation as its ticket's reader sees it, or 404 like a missing one."""
    found = queries.escalation(escalation_id, request.auth)
    if found is None:
        raise NotFound(_("Escalation not found."))
    return escalation_out(found)


def _swarm(request, swarm_id: int) -> dict:
    found = queries.swarm(swarm_id, request.auth)
    if found is None:
        raise NotFound(_("Request for help not found."))
    return swarm_out(found)


# --- escalation ---------------------------------------------------------------------------


@router.post(
    "/tickets/{ticket_id}/deescalate", response=TicketOut, summary="Return to the tier below"
)
def deescalate_ticket(request, ticket_id: PathId, payload: DeescalateIn):
    """Close the ticket's latest open escalation: the ticket returns to the group and tier it
    came from, and its owner has full control again (after a hand-off, the owner it had)."""
    access.require_visible(request.auth, ticket_id)
    services.deescalate_ticket(
        ticket_id, actor=request.auth, reason=payload.reason, expected_version=payload.version
    )
    return _fresh(ticket_id)


@router.get(
    "/tickets/{ticket_id}/escalations",
    response=list[EscalationOut],
    summary="A ticket's escalations and their threads",
)
def list_escalations(request, ticket_id: PathId, open_only: bool = False):
    ticket = _visible(request, ticket_id)
    return rendered(
        [escalation_out(e) for e in queries.ticket_escalations(ticket, open_only=open_only)]
    )


@router.get(
    "/escalations", response=list[EscalationOut], summary="Open escalations to a group's tier"
)
def group_escalations(request, group: Id | None = None, limit: Limit = 100):
    """Open escalations on active tickets the caller may see, nearest due first: to ``group``,
    or to any of the caller's groups."""
    if group is not None:
        groups = [referenced(Group, group, field="group").pk]
    else:
        groups = list(
            Group.objects.filter(agents__user_id=request.auth.pk).values_list("pk", flat=True)
        )
    items = queries.open_escalations(request.auth, groups, limit=limit)
    return rendered([escalation_out(e) for e in items])


@router.post(
    "/escalations/{escalation_id}/assignee",
    response=EscalationOut,
    summary="Give an escalation's work to an agent",
)
def assign_escalation(request, escalation_id: PathId, payload: EscalationAssigneeIn):
    agent = referenced_agent(payload.agent, field="agent")
    services.assign_escalation(escalation_id, assignee=agent, actor=request.auth)
    return _escalation(request, escalation_id)


@router.post(
    "/escalations/{escalation_id}/notes",
    response={201: EventOut},
    summary="Write in an escalation's internal thread",
)
def add_escalation_note(request, escalation_id: PathId, payload: NoteIn):
    note = services.add_escalation_note(escalation_id, actor=request.auth, body=payload.body)
    return Status(201, event_out(note))


@router.get(
    "/escalation-chains",
    response=list[ChainLinkOut],
    summary="Where each group escalates to, and how",
)
def list_escalation_chains(request):
    """Every group with its next step up (the configured group, else the first of the next
    tier) and its escalation mode. Chains are set on the groups (``PATCH /groups/{id}``)."""
    groups = list(Group.objects.order_by("tier", "name"))
    by_tier = {}
    for group in groups:
        by_tier.setdefault(group.tier, group)
    links = []
    for group in groups:
        configured = next((g for g in groups if g.pk == group.escalates_to_id), None)
        following = next((g for g in groups if g.tier > group.tier), None)
        upward = configured if configured is not None and configured.tier > group.tier else None
        links.append(
            {
                "group": group_ref(group),
                "escalates_to": group_ref(configured),
                "next_in_chain": group_ref(upward or following),
                "escalation_mode": group.escalation_mode,
                "escalation_response_minutes": group.escalation_response_minutes,
            }
        )
    return rendered(links)


# --- swarming -----------------------------------------------------------------------------


@router.post(
    "/tickets/{ticket_id}/swarms", response={201: SwarmOut}, summary="Ask for help on a ticket"
)
def request_swarm(request, ticket_id: PathId, payload: SwarmIn):
    """Ask named agents, a group's members or the agents with a skill to help; the owner stays
    the owner. Only the owner or a supervisor asks (anyone, on an unowned ticket)."""
    access.require_visible(request.auth, ticket_id)
    agents = [referenced_agent(pk, field="agents") for pk in dict.fromkeys(payload.agents)]
    swarm = services.request_swarm(
        ticket_id,
        actor=request.auth,
        message=payload.message,
        agents=agents,
        group=referenced(Group, payload.group, field="group"),
        skill=payload.skill,
    )
    return Status(201, _swarm(request, swarm.pk))


@router.get(
    "/tickets/{ticket_id}/swarms", response=list[SwarmOut], summary="A ticket's requests for help"
)
def list_swarms(request, ticket_id: PathId, open_only: bool = False):
    ticket = _visible(request, ticket_id)
    return rendered([swarm_out(s) for s in queries.ticket_swarms(ticket, open_only=open_only)])


@router.get(
    "/swarm-requests", response=list[SwarmRequestOut], summary="Requests for help asking me"
)
def my_swarm_requests(request, limit: Limit = 100):
    """The open requests for help the caller was asked to and has not answered yet."""
    items = []
    for invitation in queries.swarm_requests_for(request.auth, limit=limit):
        swarm, ticket = invitation.swarm, invitation.swarm.ticket
        items.append(
            {
                "swarm": swarm.pk,
                "ticket": {
                    "id": ticket.pk,
                    "number": ticket.number,
                    "subject": ticket.subject,
                    "priority": ticket.priority.code,
                    "tier": ticket.tier,
                },
                "requested_by": agent_ref(swarm.requested_by),
                "message": swarm.message,
                "group": group_ref(swarm.group),
                "skill": swarm.skill,
                "opened_at": swarm.opened_at,
            }
        )
    return rendered(items)


@router.post("/swarms/{swarm_id}/join", response=SwarmOut, summary="Join to help")
def join_swarm(request, swarm_id: PathId):
    services.join_swarm(swarm_id, agent=request.auth)
    return _swarm(request, swarm_id)


@router.post("/swarms/{swarm_id}/decline", response=SwarmOut, summary="Decline to help")
def decline_swarm(request, swarm_id: PathId):
    services.decline_swarm(swarm_id, agent=request.auth)
    return _swarm(request, swarm_id)


@router.post(
    "/swarms/{swarm_id}/notes", response={201: EventOut}, summary="Contribute to the swarm"
)
def add_swarm_note(request, swarm_id: PathId, payload: NoteIn):
    note = services.add_swarm_note(swarm_id, actor=request.auth, body=payload.body)
    return Status(201, event_out(note))


@router.post("/swarms/{swarm_id}/close", response=SwarmOut, summary="Close with a summary")
def close_swarm(request, swarm_id: PathId, payload: SwarmCloseIn):
    services.close_swarm(swarm_id, actor=request.auth, summary=payload.summary)
    return _swarm(request, swarm_id)
