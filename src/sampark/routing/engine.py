"""Deciding where a new ticket goes: the active routing rules, compiled once per configuration
generation (:func:`sampark.db.configuration.cached`) into plain sets and tuples, and matched in
memory. Routing a ticket costs no query of its own, however many rules there are.

A decision says what each matching rule set and which of the ticket's facts made it match, so
"why did this ticket go here?" is answered from the record alone (:meth:`Decision.record`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sampark.calendars.hours import Schedule
from sampark.calendars.services import default_calendar, schedule_of
from sampark.core import clock
from sampark.core.text import normalise, tokens
from sampark.db import configuration
from sampark.tickets.models import tag_name

from .models import BusinessHours, RoutingRule

# What a decision can set, in the order a record lists them.
ACTIONS = ("group", "skills", "category", "tags", "priority", "escalate")


@dataclass(frozen=True)
class Facts:
    """What routing rules may test about a new ticket."""

    subject: str = ""
    description: str = ""
    channel: str = ""
    language: str = ""
    organization_id: int | None = None
    organization_tier: str | None = None
    asset_product: str = ""
    asset_model: str = ""
    category: str = ""
    custom_fields: dict | None = None
    priority: str = ""  # the priority's code, as decided before routing
    at: datetime | None = None  # when it came in (business hours); None: now


@dataclass(frozen=True)
class Match:
    """One rule that matched: what made it match (``reasons``, pairs of condition kind and the
    value that held) and which actions it set."""

    rule_id: int | None
    rule_name: str
    reasons: tuple[tuple[str, str], ...]
    applied: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    """Where the ticket goes. Unset parts (None, empty) leave the intake's own choice."""

    group: object | None = None
    skills: tuple[str, ...] = ()
    category: str = ""
    tags: tuple[str, ...] = ()
    priority: object | None = None
    escalate: bool = False  # escalate at once to the next tier of the ticket's group
    matches: tuple[Match, ...] = ()

    @property
    def rule(self) -> Match | None:
        """The first matching rule: the one that made the decision."""
        return self.matches[0] if self.matches else None

    @property
    def reasons(self) -> tuple[tuple[str, str], ...]:
        return tuple(reason for match in self.matches for reason in match.reasons)

    def record(self) -> dict:
        """The decision as the ticket's opening event keeps it (JSON)."""
        return {
            "rule": self.rule.rule_id if self.rule else None,
            "rule_name": self.rule.rule_name if self.rule else None,
            "matches": [
                {
                    "rule": m.rule_id,
                    "name": m.rule_name,
                    "reasons": [list(r) for r in m.reasons],
                    "applied": list(m.applied),
                }
                for m in self.matches
            ],
            "group": self.group.name if self.group is not None else None,
            "skills": list(self.skills),
            "category": self.category,
            "tags": list(self.tags),
            "priority": self.priority.code if self.priority is not None else None,
            "escalate": self.escalate,
        }


NO_DECISION = Decision()


def _fold(value: str) -> str:
    return normalise(value).strip() if value else ""


class _Seen:
    """A ticket's facts as matching reads them, worked out once per decision: the words of its
    subject and description in order (for phrases) and as a set (a one-word keyword is one
    lookup), and its category, product and model case-folded."""

    __slots__ = (
        "words",
        "vocabulary",
        "category",
        "asset_product",
        "asset_model",
        "_at",
        "_places",
    )

    def __init__(self, facts: Facts):
        self.words = tokens(f"{facts.subject}\n{facts.description}")
        self.vocabulary = frozenset(self.words)
        self.category = _fold(facts.category)
        self.asset_product = _fold(facts.asset_product)
        self.asset_model = _fold(facts.asset_model)
        self._at = facts.at
        self._places = None

    @property
    def at(self) -> datetime:
        if self._at is None:
            self._at = clock.now()
        return self._at

    def has(self, keyword: tuple[str, ...]) -> bool:
        first = keyword[0]
        if first not in self.vocabulary:
            return False
        width = len(keyword)
        if width == 1:
            return True
        if self._places is None:
            places: dict[str, list[int]] = {}
            for i, word in enumerate(self.words):
                places.setdefault(word, []).append(i)
            self._places = places
        words = self.words
        return any(tuple(words[i : i + width]) == keyword for i in self._places[first])


def _folded(values: Iterable[str]) -> frozenset[str]:
    return frozenset(normalise(v).strip() for v in values if v)


@dataclass(eq=False)
class CompiledRule:
    """A routing rule reduced to what matching needs; None for a condition means "any"."""

    rule_id: int | None
    name: str
    continue_matching: bool
    channels: frozenset[str] | None
    languages: frozenset[str] | None
    organizations: dict[int, str] | None  # id -> name (for the reason)
    organization_tiers: frozenset[str] | None
    asset_products: frozenset[str] | None
    asset_models: frozenset[str] | None
    categories: frozenset[str] | None
    keywords: tuple[tuple[str, ...], ...]
    keyword_text: tuple[str, ...]
    custom_fields: tuple[tuple[str, object], ...]
    priorities: frozenset[str] | None
    business_hours: str
    schedule: Schedule | None
    group: object | None
    skills: tuple[str, ...]
    category: str
    tags: tuple[str, ...]
    priority: object | None
    escalate: bool
    # Conditions cheapest first; keywords (the text) last.
    _checks: tuple = field(default=(), repr=False)

    @classmethod
    def of(cls, rule: RoutingRule, organizations: dict[int, str], schedule: Schedule | None):
        def option(values):
            return frozenset(values) if values else None

        def folded(values):
            return _folded(values) if values else None

        keywords = [(tuple(tokens(k)), k) for k in rule.keywords or ()]
        keywords = [(needle, k) for needle, k in keywords if needle]
        return cls(
            rule_id=rule.pk,
            name=rule.name,
            continue_matching=rule.continue_matching,
            channels=option(rule.channels),
            languages=option(rule.languages),
            organizations=organizations or None,
            organization_tiers=option(rule.organization_tiers),
            asset_products=folded(rule.asset_products),
            asset_models=folded(rule.asset_models),
            categories=folded(rule.categories),
            keywords=tuple(needle for needle, _k in keywords),
            keyword_text=tuple(k for _needle, k in keywords),
            custom_fields=tuple(sorted((rule.custom_fields or {}).items())),
            priorities=option(rule.priorities),
            business_hours=rule.business_hours,
            schedule=schedule,
            group=rule.group if rule.group_id else None,
            skills=tuple(dict.fromkeys(s.strip() for s in rule.skills or () if s.strip())),
            category=rule.set_category.strip(),
            tags=tuple(dict.fromkeys(tag_name(t) for t in rule.tags or () if t.strip())),
            priority=rule.priority if rule.priority_id else None,
            escalate=rule.escalate,
        )

    def match(self, facts: Facts, seen: _Seen | None = None) -> tuple[tuple[str, str], ...] | None:
        """Why this rule holds for ``facts`` (the values that met each condition), or None."""
        reasons: list[tuple[str, str]] = []
        if self.channels is not None:
            if facts.channel not in self.channels:
                return None
            reasons.append(("channel", facts.channel))
        if self.languages is not None:
            if facts.language not in self.languages:
                return None
            reasons.append(("language", facts.language))
        if self.priorities is not None:
            if facts.priority not in self.priorities:
                return None
            reasons.append(("priority", facts.priority))
        if self.organization_tiers is not None:
            if facts.organization_tier not in self.organization_tiers:
                return None
            reasons.append(("organization_tier", facts.organization_tier))
        if self.organizations is not None:
            name = self.organizations.get(facts.organization_id)
            if name is None:
                return None
            reasons.append(("organization", name))
        seen = seen or _Seen(facts)
        for values, folded, given, kind in (
            (self.categories, seen.category, facts.category, "category"),
            (self.asset_products, seen.asset_product, facts.asset_product, "asset_product"),
            (self.asset_models, seen.asset_model, facts.asset_model, "asset_model"),
        ):
            if values is not None:
                if folded not in values:
                    return None
                reasons.append((kind, given))
        if self.custom_fields:
            given = facts.custom_fields or {}
            for key, value in self.custom_fields:
                if given.get(key) != value:
                    return None
                reasons.append(("custom_field", f"{key} = {value}"))
        if self.business_hours:
            inside = self.schedule is None or self.schedule.is_open(seen.at)
            if inside != (self.business_hours == BusinessHours.INSIDE):
                return None
            reasons.append(("business_hours", self.business_hours))
        if self.keywords:
            for needle, written in zip(self.keywords, self.keyword_text, strict=True):
                if seen.has(needle):
                    reasons.append(("keyword", written))
                    break
            else:
                return None
        return tuple(reasons)


class RuleSet:
    """Compiled rules in order, with an index that narrows a ticket to its candidate rules
    before any rule is checked one by one.

    For each condition kind that tests one value (channel, language, priority, organization,
    tier, category, product, model) the index maps a value to the bit set of rules that accept
    it (rules without that condition accept every value); keywords map each keyword's first
    word to the rules that hold it. A ticket's candidates are the AND of its values' sets, so
    with 200 rules only the few that could match are walked. Python ints are the bit sets; bit
    ``i`` is the rule at position ``i``."""

    KINDS = (
        ("channels", lambda f, seen: f.channel),
        ("languages", lambda f, seen: f.language),
        ("priorities", lambda f, seen: f.priority),
        ("organization_tiers", lambda f, seen: f.organization_tier),
        ("organizations", lambda f, seen: f.organization_id),
        ("categories", lambda f, seen: seen.category),
        ("asset_products", lambda f, seen: seen.asset_product),
        ("asset_models", lambda f, seen: seen.asset_model),
    )

    def __init__(self, rules: Iterable[CompiledRule]):
        self.rules = tuple(rules)
        self.indexes = []
        for kind, value_of in self.KINDS:
            accept_any, by_value = 0, {}
            for i, rule in enumerate(self.rules):
                values = getattr(rule, kind)
                if values is None:
                    accept_any |= 1 << i
                    continue
                for value in values:
                    by_value[value] = by_value.get(value, 0) | 1 << i
            by_value = {value: bits | accept_any for value, bits in by_value.items()}
            self.indexes.append((value_of, by_value, accept_any))
        self.without_keywords, self.by_first_word = 0, {}
        for i, rule in enumerate(self.rules):
            if not rule.keywords:
                self.without_keywords |= 1 << i
            for needle in rule.keywords:
                self.by_first_word[needle[0]] = self.by_first_word.get(needle[0], 0) | 1 << i

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def candidates(self, facts: Facts, seen: _Seen):
        """The rules that could match ``facts``, in order."""
        bits = self.without_keywords
        by_first_word = self.by_first_word
        for word in seen.vocabulary:
            bits |= by_first_word.get(word, 0)
        for value_of, by_value, accept_any in self.indexes:
            if not bits:
                return
            bits &= by_value.get(value_of(facts, seen), accept_any)
        rules = self.rules
        while bits:
            lowest = bits & -bits
            yield rules[lowest.bit_length() - 1]
            bits ^= lowest


def compile_rules(
    rules: Iterable[RoutingRule], default_schedule: Schedule | None, organizations_of=None
):
    """``rules`` (with their organizations prefetched) as :class:`CompiledRule`, in order.
    ``organizations_of(rule)``: the organizations a rule names, when not its stored ones (a
    draft being previewed)."""
    compiled = []
    for rule in rules:
        named = organizations_of(rule) if organizations_of else rule.organizations.all()
        organizations = {o.pk: o.name for o in named}
        schedule = default_schedule
        if rule.business_hours and rule.calendar_id:
            schedule = schedule_of(rule.calendar)
        compiled.append(CompiledRule.of(rule, organizations, schedule))
    return tuple(compiled)


def default_schedule() -> Schedule | None:
    calendar = default_calendar()
    return schedule_of(calendar) if calendar is not None else None


def rules_query():
    return RoutingRule.objects.select_related("group__calendar", "priority", "calendar")


@configuration.cached
def active_rules() -> RuleSet:
    """The active rules, compiled and indexed, in order: reloaded only when the configuration
    changes."""
    rules = rules_query().filter(active=True).prefetch_related("organizations")
    return RuleSet(compile_rules(rules, default_schedule()))


def decide(facts: Facts, rules: Iterable[CompiledRule]) -> Decision:
    """Run ``rules`` in order over ``facts``: the first match decides, later ones (while a
    matching rule says to go on) fill in only what is still unset."""
    seen = _Seen(facts)
    if isinstance(rules, RuleSet):
        rules = rules.candidates(facts, seen)
    matches: list[Match] = []
    group = priority = None
    escalate = False
    category = ""
    skills: dict[str, None] = {}
    tags: dict[str, None] = {}
    for rule in rules:
        reasons = rule.match(facts, seen)
        if reasons is None:
            continue
        applied = []
        if rule.group is not None and group is None:
            group = rule.group
            applied.append("group")
        if rule.skills:
            skills.update(dict.fromkeys(rule.skills))
            applied.append("skills")
        if rule.category and not category:
            category = rule.category
            applied.append("category")
        if rule.tags:
            tags.update(dict.fromkeys(rule.tags))
            applied.append("tags")
        if rule.priority is not None and priority is None:
            priority = rule.priority
            applied.append("priority")
        if rule.escalate and not escalate:
            escalate = True
            applied.append("escalate")
        matches.append(Match(rule.rule_id, rule.name, reasons, tuple(applied)))
        if not rule.continue_matching:
            break
    if not matches:
        return NO_DECISION
    return Decision(
        group=group,
        skills=tuple(skills),
        category=category,
        tags=tuple(tags),
        priority=priority,
        escalate=escalate,
        matches=tuple(matches),
    )


def route(facts: Facts) -> Decision:
    """Where a new ticket with ``facts`` goes, by the active routing rules."""
    return decide(facts, active_rules())
