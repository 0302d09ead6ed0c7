"""REST endpoints for the team (agents, groups) and the help desk's configuration (priority
scheme, custom fields). Reading is open to every agent; changing configuration is for admins."""

from typing import Any, Literal

from django.contrib.auth import get_user_model
from ninja import Field, Router, Schema

from sampark.apischema import Id, PathId, Text
from sampark.errors import Forbidden, InvalidInput, NotFound
from sampark.tickets import services as ticket_services
from sampark.tickets.models import FieldDefinition, Priority

from . import services
from .models import AgentProfile, Group
from .permissions import can_configure

router = Router(tags=["team"])
config_router = Router(tags=["configuration"])
User = get_user_model()

RoleName = Literal["admin", "supervisor", "agent"]
TierName = Literal["L1", "L2", "L3"]
PresenceName = Literal["online", "away", "offline"]
LanguageCode = Literal["en", "hi"]


def _require_admin(user) -> None:
    if not can_configure(user):
        raise Forbidden("Only admins can change the help desk's configuration.")


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
    is_active: bool


class AgentIn(Schema):
    email: Text(254, 3)
    name: Text(150) = ""
    role: RoleName = "agent"
    tier: TierName = "L1"
    groups: list[Id] = Field(default_factory=list, max_length=50)
    skills: list[Text(50, 1)] = Field(default_factory=list, max_length=50)
    languages: list[LanguageCode] = Field(default_factory=lambda: ["en"], max_length=2)
    capacity: int = Field(20, ge=0, le=1000)
    password: Text(128, 10) | None = None


class AgentPatchIn(Schema):
    role: RoleName | None = None
    tier: TierName | None = None
    groups: list[Id] | None = Field(None, max_length=50)
    skills: list[Text(50, 1)] | None = Field(None, max_length=50)
    languages: list[LanguageCode] | None = Field(None, max_length=2)
    capacity: int | None = Field(None, ge=0, le=1000)
    presence: PresenceName | None = None


class GroupOut(Schema):
    id: int
    name: str
    name_hi: str
    tier: str
    description: str
    is_default: bool


class GroupIn(Schema):
    name: Text(120, 1)
    name_hi: Text(120) = ""
    tier: TierName = "L1"
    description: Text(5000) = ""
    is_default: bool = False


class GroupPatchIn(Schema):
    name: Text(120, 1) | None = None
    name_hi: Text(120) | None = None
    tier: TierName | None = None
    description: Text(5000) | None = None
    is_default: bool | None = None


class PriorityOut(Schema):
    code: str
    name: str
    name_hi: str
    description: str
    rank: int
    is_default: bool


class PriorityIn(Schema):
    code: Text(8, 1)
    name: Text(80, 1)
    name_hi: Text(80) = ""
    description: Text(2000) = ""
    rank: int = Field(ge=1, le=99)
    is_default: bool = False


class PriorityPatchIn(Schema):
    name: Text(80, 1) | None = None
    name_hi: Text(80) | None = None
    description: Text(2000) | None = None
    rank: int | None = Field(None, ge=1, le=99)
    is_default: bool | None = None


class FieldOut(Schema):
    key: str
    label: str
    label_hi: str
    kind: str
    choices: list[Any]
    required: bool
    active: bool
    max_length: int


class FieldIn(Schema):
    key: Text(50, 1)
    label: Text(100, 1)
    label_hi: Text(100) = ""
    kind: Literal["text", "number", "boolean", "choice", "date"] = "text"
    choices: list[Text(100, 1)] = Field(default_factory=list, max_length=200)
    required: bool = False
    active: bool = True
    max_length: int = Field(500, ge=1, le=10000)


class FieldPatchIn(Schema):
    label: Text(100, 1) | None = None
    label_hi: Text(100) | None = None
    choices: list[Text(100, 1)] | None = Field(None, max_length=200)
    required: bool | None = None
    active: bool | None = None
    max_length: int | None = Field(None, ge=1, le=10000)


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
        "is_active": user.is_active,
    }


def _profiles():
    return AgentProfile.objects.select_related("user").prefetch_related("groups")


def _profile(user_id: int) -> AgentProfile:
    profile = _profiles().filter(user_id=user_id).first()
    if profile is None:
        raise NotFound("Agent not found.")
    return profile


def _groups(ids: list[int]) -> list[Group]:
    groups = list(Group.objects.filter(pk__in=ids))
    missing = set(ids) - {g.pk for g in groups}
    if missing:
        raise InvalidInput(f"No group has id {min(missing)}.", field="groups")
    return groups


def _changes(payload: Schema) -> dict:
    """The fields a PATCH body actually set; null means 'leave as it is' for plain fields."""
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}


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
    _require_admin(request.auth)
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
    )
    return 201, agent_out(_profile(profile.user_id))


@router.patch("/agents/{agent_id}", response=AgentOut, summary="Change an agent")
def patch_agent(request, agent_id: PathId, payload: AgentPatchIn):
    """Admins change anything; an agent may change only their own presence."""
    changes = _changes(payload)
    own_presence_only = set(changes) <= {"presence"} and request.auth.pk == agent_id
    if not own_presence_only:
        _require_admin(request.auth)
    profile = _profile(agent_id)
    groups = _groups(changes.pop("groups")) if "groups" in changes else None
    services.update_agent(profile, groups=groups, **changes)
    return agent_out(_profile(agent_id))


# --- groups -------------------------------------------------------------------------------


def _group(group_id: int) -> Group:
    group = Group.objects.filter(pk=group_id).first()
    if group is None:
        raise NotFound("Group not found.")
    return group


@router.get("/groups", response=list[GroupOut], summary="Groups (support centres and queues)")
def list_groups(request):
    return list(Group.objects.order_by("tier", "name"))


@router.get("/groups/{group_id}", response=GroupOut, summary="A group")
def get_group(request, group_id: PathId):
    return _group(group_id)


@router.post("/groups", response={201: GroupOut}, summary="Create a group")
def create_group(request, payload: GroupIn):
    _require_admin(request.auth)
    return 201, services.save_group(**payload.dict())


@router.patch("/groups/{group_id}", response=GroupOut, summary="Change a group")
def patch_group(request, group_id: PathId, payload: GroupPatchIn):
    _require_admin(request.auth)
    return services.save_group(_group(group_id), **_changes(payload))


# --- priority scheme and custom fields ----------------------------------------------------


@config_router.get("/priorities", response=list[PriorityOut], summary="The priority scheme")
def list_priorities(request):
    return list(Priority.objects.order_by("rank"))


@config_router.post("/priorities", response={201: PriorityOut}, summary="Add a priority")
def create_priority(request, payload: PriorityIn):
    _require_admin(request.auth)
    return 201, ticket_services.save_priority(**payload.dict())


@config_router.patch("/priorities/{code}", response=PriorityOut, summary="Change a priority")
def patch_priority(request, code: Text(8, 1), payload: PriorityPatchIn):
    _require_admin(request.auth)
    priority = Priority.objects.filter(code=code).first()
    if priority is None:
        raise NotFound("Priority not found.")
    return ticket_services.save_priority(priority, **_changes(payload))


@config_router.get("/fields", response=list[FieldOut], summary="Custom ticket fields")
def list_fields(request):
    return list(FieldDefinition.objects.order_by("key"))


@config_router.post("/fields", response={201: FieldOut}, summary="Define a custom field")
def create_field(request, payload: FieldIn):
    _require_admin(request.auth)
    return 201, ticket_services.save_field_definition(**payload.dict())


@config_router.patch("/fields/{key}", response=FieldOut, summary="Change a custom field")
def patch_field(request, key: Text(50, 1), payload: FieldPatchIn):
    _require_admin(request.auth)
    definition = FieldDefinition.objects.filter(key=key).first()
    if definition is None:
        raise NotFound("Custom field not found.")
    return ticket_services.save_field_definition(definition, **_changes(payload))
