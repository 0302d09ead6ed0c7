"""Time the workspace's ticket page (50 events shown) on a generated data set, in process.

    SAMPARK_HOME=/tmp/spk-1m .venv/bin/python -m bench.ticket_page [--runs 200]

Run it on a copy of the data set: it picks active tickets of one group from bench.json, brings
each to at least 60 events with internal notes (written through the ticket services, as an
agent of that group), then renders each page through Django's test client, signed in as that
agent (``groups`` scope), and prints wall-clock and CPU-time p50/p95 and the queries per page.
The CPU time is this thread's (SQLite runs in it), which a busy shared machine inflates less
than the wall clock.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from sampark.team.models import AgentProfile
    from sampark.tickets import services as tickets
    from sampark.tickets.models import Ticket, TicketEvent

    with open(os.path.join(os.environ["SAMPARK_HOME"], "bench.json")) as described:
        bench = json.load(described)
    rows = list(
        Ticket.objects.filter(pk__in=bench["ticket_ids"][:2000], status__in=["new", "open"])
        .values_list("pk", "group_id")
        .order_by("pk")[:40]
    )
    group = rows[0][1]
    agent = (
        AgentProfile.objects.filter(ticket_access="groups", groups=group)
        .select_related("user")
        .first()
        .user
    )
    ids = [pk for pk, group_id in rows if group_id == group][:10]
    for pk in ids:
        for n in range(max(0, 60 - TicketEvent.objects.filter(ticket_id=pk).count())):
            tickets.add_message(pk, body=f"bench note {n} नोट", public=False, agent=agent)
    client = Client(SERVER_NAME="localhost")
    client.force_login(agent)
    for pk in ids:
        client.get(f"/tickets/{pk}/")
    wall, cpu, queries = [], [], []
    for run in range(args.runs):
        pk = ids[run % len(ids)]
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.thread_time()
            response = client.get(f"/tickets/{pk}/")
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
        assert response.status_code == 200
        assert response.content.decode().count('<li class="event ') == 50
        queries.append(len(captured.captured_queries))
    wall.sort()
    cpu.sort()
    p95 = int(len(wall) * 0.95) - 1
    print(
        f"{connection.vendor}: {len(ids)} tickets, {args.runs} pages as {agent.email}, "
        f"{min(queries)}-{max(queries)} queries; wall p50 {statistics.median(wall):.1f} ms "
        f"p95 {wall[p95]:.1f} ms; cpu p50 {statistics.median(cpu):.1f} ms p95 {cpu[p95]:.1f} ms"
    )


if __name__ == "__main__":
    main()
