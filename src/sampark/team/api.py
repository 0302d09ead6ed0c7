"""REST endpoints for the team: agents and groups. Reading is open to every agent; changing
them is for admins."""

from typing import Literal

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sampark.api.schema import (
    Id,
    Input,
    PathId,
    Text,
    changed_fields,
    referenced,
    referenced_all,
)
from sampark.core.errors import Forbidden, NotFound

from . import services
from .models import AgentProfile, Group
from .permissions import can_configure

router = Router(tags=["team"])
User = get_user_model()

RoleName = Literal["admin", "supervisor", "agent"]
TierName = Literal["L1", "L2", "L3"]
PresenceName = Literal["online", "away", "offline"]
TicketAccessName = Literal["all", "groups", "own"]
LanguageCode = Literal["en", "hi"]
EscalationModeName = Literal["keep_owner", "hand_off"]


def require_admin(user) -> None:
    if not can_configure(user):
        raise Forbidden(_("Only admins can change the help desk's configuration."))


# --- schemas ------------------------------------------------------------------------------


class AgentOut(Schema):
    id: int
    name: str
    email: str
    role: str
    tier: str
    groups: list[int]
    skills: list[str]
    languages: list[str]
    capacity: int
    presence: str
    ticket_access: str
    is_active: bool


class AgentIn(Input):
    email: Text(254, 3)
    name: Text(150) = ""
    role: RoleName = "agent"
    tier: TierName = "L1"
    groups: list[Id] = Field(default_factory=list, max_length=50)
    skills: list[Text(50, 1)] = Field(default_factory=list, max_length=50)
    languages: list[LanguageCode] = Field(default_factory=lambda: ["en"], max_length=2)
    capacity: int = Field(20, ge=0, le=1000)
    password: Text(128, 10) | None = None
    # Omitted: the role's default (all for admins and supervisors, groups for agents).
    ticket_access: TicketAccessName | None = None


class AgentPatchIn(Input):
    role: RoleName | None = None
    tier: TierName | None = None
    groups: list[Id] | None = Field(None, max_length=50)
    skills: list[Text(50, 1)] | None = Field(None, max_length=50)
    languages: list[LanguageCode] | None = Field(None, max_length=2)
    capacity: int | None = Field(None, ge=0, le=1000)
    presence: PresenceName | None = None
    ticket_access: TicketAccessName | None = None


class GroupOut(Schema):
    id: int
    name: str
    name_hi: str
    tier: str
    description: str
    is_default: bool
    escalates_to: int | None = Field(None, alias="escalates_to_id")
    escalation_mode: str
    escalation_response_minutes: int


class GroupIn(Input):
    name: Text(120, 1)
    name_hi: Text(120) = ""
    tier: TierName = "L1"
    description: Text(5000) = ""
    is_default: bool = False
    # The escalation chain: where this group's escalations go (a group of a higher tier).
    escalates_to: Id | None = None
    escalation_mode: EscalationModeName = "keep_owner"
    escalation_response_minutes: int = Field(240, ge=1, le=100000)


class GroupPatchIn(Input):
    name: Text(120, 1) | None = None
    name_hi: Text(120) | None = None
    tier: TierName | None = None
    description: Text(5000) | None = None
    is_default: bool | None = None
    # null takes the group out of a chain (its escalations go to the next tier's first group).
    escalates_to: Id | None = None
    escalation_mode: EscalationModeName | None = None
    escalation_response_minutes: int | None = Field(None, ge=1, le=100000)


# --- rendering and lookups ----------------------------------------------------------------


def agent_out(profile: AgentProfile) -> dict:
    user = profile.user
    return {
        "id": user.pk,
        "name": user.get_full_name() or user.email,
        "email": user.email,
        "role": profile.role,
        "tier": profile.tier,
        "groups": sorted(g.pk for g in profile.groups.all()),
        "skills": profile.skills,
        "languages": profile.languages,
        "capacity": profile.capacity,
        "presence": profile.presence,
        "ticket_access": profile.ticket_access,
        "is_active": user.is_active,
    }


def _profiles():
    return AgentProfile.objects.select_related("user").prefetch_related("groups")


def _profile(user_id: int) -> AgentProfile:
    profile = _profiles().filter(user_id=user_id).first()
    if profile is None:
        raise NotFound(_("Agent not found."))
    return profile


def _groups(ids: list[int]) -> list[Group]:
    return referenced_all(Group, ids, field="groups")


# --- agents -------------------------------------------------------------------------------


@router.get("/agents", response=list[AgentOut], summary="Agents")
def list_agents(
    request, email: Text(254) | None = None, group: Id | None = None, tier: TierName | None = None
):
    """All agents, or the one with ``email`` (case-insensitive)."""
    rows = _profiles().order_by("user__email")
    if email:
        rows = rows.filter(user__email__iexact=email.strip())
    if group is not None:
        rows = rows.filter(groups__id=group)
    if tier:
        rows = rows.filter(tier=tier)
    return [agent_out(p) for p in rows[:1000]]


@router.get("/agents/{agent_id}", response=AgentOut, summary="An agent")
def get_agent(request, agent_id: PathId):
    return agent_out(_profile(agent_id))


@router.post("/agents", response={201: AgentOut}, summary="Add an agent")
def create_agent(request, payload: AgentIn):
    require_admin(request.auth)
    profile = services.create_agent(
        email=payload.email,
        name=payload.name,
        password=payload.password,
        role=payload.role,
        tier=payload.tier,
        groups=_groups(payload.groups),
        skills=payload.skills,
        languages=payload.languages,
        capacity=payload.capacity,
        ticket_access=payload.ticket_access,
    )
    return Status(201, agent_out(_profile(profile.user_id)))


@router.patch("/agents/{agent_id}", response=AgentOut, summary="Change an agent")
def patch_agent(request, agent_id: PathId, payload: AgentPatchIn):
    """Admins change anything; an agent may change only their own presence."""
    changes = changed_fields(payload)
    own_presence_only = set(changes) <= {"presence"} and request.auth.pk == agent_id
    if not own_presence_only:
        require_admin(request.auth)
    profile = _profile(agent_id)
    groups = _groups(changes.pop("groups")) if "groups" in changes else None
    services.update_agent(profile, groups=groups, **changes)
    return agent_out(_profile(agent_id))


# --- groups -------------------------------------------------------------------------------


def _group(group_id: int) -> Group:
    group = Group.objects.filter(pk=group_id).first()
    if group is None:
        raise NotFound(_("Group not found."))
    return group


@router.get("/groups", response=list[GroupOut], summary="Groups (support centres and queues)")
def list_groups(request):
    return list(Group.objects.order_by("tier", "name"))


@router.get("/groups/{group_id}", response=GroupOut, summary="A group")
def get_group(request, group_id: PathId):
    return _group(group_id)


@router.post("/groups", response={201: GroupOut}, summary="Create a group")
def create_group(request, payload: GroupIn):
    require_admin(request.auth)
    fields = payload.dict()
    fields["escalates_to"] = referenced(Group, fields["escalates_to"], field="escalates_to")
    return Status(201, services.save_group(**fields))


@router.patch("/groups/{group_id}", response=GroupOut, summary="Change a group")
def patch_group(request, group_id: PathId, payload: GroupPatchIn):
    require_admin(request.auth)
    fields = changed_fields(payload)
    if "escalates_to" in payload.dict(exclude_unset=True):
        fields["escalates_to"] = referenced(Group, payload.escalates_to, field="escalates_to")
    return services.save_group(_group(group_id), **fields)
