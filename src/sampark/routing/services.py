"""Writing routing rules. Every door (the API, the admin) goes through :func:`save_routing_rule`,
which checks the whole rule as it would stand after the change: a rule that could never match
a word, names an unknown field or value, or sets nothing is refused with the field to fix."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from sampark.calendars.models import BusinessCalendar
from sampark.core.errors import InvalidInput
from sampark.core.language import TextLanguage
from sampark.core.text import tokens
from sampark.customers.models import Organization
from sampark.team.models import Group
from sampark.tickets.models import Channel, FieldDefinition, Priority
from sampark.tickets.services import normalise_tags

from .models import BusinessHours, RoutingRule

FIELDS = (
    "name",
    "position",
    "active",
    "continue_matching",
    "channels",
    "languages",
    "organization_tiers",
    "asset_products",
    "asset_models",
    "categories",
    "keywords",
    "custom_fields",
    "priorities",
    "business_hours",
    "calendar",
    "group",
    "skills",
    "set_category",
    "tags",
    "priority",
    "escalate",
)
MAX_WORDS = 200


def _words(value, field: str, allowed=None, max_length: int = 100) -> list[str]:
    """A list of distinct words or phrases, each 1 to ``max_length`` characters."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(_("%(f)s must be a list of words.") % {"f": field}, field=field)
    cleaned = list(dict.fromkeys(v.strip() for v in value if v.strip()))
    if len(cleaned) > MAX_WORDS or any(len(v) > max_length for v in cleaned):
        raise InvalidInput(
            _("%(f)s: at most %(n)d entries of %(m)d characters each.")
            % {"f": field, "n": MAX_WORDS, "m": max_length},
            field=field,
        )
    if allowed is not None and (bad := [v for v in cleaned if v not in allowed]):
        raise InvalidInput(
            _("%(f)s has unknown values: %(v)s") % {"f": field, "v": ", ".join(bad)}, field=field
        )
    return cleaned


def _instance(value, model, field: str):
    if value is None or isinstance(value, model):
        return value
    raise InvalidInput(_("%(f)s is not valid.") % {"f": field}, field=field)


def clean_rule(fields: dict, rule: RoutingRule | None = None) -> dict:
    """``fields`` checked and normalised (see the module's docstring); raises InvalidInput.
    ``organizations`` (a list of Organization) may be among them."""
    allowed = {*FIELDS, "organizations"}
    if unknown := set(fields) - allowed:
        raise InvalidInput(_("Unknown rule fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    fields = dict(fields)
    if "name" in fields or rule is None:
        name = fields.get("name", "")
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput(_("A rule needs a name."), field="name")
        if len(name.strip()) > 100:
            raise InvalidInput(_("The name is longer than 100 characters."), field="name")
        fields["name"] = name.strip()
    if "position" in fields:
        position = fields["position"]
        if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < 32768:
            raise InvalidInput(
                _("The position must be a number from 0 to 32767."), field="position"
            )
    for flag in ("active", "continue_matching"):
        if flag in fields and not isinstance(fields[flag], bool):
            raise InvalidInput(_("%(f)s must be true or false.") % {"f": flag}, field=flag)
    choices = {
        "channels": Channel.values,
        "languages": TextLanguage.values,
        "organization_tiers": Organization.Tier.values,
        "asset_products": None,
        "asset_models": None,
        "categories": None,
        "keywords": None,
        "skills": None,
    }
    for name, values in choices.items():
        if name in fields:
            fields[name] = _words(fields[name], name, values)
    if "priorities" in fields:
        known = set(Priority.objects.values_list("code", flat=True))
        fields["priorities"] = _words(fields["priorities"], "priorities", known, 8)
    if unmatchable := [k for k in fields.get("keywords", ()) if not tokens(k)]:
        raise InvalidInput(
            _("The keyword “%(k)s” has no letters or digits, so it would never match.")
            % {"k": unmatchable[0][:40]},
            field="keywords",
        )
    if "custom_fields" in fields:
        values = fields["custom_fields"]
        if values is None:
            values = fields["custom_fields"] = {}
        if not isinstance(values, dict):
            raise InvalidInput(_("Custom field values must be an object."), field="custom_fields")
        known = set(FieldDefinition.objects.values_list("key", flat=True))
        if bad := sorted(set(values) - known):
            raise InvalidInput(
                _("Unknown custom field “%(key)s”.") % {"key": bad[0][:50]}, field="custom_fields"
            )
    if "business_hours" in fields:
        fields["business_hours"] = fields["business_hours"] or ""
        if fields["business_hours"] not in BusinessHours.values:
            raise InvalidInput(
                _("business_hours must be one of: inside, outside, or empty."),
                field="business_hours",
            )
    if "set_category" in fields:
        category = fields["set_category"] or ""
        if not isinstance(category, str) or len(category.strip()) > 100:
            raise InvalidInput(
                _("The category is longer than 100 characters."), field="set_category"
            )
        fields["set_category"] = category.strip()
    if "tags" in fields:
        fields["tags"] = normalise_tags(fields["tags"] or [])
    for name, model in (("group", Group), ("priority", Priority), ("calendar", BusinessCalendar)):
        if name in fields:
            fields[name] = _instance(fields[name], model, name)
    if "organizations" in fields:
        organizations = fields["organizations"] or []
        if not all(isinstance(o, Organization) for o in organizations):
            raise InvalidInput(_("organizations is not valid."), field="organizations")
        fields["organizations"] = list(organizations)
    _check_acts(fields, rule)
    return fields


def _check_acts(fields: dict, rule: RoutingRule | None) -> None:
    """A rule that sets nothing would only hide later rules: refuse it."""

    def after(name):
        if name in fields:
            return fields[name]
        return getattr(rule, name) if rule is not None else None

    actions = ("group", "skills", "set_category", "tags", "priority", "escalate")
    if not any(after(name) for name in actions):
        raise InvalidInput(
            _(
                "A rule must do something: send to a group, require skills, set a category, "
                "tags or a priority, or escalate."
            ),
            field="group",
        )


@transaction.atomic
def save_routing_rule(rule: RoutingRule | None = None, **fields) -> RoutingRule:
    """Create a routing rule, or change ``rule`` (only the fields given). The configuration
    generation moves with it, so every process routes by the new rules from its next ticket."""
    fields = clean_rule(fields, rule)
    organizations = fields.pop("organizations", None)
    if rule is None:
        rule = RoutingRule.objects.create(**fields)
    elif fields:
        for name, value in fields.items():
            setattr(rule, name, value)
        rule.save(update_fields=list(fields))
    if organizations is not None:
        rule.organizations.set(organizations)
    return rule
