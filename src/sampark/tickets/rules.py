"""Choosing a ticket's priority by the company's criteria: ordered priority rules, and the
impact × urgency matrix. Pure reads; tickets.services applies the outcome and records it."""

from __future__ import annotations

from dataclasses import dataclass

from sampark.core.text import contains_phrase, tokens
from sampark.db import configuration

from .models import Priority, PriorityMatrixCell, PriorityRule


@dataclass(frozen=True)
class Facts:
    """What rules may test about a ticket."""

    subject: str = ""
    description: str = ""
    channel: str = ""
    category: str = ""
    organization_tier: str | None = None
    asset_model: str = ""
    custom_fields: dict | None = None
    impact: str = ""
    urgency: str = ""


@dataclass(frozen=True)
class Decision:
    priority: Priority
    source: str  # "rule" or "matrix"
    rule: PriorityRule | None = None
    impact: str = ""
    urgency: str = ""


def rule_matches(rule: PriorityRule, facts: Facts, words: list[str]) -> bool:
    if rule.organization_tiers and facts.organization_tier not in rule.organization_tiers:
        return False
    if rule.channels and facts.channel not in rule.channels:
        return False
    if rule.categories and facts.category.casefold() not in {c.casefold() for c in rule.categories}:
        return False
    if rule.asset_models and facts.asset_model.casefold() not in {
        m.casefold() for m in rule.asset_models
    }:
        return False
    fields = facts.custom_fields or {}
    if any(fields.get(key) != value for key, value in (rule.custom_fields or {}).items()):
        return False
    return not rule.keywords or any(contains_phrase(words, k) for k in rule.keywords)


@configuration.cached
def _matrix() -> dict[tuple[str, str], Priority]:
    return {
        (cell.impact, cell.urgency): cell.priority
        for cell in PriorityMatrixCell.objects.select_related("priority")
    }


@configuration.cached
def _active_rules() -> list[PriorityRule]:
    return list(PriorityRule.objects.filter(active=True).select_related("priority"))


def matrix_priority(impact: str, urgency: str) -> Priority | None:
    if not impact or not urgency:
        return None
    return _matrix().get((impact, urgency))


def decide(facts: Facts) -> Decision | None:
    """The first matching rule's outcome, else the matrix for the ticket's own impact and
    urgency, else None (the default priority stands)."""
    words = tokens(f"{facts.subject}\n{facts.description}")
    for rule in _active_rules():
        if not rule_matches(rule, facts, words):
            continue
        if rule.priority_id:
            return Decision(rule.priority, "rule", rule, rule.impact, rule.urgency)
        impact = rule.impact or facts.impact
        urgency = rule.urgency or facts.urgency
        if priority := matrix_priority(impact, urgency):
            return Decision(priority, "rule", rule, impact, urgency)
    if priority := matrix_priority(facts.impact, facts.urgency):
        return Decision(priority, "matrix", None, facts.impact, facts.urgency)
    return None
