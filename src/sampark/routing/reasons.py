"""A routing decision in words, in the reader's language: which condition held with which value
("keyword “नेटवर्क”", "outside business hours"), and what the rule set. The admin's preview and
the ticket page both say it this way."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sampark.core.language import TextLanguage
from sampark.customers.models import Organization
from sampark.tickets.models import Channel

from .models import BusinessHours

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
    "escalate": gettext_lazy("escalation to the next tier"),
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


OWNER_REASONS = {
    "account_manager": gettext_lazy("the organization's account manager"),
    "returning_customer": gettext_lazy("the customer's recent owner"),
    "chosen": gettext_lazy("chosen when the ticket was opened"),
    "queue": gettext_lazy("nobody yet: waiting in the group's queue"),
}


@dataclass(frozen=True)
class RuleWords:
    name: str
    reasons: list[str]
    applied: str


@dataclass(frozen=True)
class Explanation:
    """Why a ticket came where it is, from its opening event: the routing rules that matched
    (none: the intake's own choice or the default group), what the caller's choice kept, the
    skills asked for, and how the owner was chosen."""

    rules: list[RuleWords]
    group: str  # its name as recorded at opening
    skills: list[str]
    kept: str
    owner_reason: str


def explain(opening: dict | None) -> Explanation | None:
    """``opening``: the data of the ticket's opening event (None: no such event)."""
    if opening is None:
        return None
    routing = opening.get("routing") or {}
    rules = [
        RuleWords(
            name=match.get("name") or "—",
            reasons=reasons_words(match.get("reasons") or ()),
            applied=actions_words(match.get("applied") or ()),
        )
        for match in routing.get("matches") or ()
    ]
    return Explanation(
        rules=rules,
        group=opening.get("group") or "",
        skills=list(routing.get("skills") or ()),
        kept=actions_words(routing.get("kept") or ()),
        owner_reason=str(OWNER_REASONS.get(opening.get("owner_reason") or "", "")),
    )
