"""Reads for routing: the rules in order, and the preview of which recent tickets a rule (saved
or still a draft) would have matched, so an admin sees a rule's reach before it routes anything.

The preview reads the newest :data:`PREVIEW_WINDOW` tickets the admin may see (through the
access layer), in one query, and matches them in memory as they looked when they came in (their
channel, language, organization, asset, category, custom fields, priority and time)."""

from __future__ import annotations

from dataclasses import dataclass

from sampark.tickets import access
from sampark.tickets.models import Ticket

from .engine import CompiledRule, Facts, compile_rules, default_schedule, rules_query
from .models import RoutingRule

PREVIEW_WINDOW = 500
PREVIEW_SHOWN = 20


def ordered_rules():
    return rules_query().prefetch_related("organizations").order_by("position", "id")


def rule_by_id(rule_id: int) -> RoutingRule | None:
    return ordered_rules().filter(pk=rule_id).first()


def facts_of(ticket: Ticket) -> Facts:
    """A stored ticket's routing facts, as at its intake (the category and priority it has
    now stand in for the ones it came with)."""
    asset = ticket.asset
    return Facts(
        subject=ticket.subject,
        description=ticket.description,
        channel=ticket.channel,
        language=ticket.language,
        organization_id=ticket.organization_id,
        organization_tier=ticket.organization.tier if ticket.organization_id else None,
        asset_product=asset.name if asset is not None else "",
        asset_model=asset.model_number if asset is not None else "",
        category=ticket.category,
        custom_fields=ticket.custom_fields,
        priority=ticket.priority.code,
        at=ticket.created_at,
    )


@dataclass(frozen=True)
class Preview:
    examined: int
    matched: int
    tickets: list[tuple[Ticket, tuple[tuple[str, str], ...]]]  # the first few, with reasons


def compile_one(rule: RoutingRule, organizations=None) -> CompiledRule:
    """``rule``, saved or a draft (then with the ``organizations`` it names), ready to match."""
    if organizations is None:
        organizations = list(rule.organizations.all()) if rule.pk else []
    [compiled] = compile_rules([rule], default_schedule(), lambda _rule: organizations)
    return compiled


def preview(user, rule: CompiledRule, *, window: int = PREVIEW_WINDOW) -> Preview:
    """Which of the newest ``window`` tickets ``user`` may see ``rule`` would have matched."""
    recent = access.visible(user, Ticket.objects.all()).select_related(
        "organization", "asset", "priority"
    )
    rows = list(recent.order_by("-id")[:window])
    found = []
    for ticket in rows:
        reasons = rule.match(facts_of(ticket))
        if reasons is not None:
            found.append((ticket, reasons))
    return Preview(examined=len(rows), matched=len(found), tickets=found[:PREVIEW_SHOWN])
