"""Time the workspace's coordinator board (full HTML) on a generated data set.

    SAMPARK_HOME=/tmp/spk-1m .venv/bin/python -m bench.board [--runs 200] [--explain]
    SAMPARK_HOME=/tmp/spk-1m .venv/bin/python -m bench.board --http [--duration 20]

Two viewers: an admin (ticket access ``all``: every group, every agent) and a supervisor whose
access is the groups of the agent in bench.json (created on first use, through the team
services). Both are made supervisors-or-admins of the data set if they are not yet, so run it
on a copy of the data set.

In process (the default), each page is rendered ``--runs`` times through Django's test client,
and the wall-clock and CPU-time p50/p95 and the queries per page are printed; ``--explain``
prints each query's plan (SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN ANALYZE).

With ``--http``, ``sampark serve`` (2 processes) answers and ``bench.loadgen`` keeps 4
requests in flight for ``--duration`` seconds, signed in with a session cookie; it prints
requests/s and the latencies the client saw.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time


def viewers():
    """(admin, supervisor of some groups), made once through the team services."""
    from django.contrib.auth import get_user_model

    from sampark.team import services as team
    from sampark.team.models import AgentProfile, Group

    with open(os.path.join(os.environ["SAMPARK_HOME"], "bench.json")) as described:
        bench = json.load(described)
    users = get_user_model().objects
    admin = users.filter(agent__role="admin", is_active=True).first()
    if admin is None:
        admin = team.create_agent(email="bench.admin@sampark.example", role="admin").user
    supervisor = users.filter(email="bench.supervisor@sampark.example").first()
    if supervisor is None:
        groups = list(Group.objects.filter(pk__in=bench["group_ids"]))
        supervisor = team.create_agent(
            email="bench.supervisor@sampark.example",
            name="Bench Supervisor",
            role=AgentProfile.Role.SUPERVISOR,
            groups=groups,
            ticket_access=AgentProfile.TicketAccess.GROUPS,
        ).user
    return admin, supervisor


def in_process(args, admin, supervisor) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for user in (admin, supervisor):
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        for _ in range(3):
            client.get("/board/")
        wall, cpu, queries = [], [], []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as captured:
                started, started_cpu = time.perf_counter(), time.thread_time()
                response = client.get("/board/")
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.thread_time() - started_cpu) * 1000)
            assert response.status_code == 200
            queries.append(len(captured.captured_queries))
        wall.sort()
        cpu.sort()
        p95 = int(len(wall) * 0.95) - 1
        print(
            f"{connection.vendor} {user.email} ({user.agent.ticket_access}): {args.runs} boards, "
            f"{min(queries)}-{max(queries)} queries; wall p50 {statistics.median(wall):.1f} ms "
            f"p95 {wall[p95]:.1f} ms; cpu p50 {statistics.median(cpu):.1f} ms "
            f"p95 {cpu[p95]:.1f} ms"
        )
        if args.explain:
            explain(captured.captured_queries)


def explain(captured) -> None:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    for query in captured:
        sql = query["sql"]
        if not sql.startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            took = (time.perf_counter() - started) * 1000
            cursor.execute(prefix + sql)
            plan = [" | ".join(str(c) for c in row) for row in cursor.fetchall()]
        print(f"\n{took:7.2f} ms  {sql[:160]}")
        for line in plan:
            print(f"           {line}")


def over_http(args, admin, supervisor) -> None:
    import socket

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from bench.http_bench import Server
    from bench.loadgen import cpu_seconds, run_load

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = Server(
        workers=2,
        port=port,
        extra=["--no-worker"],
        log_path=os.path.join(os.environ["SAMPARK_HOME"], "bench-board-serve.log"),
    )
    try:
        server.wait_healthy()
        for user in (admin, supervisor):
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}
            url = f"http://127.0.0.1:{port}/board/"

            async def factory(client, i, url=url, cookie=cookie):
                return await client.get(url, headers=cookie)

            spent = cpu_seconds(server.process.pid)
            stats = asyncio.run(
                run_load(factory, concurrency=4, duration=args.duration, warmup=2.0)
            )
            spent = cpu_seconds(server.process.pid) - spent
            print(
                f"http {user.email}: {stats.count} boards at concurrency 4, {stats.errors} "
                f"errors; {stats.rps:.1f}/s, p50 {stats.p50:.1f} ms, p95 {stats.p95:.1f} ms, "
                f"p99 {stats.p99:.1f} ms; server CPU {1000 * spent / stats.count:.1f} ms a board"
            )
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--duration", type=float, default=20.0)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")
    import django

    django.setup()
    admin, supervisor = viewers()
    if args.http:
        over_http(args, admin, supervisor)
    else:
        in_process(args, admin, supervisor)


if __name__ == "__main__":
    main()
