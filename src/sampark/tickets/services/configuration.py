"""What administrators configure for tickets: the priority scheme (and reading it), custom field
definitions, priority rules, the impact x urgency matrix, and tags (added ahead, renamed)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from sampark.core.errors import (
    Conflict,
    InvalidInput,
)
from sampark.db import configuration

from ..models import (
    Channel,
    FieldDefinition,
    Level,
    Priority,
    PriorityMatrixCell,
    PriorityRule,
    Tag,
    Ticket,
    TicketEvent,
)
from ._steps import _check_choice, _check_text, normalise_tags

Kind = TicketEvent.Kind


@configuration.cached
def _priorities() -> tuple[dict[str, Priority], Priority | None]:
    """Every priority by code, and the one a ticket gets when nothing decides otherwise (the
    one marked default, else the least urgent)."""
    scheme = list(Priority.objects.all())
    default = next((p for p in scheme if p.is_default), scheme[-1] if scheme else None)
    return {p.code: p for p in scheme}, default


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


# --- tags ---------------------------------------------------------------------------------


def _unused_tag_name(name: str, tag: Tag | None = None) -> str:
    name = normalise_tags([name])[0]
    others = Tag.objects.exclude(pk=tag.pk) if tag is not None else Tag.objects.all()
    if others.filter(name=name).exists():
        raise Conflict(_("A tag with this name already exists."), field="name")
    return name


@transaction.atomic
def add_tag(name: str) -> Tag:
    """A tag made ahead of use (agents also make tags as they tag tickets)."""
    return Tag.objects.create(name=_unused_tag_name(name))


@transaction.atomic
def rename_tag(tag: Tag, name: str) -> Tag:
    """Give a tag a new name. Tickets hold their tags by id, so every ticket tagged with it
    shows the new name at once; their timelines keep the name they were tagged with."""
    tag.name = _unused_tag_name(name, tag)
    tag.save(update_fields=["name"])
    return tag
