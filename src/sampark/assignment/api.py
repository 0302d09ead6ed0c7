"""REST endpoints of the assignment engine: each group's strategy, agents' workload, leave,
and "Take next". Strategies are configuration (admins change them); an agent records their
own leave, supervisors and admins anyone's; "Take next" takes only a ticket in the caller's
scope."""

import datetime as dt
from typing import Literal

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sampark.api.schema import (
    AgentRef,
    Id,
    Input,
    IsoDate,
    PathId,
    Text,
    agent_ref,
    changed_fields,
    referenced_agent,
)
from sampark.core.errors import NotFound
from sampark.team.api import require_admin
from sampark.team.models import AgentProfile, Group
from sampark.tickets.api import TicketOut, ticket_out
from sampark.tickets.queries import get_ticket

from .models import Leave
from .services import intake, leave, strategy, taking

router = Router(tags=["assignment"])
User = get_user_model()
MethodName = Literal["queue", "least_loaded", "round_robin"]
LeaveState = Literal["planned", "on_leave", "returned", "cancelled"]


class StrategyOut(Schema):
    group: int
    method: str
    spoc_wait_minutes: int
    match_skills: bool
    match_language: bool


class StrategyIn(Input):
    method: MethodName | None = None
    spoc_wait_minutes: int | None = Field(None, ge=0, le=strategy.MAX_SPOC_WAIT_MINUTES)
    match_skills: bool | None = None
    match_language: bool | None = None


class WorkloadOut(Schema):
    agent: int
    presence: str
    capacity: int
    load: int
    on_leave: bool
    delegate: int | None


class LeaveOut(Schema):
    id: int
    agent: AgentRef
    delegate: AgentRef
    starts_on: dt.date
    ends_on: dt.date
    return_customers: bool
    note: str
    state: str


class LeaveIn(Input):
    agent: Id | None = None
    delegate: Id
    starts_on: IsoDate
    ends_on: IsoDate
    return_customers: bool = True
    note: Text(2000) = ""


def _group(group_id: int) -> Group:
    group = Group.objects.filter(pk=group_id).first()
    if group is None:
        raise NotFound(_("Group not found."))
    return group


def strategy_out(saved) -> dict:
    return {
        "group": saved.group_id,
        "method": saved.method,
        "spoc_wait_minutes": saved.spoc_wait_minutes,
        "match_skills": saved.match_skills,
        "match_language": saved.match_language,
    }


def leave_out(row: Leave) -> dict:
    return {
        "id": row.pk,
        "agent": agent_ref(row.agent),
        "delegate": agent_ref(row.delegate),
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
        "return_customers": row.return_customers,
        "note": row.note,
        "state": row.state,
    }


# --- strategies ---------------------------------------------------------------------------


@router.get("/groups/{group_id}/strategy", response=StrategyOut, summary="A group's strategy")
def get_strategy(request, group_id: PathId):
    """How the group's new tickets find an owner when their SPOC cannot take them."""
    return strategy_out(strategy.strategy_for(_group(group_id)))


@router.put("/groups/{group_id}/strategy", response=StrategyOut, summary="Set a group's strategy")
def put_strategy(request, group_id: PathId, payload: StrategyIn):
    require_admin(request.auth)
    group = _group(group_id)
    return strategy_out(strategy.save_strategy(group, **changed_fields(payload)))


# --- workload -----------------------------------------------------------------------------


@router.get("/agents/{agent_id}/workload", response=WorkloadOut, summary="An agent's workload")
def get_workload(request, agent_id: PathId):
    """Presence, capacity, active tickets owned (load), and leave: what assignment reads."""
    row = AgentProfile.objects.filter(user_id=agent_id).values_list("presence", "capacity").first()
    if row is None:
        raise NotFound(_("Agent not found."))
    away = intake.on_leave(agent_id)
    return {
        "agent": agent_id,
        "presence": row[0],
        "capacity": row[1],
        "load": intake.load_of([agent_id])[agent_id],
        "on_leave": away is not None,
        "delegate": away.delegate if away else None,
    }


# --- leave --------------------------------------------------------------------------------


@router.get("/leaves", response=list[LeaveOut], summary="Leave")
def list_leaves(request, agent: Id | None = None, state: LeaveState | None = None):
    """Your leave and the leave you stand in for; everyone's for supervisors and admins."""
    rows = leave.visible_leaves(request.auth).order_by("-starts_on", "-id")
    if agent is not None:
        rows = rows.filter(agent_id=agent)
    if state:
        rows = rows.filter(state=state)
    return [leave_out(row) for row in rows[:500]]


@router.post("/leaves", response={201: LeaveOut}, summary="Record leave")
def create_leave(request, payload: LeaveIn):
    """Leave of ``agent`` (yourself when omitted) with ``delegate`` standing in. A leave that
    starts today starts at once: open tickets are handed over."""
    agent = referenced_agent(payload.agent or request.auth.pk, field="agent")
    recorded = leave.record_leave(
        agent,
        delegate=referenced_agent(payload.delegate, field="delegate"),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        return_customers=payload.return_customers,
        note=payload.note,
        actor=request.auth,
    )
    return Status(201, leave_out(leave.leave_for(request.auth, recorded.pk)))


@router.get("/leaves/{leave_id}", response=LeaveOut, summary="A leave")
def get_leave(request, leave_id: PathId):
    return leave_out(leave.leave_for(request.auth, leave_id))


@router.post("/leaves/{leave_id}/end", response=LeaveOut, summary="End or cancel a leave")
def end_leave(request, leave_id: PathId):
    """A planned leave is cancelled; a running one ends today, and the tickets handed over
    come back if the leave said so."""
    found = leave.leave_for(request.auth, leave_id)
    leave.end_leave(found, actor=request.auth)
    return leave_out(leave.leave_for(request.auth, leave_id))


# --- take next ----------------------------------------------------------------------------


@router.post(
    "/tickets/take-next",
    response={200: TicketOut, 204: None},
    summary="Take the most urgent unowned ticket",
)
def take_next(request):
    """The most urgent unowned ticket of your groups (nearest SLA due, then priority) becomes
    yours; 204 when there is none; 409 when you are at capacity."""
    taken = taking.take_next(request.auth)
    if taken is None:
        return Status(204, None)
    return ticket_out(get_ticket(taken.pk))
