"""REST endpoints for routing rules: admins list, add, change and preview them (which recent
tickets a rule, saved or a draft, would have matched). Rules are deactivated, never deleted.

The preview holds ticket data, so it reads tickets through the access layer like every other
ticket read."""

from datetime import datetime
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sampark.api.schema import Id, Input, PathId, Text, changed_fields, referenced, referenced_all
from sampark.calendars.models import BusinessCalendar
from sampark.core.errors import InvalidInput, NotFound
from sampark.customers.models import Organization
from sampark.team.api import require_admin
from sampark.team.models import Group
from sampark.tickets.models import Priority

from . import queries, services
from .models import RoutingRule

router = Router(tags=["routing"])

ChannelName = Literal["email", "chat", "phone", "web", "messaging", "api", "agent"]
LanguageName = Literal["hi", "en", "hinglish", "mixed"]
TierName = Literal["standard", "business", "enterprise"]
Words = list[Text(100, 1)]
# Actions that may be cleared with an explicit null in a PATCH.
NULLABLE = ("group", "priority", "calendar")


class RuleIn(Input):
    name: Text(100, 1)
    position: int = Field(100, ge=0, le=32767)
    active: bool = True
    continue_matching: bool = False
    channels: list[ChannelName] = Field(default_factory=list, max_length=7)
    languages: list[LanguageName] = Field(default_factory=list, max_length=4)
    organizations: list[Id] = Field(default_factory=list, max_length=200)
    organization_tiers: list[TierName] = Field(default_factory=list, max_length=3)
    asset_products: Words = Field(default_factory=list, max_length=200)
    asset_models: Words = Field(default_factory=list, max_length=200)
    categories: Words = Field(default_factory=list, max_length=200)
    keywords: Words = Field(default_factory=list, max_length=200)
    custom_fields: dict[Text(50), Any] = Field(default_factory=dict, max_length=20)
    priorities: list[Text(8, 1)] = Field(default_factory=list, max_length=20)
    business_hours: Literal["", "inside", "outside"] = ""
    calendar: Id | None = None
    group: Id | None = None
    skills: Words = Field(default_factory=list, max_length=50)
    set_category: Text(100) = ""
    tags: list[Text(50, 1)] = Field(default_factory=list, max_length=20)
    priority: Text(8, 1) | None = None
    escalate: bool = False


class RulePatchIn(Input):
    name: Text(100, 1) | None = None
    position: int | None = Field(None, ge=0, le=32767)
    active: bool | None = None
    continue_matching: bool | None = None
    channels: list[ChannelName] | None = Field(None, max_length=7)
    languages: list[LanguageName] | None = Field(None, max_length=4)
    organizations: list[Id] | None = Field(None, max_length=200)
    organization_tiers: list[TierName] | None = Field(None, max_length=3)
    asset_products: Words | None = Field(None, max_length=200)
    asset_models: Words | None = Field(None, max_length=200)
    categories: Words | None = Field(None, max_length=200)
    keywords: Words | None = Field(None, max_length=200)
    custom_fields: dict[Text(50), Any] | None = Field(None, max_length=20)
    priorities: list[Text(8, 1)] | None = Field(None, max_length=20)
    business_hours: Literal["", "inside", "outside"] | None = None
    calendar: Id | None = None
    group: Id | None = None
    skills: Words | None = Field(None, max_length=50)
    set_category: Text(100) | None = None
    tags: list[Text(50, 1)] | None = Field(None, max_length=20)
    priority: Text(8, 1) | None = None
    escalate: bool | None = None


class RuleOut(Schema):
    id: int
    name: str
    position: int
    active: bool
    continue_matching: bool
    channels: list[str]
    languages: list[str]
    organizations: list[int]
    organization_tiers: list[str]
    asset_products: list[str]
    asset_models: list[str]
    categories: list[str]
    keywords: list[str]
    custom_fields: dict
    priorities: list[str]
    business_hours: str
    calendar: int | None
    group: int | None
    skills: list[str]
    set_category: str
    tags: list[str]
    priority: str | None
    escalate: bool


class ReasonOut(Schema):
    condition: str
    value: str


class PreviewTicketOut(Schema):
    id: int
    number: int
    subject: str
    created_at: datetime
    reasons: list[ReasonOut]


class PreviewOut(Schema):
    examined: int
    matched: int
    tickets: list[PreviewTicketOut]


def rule_out(rule: RoutingRule) -> dict:
    data = {name: getattr(rule, name) for name in RuleOut.model_fields if hasattr(rule, name)}
    data.update(
        id=rule.pk,
        organizations=sorted(o.pk for o in rule.organizations.all()),
        calendar=rule.calendar_id,
        group=rule.group_id,
        priority=rule.priority.code if rule.priority_id else None,
    )
    return data


def _resolved(fields: dict) -> dict:
    """Ids and codes in a request body as the rows they name; a 422 for an unknown one."""
    if "organizations" in fields:
        fields["organizations"] = referenced_all(
            Organization, fields["organizations"], field="organizations"
        )
    if "group" in fields:
        fields["group"] = referenced(Group, fields["group"], field="group")
    if "calendar" in fields:
        fields["calendar"] = referenced(BusinessCalendar, fields["calendar"], field="calendar")
    if fields.get("priority") is not None:
        code = fields["priority"]
        fields["priority"] = Priority.objects.filter(code=code).first()
        if fields["priority"] is None:
            raise InvalidInput(
                _("Unknown priority “%(code)s”.") % {"code": code[:20]}, field="priority"
            )
    return fields


def _rule(rule_id: int) -> RoutingRule:
    rule = queries.rule_by_id(rule_id)
    if rule is None:
        raise NotFound(_("Routing rule not found."))
    return rule


def preview_out(preview: queries.Preview) -> dict:
    return {
        "examined": preview.examined,
        "matched": preview.matched,
        "tickets": [
            {
                "id": ticket.pk,
                "number": ticket.number,
                "subject": ticket.subject,
                "created_at": ticket.created_at,
                "reasons": [{"condition": kind, "value": value} for kind, value in reasons],
            }
            for ticket, reasons in preview.tickets
        ],
    }


@router.get("/routing-rules", response=list[RuleOut], summary="Routing rules, in order")
def list_routing_rules(request):
    require_admin(request.auth)
    return [rule_out(rule) for rule in queries.ordered_rules()]


@router.post("/routing-rules", response={201: RuleOut}, summary="Add a routing rule")
def create_routing_rule(request, payload: RuleIn):
    require_admin(request.auth)
    rule = services.save_routing_rule(**_resolved(payload.dict()))
    return Status(201, rule_out(_rule(rule.pk)))


@router.post("/routing-rules/preview", response=PreviewOut, summary="Preview a draft rule")
def preview_draft_routing_rule(request, payload: RuleIn):
    """Which recent tickets a rule with this body would have matched; nothing is saved."""
    require_admin(request.auth)
    fields = services.clean_rule(_resolved(payload.dict()))
    organizations = fields.pop("organizations", [])
    draft = RoutingRule(**fields)
    return preview_out(queries.preview(request.auth, queries.compile_one(draft, organizations)))


@router.get("/routing-rules/{routing_rule_id}", response=RuleOut, summary="A routing rule")
def get_routing_rule(request, routing_rule_id: PathId):
    require_admin(request.auth)
    return rule_out(_rule(routing_rule_id))


@router.patch("/routing-rules/{routing_rule_id}", response=RuleOut, summary="Change a routing rule")
def patch_routing_rule(request, routing_rule_id: PathId, payload: RulePatchIn):
    """Only the fields given change; ``group``, ``priority`` and ``calendar`` are cleared by an
    explicit null. Deactivate a rule (``active: false``) rather than delete it."""
    require_admin(request.auth)
    fields = changed_fields(payload)
    given = payload.dict(exclude_unset=True)
    fields.update({name: given[name] for name in NULLABLE if name in given})
    services.save_routing_rule(_rule(routing_rule_id), **_resolved(fields))
    return rule_out(_rule(routing_rule_id))


@router.get(
    "/routing-rules/{routing_rule_id}/preview", response=PreviewOut, summary="Preview a saved rule"
)
def preview_routing_rule(request, routing_rule_id: PathId):
    """Which recent tickets (the newest 500 the admin may see) the rule would have matched,
    active or not, with the values that met its conditions."""
    require_admin(request.auth)
    compiled = queries.compile_one(_rule(routing_rule_id))
    return preview_out(queries.preview(request.auth, compiled))
