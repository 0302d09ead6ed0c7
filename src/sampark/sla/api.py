"""REST endpoints of the service-level app: SLA policies and per-ticket metrics."""

from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sampark.api.schema import Id, Input, PathId, Text, changed_fields, referenced_all
from sampark.core.errors import InvalidInput, NotFound
from sampark.team.api import require_admin
from sampark.team.models import Group
from sampark.tickets import access
from sampark.tickets.models import Priority
from sampark.tickets.queries import get_ticket

from . import metrics, services
from .models import SLAPolicy

TierName = Literal["standard", "business", "enterprise"]
ChannelName = Literal["email", "chat", "phone", "web", "messaging", "api", "agent"]

router = Router(tags=["service levels"])


class DurationOut(Schema):
    business_seconds: float | None
    calendar_seconds: float | None


class StatusTimeOut(Schema):
    business_seconds: float
    calendar_seconds: float


class MetricsOut(Schema):
    first_response: DurationOut
    resolution: DurationOut
    customer_updates: int
    customer_messages: int
    reopened: int
    time_in_status: dict[str, StatusTimeOut]
    handle_time_seconds: int
    handle_time_entries: int


@router.get("/tickets/{ticket_id}/metrics", response=MetricsOut, summary="A ticket's metrics")
def get_ticket_metrics(request, ticket_id: PathId):
    """First response, resolution, customer updates, time in each status and handle time,
    read from the event log, in business time (the group's calendar) and calendar time."""
    return metrics.ticket_metrics(get_ticket(ticket_id, access.scope_of(request.auth)))


class PolicyIn(Input):
    name: Text(100, 1)
    position: int = Field(100, ge=0, le=32767)
    active: bool = True
    priorities: list[Text(8, 1)] = Field(default_factory=list, max_length=20)
    organization_tiers: list[TierName] = Field(default_factory=list, max_length=3)
    channels: list[ChannelName] = Field(default_factory=list, max_length=7)
    groups: list[Id] = Field(default_factory=list, max_length=100)
    first_response_minutes: int | None = Field(None, ge=1, le=525600)
    next_response_minutes: int | None = Field(None, ge=1, le=525600)
    resolution_minutes: int | None = Field(None, ge=1, le=525600)
    update_interval_minutes: int | None = Field(None, ge=1, le=525600)
    first_response_business: bool = True
    next_response_business: bool = True
    resolution_business: bool = True
    update_business: bool = True
    pause_when_pending: bool = True
    pause_when_on_hold: bool = True
    warn_fraction: float = Field(0.75, gt=0, lt=1)
    notify_on_breach: bool = True
    raise_priority_on_breach: bool = False
    escalate_on_breach: bool = False


class PolicyPatchIn(Input):
    name: Text(100, 1) | None = None
    position: int | None = Field(None, ge=0, le=32767)
    active: bool | None = None
    priorities: list[Text(8, 1)] | None = Field(None, max_length=20)
    organization_tiers: list[TierName] | None = Field(None, max_length=3)
    channels: list[ChannelName] | None = Field(None, max_length=7)
    groups: list[Id] | None = Field(None, max_length=100)
    first_response_minutes: int | None = Field(None, ge=1, le=525600)
    next_response_minutes: int | None = Field(None, ge=1, le=525600)
    resolution_minutes: int | None = Field(None, ge=1, le=525600)
    update_interval_minutes: int | None = Field(None, ge=1, le=525600)
    first_response_business: bool | None = None
    next_response_business: bool | None = None
    resolution_business: bool | None = None
    update_business: bool | None = None
    pause_when_pending: bool | None = None
    pause_when_on_hold: bool | None = None
    warn_fraction: float | None = Field(None, gt=0, lt=1)
    notify_on_breach: bool | None = None
    raise_priority_on_breach: bool | None = None
    escalate_on_breach: bool | None = None


class PolicyOut(PolicyIn):
    id: int


def policy_out(policy: SLAPolicy) -> dict:
    data = {name: getattr(policy, name) for name in PolicyIn.model_fields}
    data["id"] = policy.pk
    data["priorities"] = [p.code for p in policy.priorities.all()]
    data["groups"] = [g.pk for g in policy.groups.all()]
    return data


def _priorities(codes: list[str]) -> list[Priority]:
    found = list(Priority.objects.filter(code__in=codes))
    if missing := set(codes) - {p.code for p in found}:
        raise InvalidInput(
            _("Unknown priority “%(code)s”.") % {"code": sorted(missing)[0][:20]},
            field="priorities",
        )
    return found


def _groups(ids: list[int]) -> list[Group]:
    return referenced_all(Group, ids, field="groups")


def _policy(policy_id: int) -> SLAPolicy:
    policy = SLAPolicy.objects.prefetch_related("priorities", "groups").filter(pk=policy_id).first()
    if policy is None:
        raise NotFound(_("SLA policy not found."))
    return policy


@router.get("/sla-policies", response=list[PolicyOut], summary="SLA policies, in order")
def list_sla_policies(request):
    return [policy_out(p) for p in SLAPolicy.objects.prefetch_related("priorities", "groups")]


@router.post("/sla-policies", response={201: PolicyOut}, summary="Add an SLA policy")
def create_sla_policy(request, payload: PolicyIn):
    require_admin(request.auth)
    fields = payload.dict()
    priorities = _priorities(fields.pop("priorities"))
    groups = _groups(fields.pop("groups"))
    policy = services.save_policy(priorities=priorities, groups=groups, **fields)
    return Status(201, policy_out(_policy(policy.pk)))


@router.patch("/sla-policies/{policy_id}", response=PolicyOut, summary="Change an SLA policy")
def patch_sla_policy(request, policy_id: PathId, payload: PolicyPatchIn):
    """Active tickets' clocks are recomputed in the background after the change."""
    require_admin(request.auth)
    fields = changed_fields(payload)
    priorities = _priorities(fields.pop("priorities")) if "priorities" in fields else None
    groups = _groups(fields.pop("groups")) if "groups" in fields else None
    services.save_policy(_policy(policy_id), priorities=priorities, groups=groups, **fields)
    return policy_out(_policy(policy_id))
