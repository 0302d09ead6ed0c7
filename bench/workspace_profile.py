"""Where a workspace page's time goes, in process: wall clock and CPU per page, its queries and
their time, and a cProfile of the page summed by what the code is (the database driver,
building and compiling ORM queries, template rendering, translations, Sampark's own code).

    SAMPARK_HOME=/tmp/wsbench-1m .venv/bin/python -m bench.workspace_profile
        [--pages queue,ticket,board] [--runs 100] [--top 25] [--queries]
    .venv/bin/python -m bench.workspace_profile --py-spy-raw samples.txt [--top 25]

It uses the copy that ``bench.workspace_pages`` prepared (``workspace-bench.json``), renders
each page through Django's test client (every middleware, the session, the sidebar) as the
same agents, ``--runs`` times after a warm-up, then once more ``--runs`` times under cProfile.
``--queries`` prints each query of one page with its time. cProfile's own cost is several
times the page's, and falls mostly on code with many small calls (templates, the ORM), so its
split is a rough one; a sampling profiler of a serving process is not skewed that way:

    py-spy record --pid <a worker of sampark serve> --duration 20 --rate 200 --format raw \
        --output samples.txt --nonblocking      # while bench.workspace_pages drives one page

and ``--py-spy-raw samples.txt`` sums those samples the same way.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time

from bench.loadgen import percentile
from bench.workspace_agents import STATE_FILE, sampark_home

CATEGORIES = (
    ("database driver", ("sqlite3.", "psycopg", "Cursor.execute", "Cursor.fetch")),
    ("ORM: queries built and compiled", ("django/db/models/",)),
    ("ORM: backend and cursor wrappers", ("django/db/backends/", "django/db/utils")),
    ("templates", ("django/template/", "template_partials", "django/templatetags/", "html/")),
    ("translations", ("django/utils/translation", "gettext", "asgiref/local")),
    ("forms", ("django/forms/",)),
    ("django.utils: escaping, lazy text, dates", ("django/utils/", "zoneinfo", "datetime")),
    ("Sampark's code", ("sampark/",)),
    ("middleware, sessions, auth", ("django/contrib/", "django/middleware/", "whitenoise")),
    ("the rest of Django", ("django/",)),
)


class QueryTimer:
    """A database execute wrapper that times each statement, rows fetched included."""

    def __init__(self):
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - started) * 1000, sql))


def category(filename: str, name: str) -> str:
    where = f"{filename}:{name}"
    for label, patterns in CATEGORIES:
        if any(p in where for p in patterns):
            return label
    return "Python and the rest"


def _frame(text: str) -> tuple[str, str]:
    """``"func (path/file.py:12)"`` as (path, func)."""
    func, _, where = text.rpartition(" (")
    return where.rstrip(")").rsplit(":", 1)[0], func


def _leaf_category(path: str, func: str) -> str:
    if path.endswith("sqlite3/base.py") and ("execute" in func or "fetch" in func):
        return "database driver"
    return category(path, func)


def summarise_py_spy(paths: list[str], top: int) -> None:
    """Samples of ``py-spy record --format raw`` (one line per stack: frames from the
    outside in, then the count), summed by what the innermost frame is (the time spent there
    itself) and, for Sampark's functions, by the time spent inside each (callees included)."""
    leaf: dict[str, int] = {}
    leaf_functions: dict[str, int] = {}
    inside: dict[str, int] = {}
    total = 0
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as samples:
            for line in samples:
                stack, _, count = line.rstrip("\n").rpartition(" ")
                if not stack or not count.isdigit():
                    continue
                n = int(count)
                frames = [_frame(f) for f in stack.split(";")]
                if not any("handlers/wsgi.py" in p for p, _f in frames):
                    continue  # not a request: the event loop, the background worker
                total += n
                label = _leaf_category(*frames[-1])
                leaf[label] = leaf.get(label, 0) + n
                where, func = frames[-1]
                name = f"{func} ({'/'.join(where.split('/')[-2:])})"
                leaf_functions[name] = leaf_functions.get(name, 0) + n
                seen = set()
                for where, func in frames:
                    if "sampark/" in where and "serving/" not in where:
                        key = f"{func} ({where.split('sampark/', 1)[1]})"
                        if key not in seen:
                            seen.add(key)
                            inside[key] = inside.get(key, 0) + n
    if not total:
        print("no samples of requests")
        return
    print(f"{total} samples inside requests; own time by kind of code:")
    for label, n in sorted(leaf.items(), key=lambda item: -item[1]):
        print(f"  {n / total * 100:5.1f}%  {label}")
    print(f"the innermost functions, top {top}:")
    for name, n in sorted(leaf_functions.items(), key=lambda item: -item[1])[:top]:
        print(f"  {n / total * 100:5.1f}%  {name}")
    print(f"time inside Sampark's functions (callees included), top {top}:")
    for key, n in sorted(inside.items(), key=lambda item: -item[1])[:top]:
        print(f"  {n / total * 100:5.1f}%  {key}")


def by_category(stats: pstats.Stats) -> dict[str, float]:
    """Own time (tottime) of every function, summed by category, in seconds."""
    totals: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        label = category(filename, name)
        totals[label] = totals.get(label, 0.0) + tottime
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workspace_profile", description=__doc__)
    parser.add_argument("--pages", default="queue,ticket,board")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--queries", action="store_true", help="list one page's queries")
    parser.add_argument(
        "--py-spy-raw",
        nargs="+",
        metavar="FILE",
        help="only summarise samples that `py-spy record --format raw` took of a serving "
        "process (under bench.workspace_pages' load), then stop",
    )
    args = parser.parse_args(argv)
    if args.py_spy_raw:
        summarise_py_spy(args.py_spy_raw, args.top)
        return 0
    state_path = sampark_home() / STATE_FILE
    if not state_path.exists():
        raise SystemExit(f"{state_path} not found: run bench.workspace_pages on this copy first")
    state = json.loads(state_path.read_text())

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    users = get_user_model().objects
    paths = {
        "queue": ("queue_agent", ["/queues/groups/"]),
        "ticket": ("queue_agent", [f"/tickets/{pk}/" for pk in state["ticket_ids"]]),
        "board": ("supervisor", ["/board/"]),
    }
    for name in [p.strip() for p in args.pages.split(",") if p.strip()]:
        account, urls = paths[name]
        client = Client(SERVER_NAME="localhost")
        client.force_login(users.get(email=state[account]))
        first = client.get(urls[0])
        if first.status_code != 200:
            print(f"{name}: GET {urls[0]} answered {first.status_code}: skipped\n")
            continue
        for url in urls * 2:
            client.get(url)
        wall, cpu, queries, query_ms = [], [], [], []
        for run in range(args.runs):
            url = urls[run % len(urls)]
            timed = QueryTimer()
            with connection.execute_wrapper(timed):
                started, started_cpu = time.perf_counter(), time.thread_time()
                response = client.get(url)
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.thread_time() - started_cpu) * 1000)
            assert response.status_code == 200, response.status_code
            queries.append(len(timed.queries))
            query_ms.append(sum(ms for ms, _sql in timed.queries))
        wall.sort()
        cpu.sort()
        print(
            f"{name} ({connection.vendor}, {len(first.content):,} bytes, as {state[account]}): "
            f"wall p50 {statistics.median(wall):.1f} p95 {percentile(wall, 95):.1f} ms; "
            f"CPU p50 {statistics.median(cpu):.1f} p95 {percentile(cpu, 95):.1f} ms; "
            f"{min(queries)}-{max(queries)} queries, in the database "
            f"{statistics.median(query_ms):.1f} ms (median, the statements' execute calls)"
        )
        if args.queries:
            timed = QueryTimer()
            with connection.execute_wrapper(timed):
                client.get(urls[0])
            for ms, sql in sorted(timed.queries, reverse=True):
                print(f"    {ms:6.2f} ms  {sql[:220]}")
        profile = cProfile.Profile()
        profile.enable()
        for run in range(args.runs):
            client.get(urls[run % len(urls)])
        profile.disable()
        stats = pstats.Stats(profile)
        total = sum(by_category(stats).values())
        print(f"  cProfile, own time per page by kind ({total / args.runs * 1000:.1f} ms a page):")
        for label, seconds in by_category(stats).items():
            share = seconds / total * 100 if total else 0.0
            print(f"    {seconds / args.runs * 1000:6.2f} ms  {share:4.1f}%  {label}")
        print(f"  top {args.top} functions by cumulative time:")
        stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
