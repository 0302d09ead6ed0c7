"""Assignment decisions in-process: who a new ticket goes to, with 500 agents in 10 groups.

    SAMPARK_HOME=/tmp/spk-assign .venv/bin/python -m bench.assignment [--decisions 5000]

Migrates a fresh database (refuses one that already has agents), creates 500 agents (online,
away and offline, capacities 10 to 30, skills and languages) in 10 groups, a least-loaded or
round-robin strategy on each, 200 organizations with account managers, and 5,000 active
tickets spread over the agents, so that loads are real. Then it times:

- ``rank``: the strategy's decision alone, in memory, over one group's 50 candidates (what
  the routing benchmark adds to a routing decision);
- ``choose_owner``: the whole decision as ``open_ticket`` makes it inside its transaction
  (strategy and leave from the per-process configuration, the SPOC's lock and load, the
  group's candidates with their load, the claim), one transaction per decision, rolled back
  so that loads stay as they are. Half the requesters belong to an organization (an account
  manager as SPOC), half are returning customers with an active ticket (its owner as SPOC);
  a SPOC away, offline or full falls back to the group's strategy (about a third do).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time


def _setup(rng: random.Random) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from sampark.assignment.services import strategy
    from sampark.customers import services as customers
    from sampark.team import services as team
    from sampark.team.models import AgentProfile
    from sampark.tickets.models import Priority, Ticket

    if AgentProfile.objects.count() > 1:
        raise SystemExit("use a fresh SAMPARK_HOME: this database already has agents")
    groups = [team.save_group(name=f"Bench group {n}") for n in range(10)]
    for n, group in enumerate(groups):
        strategy.save_strategy(group, method="least_loaded" if n % 2 else "round_robin")
    password = make_password(None)
    skills = ["printers", "network", "billing", "lekha", "gst", "ups", "wifi", "sap"]
    agents = []
    for n in range(500):
        profile = team.create_agent(
            email=f"bench{n}@sampark.test",
            groups=[groups[n % 10]],
            skills=rng.sample(skills, 2),
            languages=rng.choice([["en"], ["hi"], ["hi", "en"]]),
            capacity=rng.randrange(10, 31),
            password_hash=password,
        )
        team.set_presence(profile, rng.choices(["online", "away", "offline"], [7, 2, 1])[0])
        agents.append(profile.user)
    organizations = [
        customers.save_organization(name=f"Bench org {n}", account_manager=rng.choice(agents))
        for n in range(200)
    ]
    contacts = [
        customers.create_contact(name=f"Customer {n}", organization=organizations[n])
        for n in range(200)
    ]
    fresh = [customers.create_contact(name=f"Person {n}") for n in range(200)]
    priority = Priority.objects.order_by("rank").last()
    Ticket.objects.bulk_create(
        Ticket(
            number=n + 1,
            subject="Load",
            priority=priority,
            priority_rank=priority.rank,
            status="open",
            requester=fresh[n % 200],
            owner=agents[rng.randrange(500)],
            group=groups[n % 10],
        )
        for n in range(5000)
    )
    return {"groups": groups, "contacts": contacts, "fresh": fresh}


class _Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")
    import django

    django.setup()
    from django.db import transaction

    from sampark.assignment.services import intake
    from sampark.db import configuration

    rng = random.Random(1)
    world = _setup(rng)
    groups = world["groups"]

    pools = [intake.candidates(group.pk) for group in groups]
    started = time.perf_counter()
    for i in range(args.decisions * 10):
        intake.rank(
            pools[i % 10],
            method="least_loaded" if i % 2 else "round_robin",
            skills=("printers",) if i % 3 == 0 else (),
            language="hi" if i % 4 == 0 else "en",
            last_agent=i,
        )
    ranked = args.decisions * 10 / (time.perf_counter() - started)
    sizes = statistics.mean(len(pool) for pool in pools)

    timings = []
    for i in range(args.decisions):
        requester = (world["contacts"] if i % 2 else world["fresh"])[i % 200]
        begun = time.perf_counter()
        try:
            with transaction.atomic(), configuration.snapshot():
                intake.choose_owner(
                    requester,
                    group_id=groups[i % 10].pk,
                    language="hi" if i % 4 == 0 else "en",
                    has_tickets=True,
                )
                raise _Rollback
        except _Rollback:
            pass
        timings.append(time.perf_counter() - begun)
    timings.sort()
    print(f"rank, in memory, {sizes:.0f} candidates: {ranked:,.0f} decisions/s")
    print(
        f"choose_owner, in its transaction: {len(timings) / sum(timings):,.0f} decisions/s; "
        f"median {statistics.median(timings) * 1000:.2f} ms, "
        f"p99 {timings[int(len(timings) * 0.99)] * 1000:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
