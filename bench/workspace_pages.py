"""The agent workspace's pages over HTTP at a fixed concurrency, on a copy of a data set made by
``bench.generate`` (issue 18: queue page, ticket page and coordinator board, full HTML with the
sidebar's counts, p95 <= 30 ms at 1M tickets).

    SAMPARK_HOME=/tmp/wsbench-1m .venv/bin/python -m bench.workspace_pages --copy-from /tmp/acc-1m
        [--pages queue,ticket,board] [--duration 10] [--repeat 3] [--concurrency 4]
        [--workers 2] [--warmup 2] [--json bench/results/workspace-pages-sqlite.json]
        [--db-pid PID] [--no-server-timing]

PostgreSQL: ``SAMPARK_DATABASE_URL`` names the copy, ``--copy-from-database sampark_1m``
creates it from the original when it does not exist yet.

It prepares the copy (``bench.workspace_agents.prepare``: accounts with the benchmark's
password, tickets with 60 events), starts ``sampark serve --workers 2`` on a free loopback
port with a ``Server-Timing`` header (``bench.timed_settings``), signs in through the sign-in
form, checks each page once, and drives each page with ``concurrency`` kept-alive connections
(``bench.loadgen``), each page ``repeat`` times, interleaved:

  queue    GET /queues/groups/ as an agent with the ``groups`` scope in the biggest group:
           50 rows in SLA order and the sidebar's counts
  ticket   GET /tickets/<id>/ on the tickets brought to 60 events (50 shown), as that agent
  board    GET /board/ as a supervisor; skipped with a message when it does not answer 200
  counts   GET /queues/counts/ as the queue's agent: the sidebar's counts, which every page
           fetches after it loads (htmx), and a browser reuses for up to 30 s; measured here
           as if it never did

Latencies are the client's, over HTTP on loopback, on the same 2 cores as the server; the
``app`` columns are the server's own time for the request (Django's middleware, view and
rendering, from the header), without the wait for a process's view thread. The table shows
medians over the repeats.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.loadgen import LeanClient, cpu_seconds, free_port, rss_breakdown_mb, run_load
from bench.workspace_agents import (
    Server,
    SignInFailed,
    copy_data_set,
    latency_summary,
    parse_server_timing,
    prepare,
    release_database,
    sampark_home,
    sign_in,
    ticket_links,
    timeline_events,
)

PAGES = ("queue", "ticket", "board", "counts")
TARGET_MS = 30.0
SIDEBAR = '<ul class="queues">'
COUNTS = 'id="queue-count-groups"'


@dataclass
class Page:
    name: str
    account: str  # the state's key for the account that opens it
    paths: list[str]

    def check(self, status: int, html: str) -> str | None:
        """What is wrong with one answer, or None."""
        if status != 200:
            return f"answered {status}"
        if self.name == "queue" and len(ticket_links(html)) != 50:
            return f"{len(ticket_links(html))} rows instead of 50"
        if self.name == "ticket" and timeline_events(html) != 50:
            return f"{timeline_events(html)} timeline events instead of 50"
        if self.name == "counts":
            return None if COUNTS in html else "no counts"
        if SIDEBAR not in html:
            return "no sidebar with the queues' counts"
        return None


def pages_for(state: dict, names: list[str]) -> list[Page]:
    known = {
        "queue": Page("queue", "queue_agent", ["/queues/groups/"]),
        "ticket": Page("ticket", "queue_agent", [f"/tickets/{pk}/" for pk in state["ticket_ids"]]),
        "board": Page("board", "supervisor", ["/board/"]),
        "counts": Page("counts", "queue_agent", ["/queues/counts/"]),
    }
    return [known[name] for name in names]


async def measure(args, server: Server, state: dict, pages: list[Page]) -> dict:
    base = server.base
    jars = {}
    sign_in_client = LeanClient()
    try:
        for page in pages:
            if page.account not in jars:
                jars[page.account] = await sign_in(
                    sign_in_client, base, state[page.account], state["password"]
                )
    finally:
        sign_in_client.close()

    measured, skipped = [], {}
    check_client = LeanClient()
    try:
        for page in pages:
            answer = await check_client.get(
                f"{base}{page.paths[0]}", headers={"Cookie": jars[page.account].header()}
            )
            problem = page.check(answer.status_code, answer.text)
            if problem and page.name == "board" and answer.status_code != 200:
                skipped[page.name] = f"GET {page.paths[0]} {problem}: not measured"
                print(f"  board skipped: GET {page.paths[0]} {problem}")
                continue
            if problem:
                raise SystemExit(f"{page.name}: GET {page.paths[0]} {problem}")
            print(
                f"  {page.name}: {len(answer.content):,} bytes, {page.paths[0]} as "
                f"{state[page.account]}"
            )
            measured.append(page)
    finally:
        check_client.close()

    runs: dict[str, list[dict]] = {page.name: [] for page in measured}
    for repeat in range(args.repeat):
        for page in measured:
            headers = {"Cookie": jars[page.account].header()}
            timings: list[dict[str, float]] = []
            rng = random.Random(repeat)

            async def factory(client, i, page=page, headers=headers, timings=timings, rng=rng):
                path = page.paths[rng.randrange(len(page.paths))]
                response = await client.get(f"{base}{path}", headers=headers)
                timing = parse_server_timing(response.headers.get("server-timing", ""))
                timing["process"] = response.headers.get("x-bench-process", "")
                timings.append(timing)
                return response

            if args.warmup > 0:
                await run_load(
                    factory, concurrency=args.concurrency, duration=args.warmup, warmup=0
                )
            timings.clear()
            load = os.getloadavg()[0]
            server_cpu, client_cpu = cpu_seconds(server.process.pid), time.process_time()
            db_cpu = cpu_seconds(args.db_pid) if args.db_pid else 0.0
            stats = await run_load(
                factory, concurrency=args.concurrency, duration=args.duration, warmup=0
            )
            per_request = 1000.0 / max(stats.count, 1)
            server_cpu = (cpu_seconds(server.process.pid) - server_cpu) * per_request
            client_cpu = (time.process_time() - client_cpu) * per_request
            db_cpu = (cpu_seconds(args.db_pid) - db_cpu) * per_request if args.db_pid else 0.0
            app = latency_summary([t["app"] for t in timings if "app" in t])
            app_cpu = latency_summary([t["cpu"] for t in timings if "cpu" in t])
            busiest = busiest_share([t["process"] for t in timings])
            result = stats.as_dict() | {
                "loadavg_1m": load,
                "server_cpu_ms": round(server_cpu, 2),
                "client_cpu_ms": round(client_cpu, 2),
                "db_cpu_ms": round(db_cpu, 2),
                "app_p50": app["p50"],
                "app_p95": app["p95"],
                "app_cpu_p50": app_cpu["p50"],
                "busiest_process_share": busiest,
            }
            runs[page.name].append(result)
            print(
                f"  [{repeat + 1}/{args.repeat}] {page.name:<7} {stats}; server app p50 "
                f"{app['p50']:.1f} p95 {app['p95']:.1f} ms (CPU {app_cpu['p50']:.1f}); "
                f"CPU/request server {server_cpu:.1f} ms, client {client_cpu:.1f} ms; "
                f"busiest process {busiest:.0%} of requests; load {load:.1f}"
            )
            for sample in stats.error_samples[:2]:
                print(f"      error: {sample}")
    return {"runs": runs, "skipped": skipped}


def busiest_share(processes: list[str]) -> float:
    """The share of the requests that the busiest server process answered: 1/workers when
    the connections spread evenly, 1.0 when they all landed on one process."""
    known = [p for p in processes if p]
    if not known:
        return 0.0
    return max(known.count(p) for p in set(known)) / len(known)


def summarise(runs: list[dict]) -> dict:
    keys = ("rps", "p50", "p95", "p99", "max", "server_cpu_ms", "client_cpu_ms", "db_cpu_ms")
    keys += ("app_p50", "app_p95", "app_cpu_p50", "loadavg_1m")
    out = {k: round(statistics.median(r[k] for r in runs), 2) for k in keys}
    out["p95_runs"] = [round(r["p95"], 1) for r in runs]
    out["busiest_runs"] = [round(r["busiest_process_share"], 2) for r in runs]
    out["count"] = sum(r["count"] for r in runs)
    out["errors"] = sum(r["errors"] for r in runs)
    return out


def print_table(result: dict) -> None:
    print()
    print(
        f"{result['label']}: {result['tickets']:,} tickets on {result['backend']}, "
        f"{result['workers']} server processes, concurrency {result['concurrency']}, "
        f"{result['duration']:.0f} s x {result['repeat']}, medians; client latency over "
        f"loopback, app = the server's own time (Server-Timing)"
    )
    print(
        f"{'page':<8}{'req/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'app p50':>9}{'app p95':>9}"
        f"{'srv CPU':>9}{'db CPU':>8}{'errors':>8}{'load':>6}  p95 of each run "
        f"(busiest process's share)"
    )
    for name, s in result["summary"].items():
        flag = " (over 30 ms)" if s["p95"] > TARGET_MS else ""
        each = zip(s["p95_runs"], s["busiest_runs"], strict=True)
        runs = ", ".join(f"{p95} ({share:.0%})" for p95, share in each)
        print(
            f"{name:<8}{s['rps']:>8.1f}{s['p50']:>8.1f}{s['p95']:>8.1f}{s['p99']:>8.1f}"
            f"{s['app_p50']:>9.1f}{s['app_p95']:>9.1f}{s['server_cpu_ms']:>9.1f}"
            f"{s['db_cpu_ms']:>8.1f}{s['errors']:>8}{s['loadavg_1m']:>6.1f}  "
            f"{runs}{flag}"
        )
    for name, why in result["skipped"].items():
        print(f"{name:<8}{why}")


def _pages(value: str) -> list[str]:
    names = [x.strip() for x in value.split(",") if x.strip()]
    unknown = set(names) - set(PAGES)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown pages: {', '.join(sorted(unknown))}")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.workspace_pages",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--pages",
        type=_pages,
        default=list(PAGES),
        help="comma-separated subset of " + ",".join(PAGES),
    )
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds a run")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up a run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per page (medians)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--label", default="")
    parser.add_argument("--json", dest="json_out", help="write the results here")
    parser.add_argument(
        "--copy-from",
        type=Path,
        help="a data set's SAMPARK_HOME to copy to SAMPARK_HOME if it is missing",
    )
    parser.add_argument(
        "--copy-from-database",
        help="PostgreSQL: create SAMPARK_DATABASE_URL's database from this one",
    )
    parser.add_argument("--tickets", type=int, default=10, help="tickets brought to 60 events")
    parser.add_argument(
        "--db-pid", type=int, help="PostgreSQL postmaster pid: count its processes' CPU per request"
    )
    parser.add_argument(
        "--no-server-timing",
        dest="timed",
        action="store_false",
        help="serve with Sampark's own settings, without the timing header",
    )
    parser.add_argument(
        "--serve-arg", action="append", default=[], help="extra argument for sampark serve"
    )
    args = parser.parse_args(argv)
    with contextlib.suppress(AttributeError):
        sys.stdout.reconfigure(line_buffering=True)

    home = sampark_home()
    copy_data_set(args.copy_from, home, args.copy_from_database)
    state = prepare(home, tickets=args.tickets)
    release_database()
    label = args.label or f"{state['backend']}-{state['tickets']:,}"
    log_path = Path(tempfile.gettempdir()) / f"sampark-workspace-pages-{os.getpid()}.log"
    server = Server(
        port=free_port(),
        workers=args.workers,
        timed=args.timed,
        log_path=log_path,
        extra=args.serve_arg,
    )
    print(f"{label}: starting {' '.join(server.command)} (log {log_path})")
    try:
        print(f"healthy after {server.wait_healthy():.1f}s")
        try:
            measured = asyncio.run(measure(args, server, state, pages_for(state, args.pages)))
        except SignInFailed as failed:
            raise SystemExit(str(failed)) from None
        memory = rss_breakdown_mb(server.process.pid)
    finally:
        server.stop()

    result = {
        "label": label,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "backend": state["backend"],
        "tickets": state["tickets"] or 0,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "duration": args.duration,
        "repeat": args.repeat,
        "server_command": server.command,
        "machine": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_end": os.getloadavg(),
        },
        "summary": {name: summarise(runs) for name, runs in measured["runs"].items()},
        "skipped": measured["skipped"],
        "server_rss_mb": round(memory["rss"], 1),
        "runs": measured["runs"],
    }
    print_table(result)
    if args.json_out:
        Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_out).write_text(json.dumps(result, ensure_ascii=False, indent=1))
        print(f"wrote {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
