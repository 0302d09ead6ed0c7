"""A routing decision in words, in the reader's language: which condition held with which value
("keyword “नेटवर्क”", "outside business hours"), and what the rule set. The admin's preview and
the ticket page both say it this way."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sampark.customers.models import Organization
from sampark.tickets.models import Channel

from .models import BusinessHours, TextLanguage

CONDITIONS = {
    "channel": gettext_lazy("channel %(value)s"),
    "language": gettext_lazy("language %(value)s"),
    "priority": gettext_lazy("priority %(value)s"),
    "organization_tier": gettext_lazy("organization tier %(value)s"),
    "organization": gettext_lazy("organization %(value)s"),
    "category": gettext_lazy("category “%(value)s”"),
    "asset_product": gettext_lazy("product “%(value)s”"),
    "asset_model": gettext_lazy("model “%(value)s”"),
    "custom_field": gettext_lazy("field %(value)s"),
    "keyword": gettext_lazy("keyword “%(value)s”"),
}
ACTIONS = {
    "group": gettext_lazy("group"),
    "skills": gettext_lazy("skills"),
    "category": gettext_lazy("category"),
    "tags": gettext_lazy("tags"),
    "priority": gettext_lazy("priority"),
}
_LABELS = {
    "channel": Channel,
    "language": TextLanguage,
    "organization_tier": Organization.Tier,
}


def _label(kind: str, value: str) -> str:
    choices = _LABELS.get(kind)
    if choices is not None:
        try:
            return str(choices(value).label)
        except ValueError:
            return value
    return value


def reason_words(kind: str, value: str) -> str:
    """One condition that held, e.g. ("keyword", "printer") as “keyword “printer””."""
    if kind == "business_hours":
        try:
            return str(BusinessHours(value).label).lower()
        except ValueError:
            return value
    template = CONDITIONS.get(kind)
    if template is None:
        return f"{kind} {value}"
    return str(template) % {"value": _label(kind, value)}


def reasons_words(reasons) -> list[str]:
    """Every condition that held, in words; a rule with no conditions matches every ticket."""
    said = [reason_words(kind, value) for kind, value in reasons]
    return said or [_("every new ticket (no conditions)")]


def actions_words(applied) -> str:
    return ", ".join(str(ACTIONS.get(name, name)) for name in applied)
