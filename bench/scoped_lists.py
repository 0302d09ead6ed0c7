"""Time the lists an agent uses, for each ticket access scope, on a generated data set.

    SAMPARK_HOME=/tmp/spk-1m .venv/bin/python -m bench.scoped_lists [--runs 60] [--plans]

Each list is read through ``sampark.tickets.queries`` as the API reads it (ids, then the
rendered page's tickets; every other run also the next page), for an admin (``all``), two
agents with ``groups`` scope (one in the biggest group, one in a small one) and the small
group's agent narrowed to ``own``. The scope is set on the loaded profile only: the database is
not changed. ``--plans`` prints the query plan of each list's id query for the first agent.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--plans", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from sampark.team.models import AgentProfile
    from sampark.tickets import access, queries
    from sampark.tickets.models import Ticket
    from sampark.tickets.queries import TicketFilters

    rng = random.Random(7)
    users = {u.pk: u for u in get_user_model().objects.select_related("agent")}
    by_group: dict[int, list[int]] = {}
    for profile in AgentProfile.objects.filter(role="agent").prefetch_related("groups"):
        for group in profile.groups.all():
            by_group.setdefault(group.pk, []).append(profile.user_id)
    sizes = dict(Ticket.objects.values_list("group_id").annotate(n=Count("id")))
    big, small = max(by_group, key=sizes.get), min(by_group, key=sizes.get)
    admin = AgentProfile.objects.filter(role="admin").values_list("user_id", flat=True).first()
    last = Ticket.objects.order_by("-id").values_list("id", flat=True).first()
    sample = list(
        Ticket.objects.filter(pk__in=rng.sample(range(1, last), 400)).values_list(
            "requester_id", "organization_id"
        )
    )
    contacts = [r for r, _o in sample]
    organizations = [o for _r, o in sample if o]

    def scope_of(pk: int, ticket_access: str):
        users[pk].agent.ticket_access = ticket_access
        return access.scope_of(users[pk])

    def lists(scope, me: int, own_group: int, other_group: int) -> dict:
        def paged(filters, order):
            def run(i=0):
                first = queries.ticket_page(filters, order=order, scope=scope)
                if i % 2 and first.next_cursor:
                    queries.ticket_page(filters, order=order, cursor=first.next_cursor, scope=scope)

            return run

        def contact(i):
            return contacts[i % len(contacts)]

        return {
            "tickets newest": paged(TicketFilters(), "newest"),
            "tickets active newest": paged(TicketFilters(active=True), "newest"),
            "tickets active queue": paged(TicketFilters(active=True), "queue"),
            "tickets status=open": paged(TicketFilters(status=["open"]), "newest"),
            "tickets owner=me active queue": paged(TicketFilters(owner=me, active=True), "queue"),
            "tickets requester=X": lambda i=0: queries.ticket_page(
                TicketFilters(requester=contact(i)), scope=scope
            ),
            "tickets organization=X": lambda i=0: queries.ticket_page(
                TicketFilters(organization=organizations[i % len(organizations)]), scope=scope
            ),
            "queue of own group": lambda i=0: queries.group_queue(own_group, scope=scope),
            "queue of another group": lambda i=0: queries.group_queue(other_group, scope=scope),
            "contact timeline": lambda i=0: queries.contact_timeline(
                queries.get_contact(contact(i)), scope=scope
            ),
        }

    def measure(run) -> tuple[float, float]:
        run()
        samples = []
        for i in range(args.runs):
            start = time.perf_counter()
            run(i)
            samples.append((time.perf_counter() - start) * 1000)
        samples.sort()
        return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]

    agent_big, agent_small = by_group[big][0], by_group[small][0]
    people = [
        (f"admin {admin}, all", admin, "all", big, small),
        (f"agent {agent_big}, groups", agent_big, "groups", big, small),
        (f"agent {agent_small}, groups", agent_small, "groups", small, big),
        (f"agent {agent_small}, own", agent_small, "own", small, big),
    ]
    print(
        f"{connection.vendor}, {last:,} tickets; groups {big} (biggest) and {small} (smallest);"
        f" {args.runs} runs; ms median / p95"
    )
    results: dict[str, dict[str, tuple]] = {}
    for label, pk, ticket_access, own_group, other_group in people:
        scope = "all" if ticket_access == "all" else scope_of(pk, ticket_access)
        for name, run in lists(scope, pk, own_group, other_group).items():
            results.setdefault(name, {})[label] = measure(run)
    width = max(map(len, results))
    print(" " * width + " | " + " | ".join(f"{p[0]:>20}" for p in people))
    for name, row in results.items():
        cells = (f"{row[p[0]][0]:8.2f} / {row[p[0]][1]:7.2f}" for p in people)
        print(name.ljust(width) + " | " + " | ".join(cells))

    if args.plans:
        scope = scope_of(agent_big, "groups")
        for name, run in lists(scope, agent_big, big, small).items():
            with CaptureQueriesContext(connection) as captured:
                run(0)
            sql = captured.captured_queries[0]["sql"]
            print(f"\n-- {name} (agent {agent_big}, groups)")
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    cursor.execute("EXPLAIN QUERY PLAN " + sql)
                    lines = [row[-1] for row in cursor.fetchall()]
                else:
                    cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) " + sql)
                    lines = [row[0] for row in cursor.fetchall()]
            for line in lines:
                print("   ", line)


if __name__ == "__main__":
    main()
