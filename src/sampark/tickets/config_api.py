"""REST endpoints for ticket configuration: the priority scheme, custom fields, priority
rules and the impact × urgency matrix. Reading is for every agent; changes are for admins."""

from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sampark.api.schema import Input, PathId, Text, changed_fields
from sampark.core.errors import InvalidInput, NotFound
from sampark.team.api import require_admin

from . import services
from .models import FieldDefinition, Priority, PriorityMatrixCell, PriorityRule

router = Router(tags=["configuration"])
LevelName = Literal["high", "medium", "low"]


class PriorityOut(Schema):
    code: str
    name: str
    name_hi: str
    description: str
    rank: int
    is_default: bool


class PriorityIn(Input):
    code: Text(8, 1)
    name: Text(80, 1)
    name_hi: Text(80) = ""
    description: Text(2000) = ""
    rank: int = Field(ge=1, le=99)
    is_default: bool = False


class PriorityPatchIn(Input):
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


class FieldIn(Input):
    key: Text(50, 1)
    label: Text(100, 1)
    label_hi: Text(100) = ""
    kind: Literal["text", "number", "boolean", "choice", "date"] = "text"
    choices: list[Text(100, 1)] = Field(default_factory=list, max_length=200)
    required: bool = False
    active: bool = True
    max_length: int = Field(500, ge=1, le=10000)


class FieldPatchIn(Input):
    label: Text(100, 1) | None = None
    label_hi: Text(100) | None = None
    choices: list[Text(100, 1)] | None = Field(None, max_length=200)
    required: bool | None = None
    active: bool | None = None
    max_length: int | None = Field(None, ge=1, le=10000)


class RuleIn(Input):
    name: Text(100, 1)
    position: int = Field(100, ge=0, le=32767)
    active: bool = True
    organization_tiers: list[Literal["standard", "business", "enterprise"]] = Field(
        default_factory=list, max_length=3
    )
    channels: list[Literal["email", "chat", "phone", "web", "messaging", "api", "agent"]] = Field(
        default_factory=list, max_length=7
    )
    categories: list[Text(100, 1)] = Field(default_factory=list, max_length=100)
    asset_models: list[Text(100, 1)] = Field(default_factory=list, max_length=100)
    custom_fields: dict[Text(50), Any] = Field(default_factory=dict, max_length=20)
    keywords: list[Text(100, 1)] = Field(default_factory=list, max_length=200)
    priority: Text(8) | None = None
    impact: LevelName | None = None
    urgency: LevelName | None = None


class RulePatchIn(Input):
    name: Text(100, 1) | None = None
    position: int | None = Field(None, ge=0, le=32767)
    active: bool | None = None
    organization_tiers: list[Literal["standard", "business", "enterprise"]] | None = Field(
        None, max_length=3
    )
    channels: list[Literal["email", "chat", "phone", "web", "messaging", "api", "agent"]] | None = (
        Field(None, max_length=7)
    )
    categories: list[Text(100, 1)] | None = Field(None, max_length=100)
    asset_models: list[Text(100, 1)] | None = Field(None, max_length=100)
    custom_fields: dict[Text(50), Any] | None = Field(None, max_length=20)
    keywords: list[Text(100, 1)] | None = Field(None, max_length=200)
    priority: Text(8) | None = None
    impact: LevelName | None = None
    urgency: LevelName | None = None


class RuleOut(Schema):
    id: int
    name: str
    position: int
    active: bool
    organization_tiers: list[str]
    channels: list[str]
    categories: list[str]
    asset_models: list[str]
    custom_fields: dict
    keywords: list[str]
    priority: str | None
    impact: str
    urgency: str


class MatrixCellIO(Input):
    impact: LevelName
    urgency: LevelName
    priority: Text(8, 1)


def rule_out(rule: PriorityRule) -> dict:
    return {
        "id": rule.pk,
        "name": rule.name,
        "position": rule.position,
        "active": rule.active,
        "organization_tiers": rule.organization_tiers,
        "channels": rule.channels,
        "categories": rule.categories,
        "asset_models": rule.asset_models,
        "custom_fields": rule.custom_fields,
        "keywords": rule.keywords,
        "priority": rule.priority.code if rule.priority_id else None,
        "impact": rule.impact,
        "urgency": rule.urgency,
    }


def _priority(code: str | None) -> Priority | None:
    if not code:
        return None
    priority = Priority.objects.filter(code=code).first()
    if priority is None:
        raise InvalidInput(
            _("Unknown priority “%(code)s”.") % {"code": code[:20]}, field="priority"
        )
    return priority


# --- priority scheme and custom fields ----------------------------------------------------


@router.get("/priorities", response=list[PriorityOut], summary="The priority scheme")
def list_priorities(request):
    return list(Priority.objects.order_by("rank"))


@router.post("/priorities", response={201: PriorityOut}, summary="Add a priority")
def create_priority(request, payload: PriorityIn):
    require_admin(request.auth)
    return Status(201, services.save_priority(**payload.dict()))


@router.patch("/priorities/{code}", response=PriorityOut, summary="Change a priority")
def patch_priority(request, code: Text(8, 1), payload: PriorityPatchIn):
    require_admin(request.auth)
    priority = Priority.objects.filter(code=code).first()
    if priority is None:
        raise NotFound(_("Priority not found."))
    return services.save_priority(priority, **changed_fields(payload))


@router.get("/fields", response=list[FieldOut], summary="Custom ticket fields")
def list_field_definitions(request):
    return list(FieldDefinition.objects.order_by("key"))


@router.post("/fields", response={201: FieldOut}, summary="Define a custom field")
def create_field_definition(request, payload: FieldIn):
    require_admin(request.auth)
    return Status(201, services.save_field_definition(**payload.dict()))


@router.patch("/fields/{key}", response=FieldOut, summary="Change a custom field")
def patch_field_definition(request, key: Text(50, 1), payload: FieldPatchIn):
    require_admin(request.auth)
    definition = FieldDefinition.objects.filter(key=key).first()
    if definition is None:
        raise NotFound(_("Custom field not found."))
    return services.save_field_definition(definition, **changed_fields(payload))


# --- priority rules and matrix --------------------------------------------------------------


@router.get("/priority-rules", response=list[RuleOut], summary="Priority rules, in order")
def list_priority_rules(request):
    return [rule_out(r) for r in PriorityRule.objects.select_related("priority")]


@router.post("/priority-rules", response={201: RuleOut}, summary="Add a priority rule")
def create_priority_rule(request, payload: RuleIn):
    require_admin(request.auth)
    fields = payload.dict()
    fields["priority"] = _priority(fields["priority"])
    fields["impact"] = fields["impact"] or ""
    fields["urgency"] = fields["urgency"] or ""
    return Status(201, rule_out(services.save_priority_rule(**fields)))


@router.patch("/priority-rules/{rule_id}", response=RuleOut, summary="Change a priority rule")
def patch_priority_rule(request, rule_id: PathId, payload: RulePatchIn):
    require_admin(request.auth)
    rule = PriorityRule.objects.select_related("priority").filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("Priority rule not found."))
    fields = changed_fields(payload)
    if "priority" in fields:
        fields["priority"] = _priority(fields["priority"])
    return rule_out(services.save_priority_rule(rule, **fields))


@router.get("/priority-matrix", response=list[MatrixCellIO], summary="Impact × urgency")
def get_priority_matrix(request):
    return [
        {"impact": c.impact, "urgency": c.urgency, "priority": c.priority.code}
        for c in PriorityMatrixCell.objects.select_related("priority").order_by("impact", "urgency")
    ]


@router.put("/priority-matrix", response=list[MatrixCellIO], summary="Set matrix cells")
def set_priority_matrix(request, payload: list[MatrixCellIO]):
    require_admin(request.auth)
    for cell in payload:
        services.set_matrix_cell(
            impact=cell.impact, urgency=cell.urgency, priority=_priority(cell.priority)
        )
    return get_priority_matrix(request)
