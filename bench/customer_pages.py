"""Time the workspace's contact and organization pages on a generated data set, in process.

    SAMPARK_HOME=/tmp/spk-1m .venv/bin/python -m bench.customer_pages [--runs 100]

It picks the ten contacts and the ten organizations with the most tickets (the worst cases:
at 1M tickets a requester with ~80 tickets and ~400 events, an organization with ~2k tickets
and ~500 people), then renders their pages through Django's test client, signed in as an
agent of the biggest group (``groups`` scope) and as an agent with the ``all`` scope, and
prints wall-clock and CPU-time p50/p95 and the queries per page. It writes nothing. The CPU
time is this thread's (SQLite runs in it), which a busy shared machine inflates less than the
wall clock.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from sampark.team.models import AgentProfile
    from sampark.tickets.models import Ticket

    with open(os.path.join(os.environ["SAMPARK_HOME"], "bench.json")) as described:
        bench = json.load(described)

    def busiest(column: str) -> list[int]:
        rows = (
            Ticket.objects.filter(**{f"{column}__isnull": False})
            .values(column)
            .annotate(n=Count("id"))
            .order_by("-n")[:10]
        )
        return [row[column] for row in rows]

    pages = {
        "contact": [f"/contacts/{pk}/" for pk in busiest("requester")],
        "organization": [f"/organizations/{pk}/" for pk in busiest("organization")],
    }

    def agent_with(ticket_access: str, **where):
        profiles = AgentProfile.objects.filter(ticket_access=ticket_access, user__is_active=True)
        return profiles.filter(**where).select_related("user").order_by("id").first().user

    scoped = agent_with("groups", groups=bench["big_group_id"])
    everything = agent_with("all")
    for user in (scoped, everything):
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        for kind, paths in pages.items():
            for path in paths:
                client.get(path)
            wall, cpu, queries = [], [], []
            for run in range(args.runs):
                with CaptureQueriesContext(connection) as captured:
                    started, started_cpu = time.perf_counter(), time.thread_time()
                    response = client.get(paths[run % len(paths)])
                    wall.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.thread_time() - started_cpu) * 1000)
                assert response.status_code == 200, response.status_code
                queries.append(len(captured.captured_queries))
            wall.sort()
            cpu.sort()
            p95 = int(len(wall) * 0.95) - 1
            print(
                f"{connection.vendor}: {kind} page, {len(paths)} records, {args.runs} pages as "
                f"{user.email} ({user.agent.ticket_access}), {min(queries)}-{max(queries)} "
                f"queries; wall p50 {statistics.median(wall):.1f} ms p95 {wall[p95]:.1f} ms; "
                f"cpu p50 {statistics.median(cpu):.1f} ms p95 {cpu[p95]:.1f} ms"
            )


if __name__ == "__main__":
    main()
