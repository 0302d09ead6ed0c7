"""Routing and assignment decisions per second, in-process, with 200 rules and 500 agents.

    SAMPARK_HOME=/tmp/spk-route .venv/bin/python -m bench.routing_decisions [--decisions 20000]

Migrates the database ``SAMPARK_HOME`` / ``SAMPARK_DATABASE_URL`` selects (use a throwaway
one), then makes 20 groups, 500 agents (25 per group, skills and languages), 300 organizations,
and 200 active routing rules of every condition kind: channels, languages, organizations and
tiers, products and models, categories, keywords in Hindi and English (phrases too), custom
fields, priorities, business hours. The tickets routed are made so that most reach the later
rules or none (the first rule that matches stops the walk, so early matches would flatter the
figure).

Each decision is what opening a ticket decides: under one configuration snapshot (the one
generation read a create makes anyway), the routing rules over the ticket's facts, then the
owner (:func:`assign`: the assignment engine's ``choose_owner``, in a transaction of its own).
Prints decisions per second for routing alone and for routing plus assignment, wall-clock,
single process.
"""

from __future__ import annotations

import argparse
import os
import random
import time

RULES = 200
AGENTS = 500
GROUPS = 20
ORGANIZATIONS = 300
WORDS_EN = [
    "printer",
    "router",
    "modem",
    "invoice",
    "refund",
    "password",
    "login",
    "screen",
    "battery",
    "cable",
    "fibre",
]
WORDS_HI = ["प्रिंटर", "राउटर", "बिल", "पासवर्ड", "स्क्रीन", "बैटरी", "नेटवर्क", "इंटरनेट", "रिफ़ंड", "लॉगिन"]
HINGLISH = ["mera", "kaam", "nahi", "chal", "raha", "hai", "please", "jaldi", "dekho", "bhai"]
CHANNELS = ["email", "chat", "phone", "web", "messaging", "api"]
LANGUAGES = ["hi", "en", "hinglish", "mixed"]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")
    import django

    django.setup()


def _world(rng: random.Random):
    """Groups, agents, organizations, a custom field and the rules; returns the organizations."""
    from django.contrib.auth.hashers import make_password

    from sampark.customers.services import save_organization
    from sampark.routing.models import RoutingRule
    from sampark.routing.services import save_routing_rule
    from sampark.team.services import create_agent, save_group
    from sampark.tickets.models import FieldDefinition, Priority
    from sampark.tickets.services import save_field_definition

    if RoutingRule.objects.exists():
        raise SystemExit("use a fresh SAMPARK_HOME: this database already has routing rules")
    groups = [save_group(name=f"Bench group {n}") for n in range(GROUPS)]
    password = make_password(None)
    for n in range(AGENTS):
        create_agent(
            email=f"bench.agent{n}@sampark.test",
            name=f"Agent {n}",
            groups=[groups[n % GROUPS]],
            skills=rng.sample(WORDS_EN, 2),
            languages=rng.sample(["en", "hi"], rng.randint(1, 2)),
            password_hash=password,
        )
    organizations = [
        save_organization(name=f"Bench org {n}", tier=rng.choice(["standard", "business"]))
        for n in range(ORGANIZATIONS)
    ]
    if not FieldDefinition.objects.filter(key="circle").exists():
        save_field_definition(
            key="circle", label="Circle", kind="choice", choices=["north", "south"]
        )
    priorities = list(Priority.objects.all())
    for n in range(RULES):
        # Conditions that the routed tickets rarely meet, so that the walk goes deep.
        fields = {
            "channels": rng.sample(CHANNELS, 2),
            "languages": rng.sample(LANGUAGES, 2),
            "keywords": [f"{rng.choice(WORDS_EN)} {n}", f"{rng.choice(WORDS_HI)}{n}", f"code{n}"],
        }
        kind = n % 6
        if kind == 1:
            fields["organizations"] = rng.sample(organizations, 3)
        elif kind == 2:
            fields["organization_tiers"] = ["enterprise"]
        elif kind == 3:
            fields["categories"] = [f"category {n}"]
            fields["asset_models"] = [f"M{n}"]
        elif kind == 4:
            fields["custom_fields"] = {"circle": "north"}
            fields["priorities"] = [rng.choice(priorities).code]
        elif kind == 5:
            fields["business_hours"] = "outside"
        save_routing_rule(
            name=f"Bench rule {n}",
            position=n,
            group=groups[n % GROUPS],
            skills=[rng.choice(WORDS_EN)],
            tags=[f"bench{n % 10}"],
            **fields,
        )
    return organizations


def _facts(rng: random.Random, organizations, count: int):
    from sampark.routing.engine import Facts

    made = []
    for _n in range(count):
        words = rng.sample(WORDS_EN, 3) + rng.sample(WORDS_HI, 2) + rng.sample(HINGLISH, 4)
        rng.shuffle(words)
        organization = rng.choice(organizations) if rng.random() < 0.6 else None
        made.append(
            Facts(
                subject=" ".join(words[:5]),
                description=" ".join(words) * 3,
                channel=rng.choice(CHANNELS),
                language=rng.choice(LANGUAGES),
                organization_id=organization.pk if organization else None,
                organization_tier=organization.tier if organization else None,
                category=rng.choice(["", "Billing", "Network"]),
                custom_fields={"circle": rng.choice(["north", "south"])},
                priority=rng.choice(["P1", "P2", "P3", "P4"]),
            )
        )
    return made


def assign(contact, decision):
    """The owner decision a create makes after routing: the assignment engine's
    (:func:`sampark.assignment.services.intake.choose_owner`), with the routed group, skills
    and language."""
    from django.db import transaction

    from sampark.assignment.services import intake

    with transaction.atomic():  # it locks the chosen agent's profile, as the create does
        return intake.choose_owner(
            contact,
            group_id=decision.group.pk if decision.group else None,
            skills=decision.skills,
            language=contact.language,
            has_tickets=True,
        )


def _rate(facts, step) -> tuple[float, int]:
    from sampark.db import configuration

    matched = 0
    started = time.perf_counter()
    for one in facts:
        with configuration.snapshot():
            matched += step(one)
    return len(facts) / (time.perf_counter() - started), matched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    _setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from sampark.customers.services import RequesterDetails, find_or_create_contact
    from sampark.routing import engine

    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    organizations = _world(rng)
    print(f"set-up: {RULES} rules, {AGENTS} agents in {time.perf_counter() - started:.1f} s")
    facts = _facts(rng, organizations, args.decisions)
    contact, _created = find_or_create_contact(
        RequesterDetails(name="Bench", email="bench.customer@example.in", language="hi")
    )
    compiled = time.perf_counter()
    engine.active_rules()
    print(f"compiling the rules: {(time.perf_counter() - compiled) * 1000:.1f} ms")

    def route_only(one):
        return bool(engine.route(one).matches)

    def route_and_assign(one):
        decision = engine.route(one)
        assign(contact, decision)
        return bool(decision.matches)

    _rate(facts[:500], route_only)  # warm-up
    rate, matched = _rate(facts, route_only)
    print(
        f"routing: {rate:,.0f} decisions/s over {len(facts)} "
        f"({matched / len(facts):.0%} matched a rule)"
    )
    with transaction.atomic():  # the create's transaction
        rate, _matched = _rate(facts, route_and_assign)
    print(f"routing + assignment: {rate:,.0f} decisions/s ({connection.vendor})")


if __name__ == "__main__":
    main()
