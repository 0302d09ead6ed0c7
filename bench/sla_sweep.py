"""Benchmark the SLA sweep on a data set made by ``bench.generate``.

    .venv/bin/python -m bench.generate --tickets 1000000          # once, on a fresh database
    .venv/bin/python -m bench.sla_sweep [--due 1000,10000,100000] [--repeat 3]

Run it from the repository root; ``SAMPARK_HOME`` (SQLite) or ``SAMPARK_DATABASE_URL``
(PostgreSQL) select the database, as for the app. The benchmark writes to that database: use
one made for benchmarking, never real data.

1. Fill: one ``sla_ticketclock`` row per active ticket (~10% of the tickets) with a bulk path
   (``executemany`` on SQLite, ``COPY`` on PostgreSQL, via ``bench.generate.BulkWriter``): the
   seeded policy of the ticket's priority, clocks shaped like ``ClockState.as_json`` for the four
   targets and a ``next_deadline`` hours to days ahead; then ANALYZE. A side table,
   ``bench_sla_ticket``, keeps each active ticket's pristine columns (so that the changes a
   sweep makes, such as escalating a P1 breach, can be undone) and a fixed pseudo-random order:
   the first N in that order are the N due tickets. Done once; ``--refill`` redoes it.
2. Steady state (the default): a due ticket has exactly one new deadline to act on, as when the
   sweep runs every 30 s. Before a ticket is first made due, every warning, breach and update
   reminder its history has already crossed, except the latest, is recorded as fired
   (``SLAAlert`` rows, "priming"). ``--catch-up`` skips that: each due ticket then fires every
   crossing since it opened (a worker that was down for months, or a first sweep after import).
3. For each N: reset (delete the alerts, timeline events and notifications earlier sweeps made,
   restore the tickets they changed, push every other deadline into the future and set exactly N
   clocks due a minute ago), then time ``sweep()`` in this process. Reports the median wall time
   of ``--repeat`` runs, tickets processed, warnings, breaches and reminders fired, queries and
   the cost per due ticket; also the empty sweep (0 due), and the plan of the claim query.

``--sweep module:function`` times another implementation with the same signature (for trying a
change on a scratch copy of ``sampark.sla.services``); several, comma-separated, are timed in
turn at each N so that they share the machine's ups and downs, and ``module:function@10000``
times one only up to 10,000 due. ``--fingerprint`` prints a digest of what the last run at each
N wrote; with the same ``--now``, two implementations that do the same thing print the same.
"""

# SQL here is built from Django model table names and constants, with values as parameters.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib
import json
import os
import platform
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ACTIVE = ("new", "open", "pending", "on_hold")
BASE = "bench_sla_ticket"
META = "bench_sla_meta"
HOUR = 3600.0
DAY = 86400.0
# The ticket columns a sweep may change (an escalation moves group and tier; a priority raise
# changes priority and rank; every change bumps version and updated_at).
SNAPSHOT = (
    "group_id",
    "tier",
    "priority_id",
    "priority_rank",
    "owner_id",
    "status",
    "version",
    "updated_at",
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def code_version() -> dict:
    """The commit and a digest of the files the sweep runs (others may be editing them)."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    version = {}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        version["commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
    for name in ("sla/services.py", "sla/clocks.py", "calendars/hours.py"):
        with contextlib.suppress(OSError):
            data = (root / "src" / "sampark" / name).read_bytes()
            version[name] = hashlib.sha256(data).hexdigest()[:12]
    return version


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "python": platform.python_version()}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    with contextlib.suppress(OSError):
        info["load_average"] = Path("/proc/loadavg").read_text().split()[:3]
    return info


class QueryLog:
    """An execute wrapper: counts queries and, by shape, their number and time."""

    NUMBERS = re.compile(r"\d+")

    def __init__(self, shapes: bool = False):
        self.count = 0
        self.shapes = shapes
        self.by_shape: dict[str, list] = defaultdict(lambda: [0, 0.0])
        self.statements: list[tuple[str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        if len(self.statements) < 5:
            self.statements.append((sql, tuple(params or ())))
        if not self.shapes:
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            shape = self.NUMBERS.sub("N", " ".join(sql.split()))
            if len(shape) > 150:
                shape = shape[:147] + "..."
            entry = self.by_shape[shape]
            entry[0] += 1
            entry[1] += time.perf_counter() - started


@dataclass
class Sweep:
    """An implementation to time: ``module:function`` (the signature of ``services.sweep``),
    optionally ``@N`` to time it only up to N due tickets."""

    name: str
    function: object
    max_due: int | None = None

    @classmethod
    def parse(cls, spec: str) -> Sweep:
        name, _, limit = spec.strip().partition("@")
        module, _, attribute = name.partition(":")
        function = getattr(importlib.import_module(module), attribute or "sweep")
        return cls(name, function, _counts(limit)[0] if limit else None)


class SweepBench:
    def __init__(
        self,
        *,
        seed: int,
        catch_up: bool,
        sweep: str,
        batch: int | None,
        now: datetime | None = None,
    ):
        from django.db import connection

        from bench.generate import BulkWriter
        from sampark.notifications.models import Notification
        from sampark.sla.models import SLAAlert, TicketClock
        from sampark.tickets.models import Ticket, TicketEvent

        self.connection = connection
        self.writer = BulkWriter(connection)
        self.pg = self.writer.pg
        self.seed = seed
        self.catch_up = catch_up
        self.batch = batch
        self.fixed_now = now
        self.sweeps = [Sweep.parse(spec) for spec in sweep.split(",")]
        self.t_ticket = Ticket._meta.db_table
        self.t_event = TicketEvent._meta.db_table
        self.t_clock = TicketClock._meta.db_table
        self.t_alert = SLAAlert._meta.db_table
        self.t_notification = Notification._meta.db_table

    # -- plumbing --

    def sql(self, statement: str, params=()) -> list:
        return self.writer.execute(statement, params)

    def atomic(self):
        from django.db import transaction

        return transaction.atomic()

    def table_exists(self, name: str) -> bool:
        return name in self.connection.introspection.table_names()

    def meta(self, key: str, default=None):
        if not self.table_exists(META):
            return default
        rows = self.sql(f"SELECT value FROM {META} WHERE key = %s", [key])
        return rows[0][0] if rows else default

    def set_meta(self, key: str, value: int) -> None:
        self.sql(f"DELETE FROM {META} WHERE key = %s", [key])
        self.sql(f"INSERT INTO {META} (key, value) VALUES (%s, %s)", [key, value])

    def max_id(self, table: str) -> int:
        return self.sql(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')[0][0]

    def now(self) -> datetime:
        from sampark.core import clock

        return self.fixed_now or clock.now()

    def ts(self, moment: datetime):
        """A datetime parameter as Django would write it (naive UTC text on SQLite)."""
        return self.connection.ops.adapt_datetimefield_value(moment)

    def analyze(self, *tables: str) -> None:
        """ANALYZE; on PostgreSQL VACUUM too: the fill and each reset rewrite up to 100k clock
        rows, and the dead index entries they leave below ``now`` would otherwise be walked by
        every claim query until autovacuum came round (the sweep's own churn is left alone)."""
        for table in tables:
            self.sql(f'VACUUM (ANALYZE) "{table}"' if self.pg else f'ANALYZE "{table}"')

    # -- 1. fill --

    def fill(self, refill: bool) -> dict:
        from sampark.sla.models import TicketClock

        clocks = TicketClock.objects.count()
        if clocks and self.meta("filled") and not refill:
            log(f"{clocks:,} ticket clocks already filled by this benchmark (--refill redoes it)")
            return {"clocks": clocks, "fill_seconds": None}
        if clocks and not self.meta("filled") and not refill:
            raise SystemExit(
                f"{self.t_clock} already has {clocks:,} rows this benchmark did not make; "
                "use --refill to replace them (on a benchmark database only)"
            )
        started = time.perf_counter()
        with self.atomic():
            if self.meta("filled"):
                self.undo_sweeps()
            self.sql(f'DELETE FROM "{self.t_alert}"')
            self.sql(f'DELETE FROM "{self.t_clock}"')
            self.sql(f"DROP TABLE IF EXISTS {BASE}")
            self.sql(f"DROP TABLE IF EXISTS {META}")
            self.sql(f"CREATE TABLE {META} (key varchar(40) PRIMARY KEY, value bigint)")
            self.make_base()
            rows = self.insert_clocks()
            self.set_meta("event_max", self.max_id(self.t_event))
            self.set_meta("notification_max", self.max_id(self.t_notification))
            self.set_meta("alert_max", self.max_id(self.t_alert))
            self.set_meta("filled", 1)
        self.analyze(self.t_clock, self.t_alert, BASE)
        seconds = time.perf_counter() - started
        log(f"filled {rows:,} ticket clocks in {seconds:.1f}s")
        return {"clocks": rows, "fill_seconds": round(seconds, 2)}

    def make_base(self) -> None:
        # A fixed pseudo-random order: a multiplicative hash of the id, modulo a prime.
        marks = ", ".join(["%s"] * len(ACTIVE))
        columns = ", ".join(SNAPSHOT)
        self.sql(
            f"CREATE TABLE {BASE} AS SELECT id AS ticket_id, "
            f"(id * 2654435761 + %s) %% 4294967311 AS ord, 0 AS primed, {columns} "
            f'FROM "{self.t_ticket}" WHERE status IN ({marks})',
            [self.seed * 40503, *ACTIVE],
        )
        self.sql(f"CREATE UNIQUE INDEX {BASE}_id ON {BASE} (ticket_id)")
        self.sql(f"CREATE INDEX {BASE}_ord ON {BASE} (ord, ticket_id)")

    def insert_clocks(self) -> int:
        from bench.generate import insert_active_clocks
        from sampark.core import clock

        return insert_active_clocks(self.writer, seed=self.seed, now=clock.now())

    # -- 2. reset and priming --

    def undo_sweeps(self) -> None:
        """Delete what sweeps wrote since the fill (or the last priming) and restore tickets."""
        self.sql(f'DELETE FROM "{self.t_alert}" WHERE id > %s', [self.meta("alert_max")])
        self.sql(f'DELETE FROM "{self.t_event}" WHERE id > %s', [self.meta("event_max")])
        self.sql(
            f'DELETE FROM "{self.t_notification}" WHERE id > %s',
            [self.meta("notification_max")],
        )
        changed = f'"{self.t_ticket}".id = b.ticket_id AND "{self.t_ticket}".version <> b.version'
        assignments = ", ".join(f"{c} = b.{c}" for c in SNAPSHOT)
        self.sql(f'UPDATE "{self.t_ticket}" SET {assignments} FROM {BASE} b WHERE {changed}')

    def due_ids(self, n: int) -> list[int]:
        if not n:
            return []
        rows = self.sql(f"SELECT ticket_id FROM {BASE} ORDER BY ord, ticket_id LIMIT %s", [n])
        return [row[0] for row in rows]

    def reset(self, n: int) -> dict:
        """Exactly ``n`` clocks due; everything the previous sweeps did undone."""
        from sampark.sla.models import TicketClock

        started = time.perf_counter()
        with self.atomic():
            self.undo_sweeps()
        due = self.due_ids(n)
        primed = self.prime(due)
        now = self.now()
        with self.atomic():
            self.sql(
                f'UPDATE "{self.t_clock}" SET next_deadline = %s WHERE next_deadline < %s',
                [self.ts(now + timedelta(days=3)), self.ts(now + timedelta(days=1))],
            )
            if n:
                self.sql(
                    f'UPDATE "{self.t_clock}" SET next_deadline = %s WHERE ticket_id IN '
                    f"(SELECT ticket_id FROM {BASE} ORDER BY ord, ticket_id LIMIT %s)",
                    [self.ts(now - timedelta(minutes=1)), n],
                )
        if self.pg:
            self.analyze(self.t_clock, self.t_alert, self.t_notification)
        due_now = TicketClock.objects.filter(next_deadline__lte=self.now()).count()
        if due_now != n:
            raise SystemExit(f"reset left {due_now} clocks due instead of {n}")
        return {"reset_seconds": round(time.perf_counter() - started, 2), "primed": primed}

    def prime(self, due: list[int]) -> int:
        """Record as fired every crossing of each due ticket but its latest (steady state), or,
        with --catch-up, remove every alert of the due tickets."""
        if not due:
            return 0
        if self.catch_up:
            with self.atomic():
                for chunk in _chunks(due, 900):
                    marks = ", ".join(["%s"] * len(chunk))
                    self.sql(f'DELETE FROM "{self.t_alert}" WHERE ticket_id IN ({marks})', chunk)
                    self.sql(f"UPDATE {BASE} SET primed = 0 WHERE ticket_id IN ({marks})", chunk)
                self.set_meta("alert_max", self.max_id(self.t_alert))
            return 0
        todo = []
        for chunk in _chunks(due, 900):
            marks = ", ".join(["%s"] * len(chunk))
            rows = self.sql(
                f"SELECT ticket_id FROM {BASE} WHERE primed = 0 AND ticket_id IN ({marks})",
                chunk,
            )
            todo.extend(row[0] for row in rows)
        if not todo:
            return 0
        started = time.perf_counter()
        alerts = 0
        for index, chunk in enumerate(_chunks(sorted(todo), 1000)):
            with self.atomic():
                alerts += self._prime_chunk(chunk)
                self.set_meta("alert_max", self.max_id(self.t_alert))
            if index % 10 == 9:
                log(f"  primed {(index + 1) * 1000:,}/{len(todo):,} tickets")
        self.analyze(self.t_alert)
        log(
            f"primed {len(todo):,} tickets ({alerts:,} past crossings recorded as fired) "
            f"in {time.perf_counter() - started:.1f}s"
        )
        return len(todo)

    def _prime_chunk(self, ids: list[int]) -> int:
        from sampark.calendars.services import default_calendar
        from sampark.sla import services
        from sampark.sla.models import SLAPolicy

        now = self.now()
        policies = list(
            SLAPolicy.objects.filter(active=True).prefetch_related("priorities", "groups")
        )
        # The sweep's own batch loaders: tickets with what matching needs, and history rows.
        tickets, events = services._load_many(ids)
        fired = services._fired_by_ticket(ids)
        calendar = default_calendar()
        rows = []
        dt = self.writer.dt
        created = dt(time.time())
        for ticket_id in ids:
            ticket = tickets[ticket_id]
            policy = services.match_policy(ticket, policies)
            states = services.compute(
                ticket, policy, events[ticket_id], now, fallback_calendar=calendar
            )
            crossings = sorted(
                (at, target, kind, cycle)
                for target, state in states.items()
                for kind, cycle, at in state.crossings
                if (target, kind, cycle) not in fired[ticket_id]
            )
            for _at, target, kind, cycle in crossings[:-1]:
                rows.append((ticket_id, target, kind, cycle, created))
        self.writer.insert(
            self.t_alert, ["ticket_id", "target", "kind", "cycle", "created_at"], rows
        )
        marks = ", ".join(["%s"] * len(ids))
        self.sql(f"UPDATE {BASE} SET primed = 1 WHERE ticket_id IN ({marks})", ids)
        return len(rows)

    # -- 3. timing --

    def server_cpu(self) -> float | None:
        """CPU seconds used so far by the PostgreSQL backend serving this connection (read from
        /proc: the server runs on this machine), or None."""
        if not self.pg:
            return None
        pid = self.sql("SELECT pg_backend_pid()")[0][0]
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def run_sweep(self, sweep, shapes: bool = False) -> tuple[float, float, object, QueryLog]:
        """Wall seconds, CPU seconds, the result and the queries of one sweep. CPU time is this
        process's plus, on PostgreSQL, that of the server backend serving it: on a busy machine
        it is the better guide to what the sweep would take on an idle one."""
        queries = QueryLog(shapes=shapes)
        options = {} if self.batch is None else {"batch": self.batch}
        if self.fixed_now:
            options["now"] = self.fixed_now
        server = self.server_cpu()
        with self.connection.execute_wrapper(queries):
            cpu = time.process_time()
            started = time.perf_counter()
            result = sweep.function(**options)
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
        if server is not None:
            after = self.server_cpu()
            cpu += (after - server) if after is not None else 0.0
        return seconds, cpu, result, queries

    def empty(self, runs: int) -> list[dict]:
        """The sweep with nothing due: its fixed cost, whatever the number of tickets."""
        self.reset(0)
        times: dict[str, list[float]] = defaultdict(list)
        counts: dict[str, int] = {}
        for _ in range(runs):
            for sweep in self.sweeps:
                seconds, _cpu, result, queries = self.run_sweep(sweep)
                if result.tickets:
                    raise SystemExit(f"the empty sweep processed {result.tickets} tickets")
                times[sweep.name].append(seconds)
                counts[sweep.name] = queries.count
        claims = [s for s in queries.statements if self.t_clock in s[0] and "SELECT" in s[0]]
        self.claim = claims[0] if claims else None
        return [
            {
                "sweep": sweep.name,
                "runs": runs,
                "median_ms": round(statistics.median(times[sweep.name]) * 1000, 3),
                "min_ms": round(min(times[sweep.name]) * 1000, 3),
                "queries": counts[sweep.name],
            }
            for sweep in self.sweeps
        ]

    def measure(self, n: int, repeat: int, budget: float, shapes: bool) -> list[dict]:
        """Up to ``repeat`` runs of each sweep at ``n`` due, interleaved so that they share
        the machine's ups and downs; a sweep stops repeating once over ``budget`` seconds."""
        sweeps = [sweep for sweep in self.sweeps if sweep.max_due is None or n <= sweep.max_due]
        runs: dict[str, list] = {sweep.name: [] for sweep in sweeps}
        resets: dict[str, list] = {sweep.name: [] for sweep in sweeps}
        shape_logs: dict[str, QueryLog] = {}
        for index in range(repeat):
            for sweep in sweeps:
                done = runs[sweep.name]
                spent = sum(run[0] for run in done)
                if done and spent + done[-1][0] > budget:
                    if len(done) == index:
                        log(f"due {n:,}: {sweep.name} stops at {index} run(s), --budget {budget}s")
                    continue
                resets[sweep.name].append(self.reset(n))
                log(f"due {n:,}: {sweep.name} run {index + 1}/{repeat} ...")
                profile = shapes and sweep.name not in shape_logs
                seconds, cpu, result, queries = self.run_sweep(sweep, shapes=profile)
                if profile:
                    shape_logs[sweep.name] = queries
                failed = getattr(result, "failed", 0)
                if result.tickets + failed != n:
                    raise SystemExit(f"the sweep processed {result.tickets} tickets, not {n}")
                done.append((seconds, cpu, result, queries.count))
                log(
                    f"due {n:,}: {sweep.name} {seconds:.3f}s (CPU {cpu:.3f}s), "
                    f"{seconds / n * 1000:.2f} ms/ticket, {queries.count / n:.1f} queries/ticket; "
                    f"{result}"
                )
        rows = []
        for sweep in sweeps:
            times = [run[0] for run in runs[sweep.name]]
            cpu = statistics.median(run[1] for run in runs[sweep.name])
            _seconds, _cpu, last, count = runs[sweep.name][-1]
            median = statistics.median(times)
            row = {
                "sweep": sweep.name,
                "due": n,
                "runs": len(times),
                "median_s": round(median, 4),
                "min_s": round(min(times), 4),
                "max_s": round(max(times), 4),
                "per_ticket_ms": round(median / n * 1000, 3),
                "cpu_median_s": round(cpu, 4),
                "cpu_per_ticket_ms": round(cpu / n * 1000, 3),
                "tickets": last.tickets,
                "warnings": last.warnings,
                "breaches": last.breaches,
                "reminders": last.reminders,
                "failed": getattr(last, "failed", 0),
                "queries": count,
                "queries_per_ticket": round(count / n, 1),
                "primed": sum(r["primed"] for r in resets[sweep.name]),
                "reset_s": resets[sweep.name][-1]["reset_seconds"],
            }
            shape_log = shape_logs.get(sweep.name)
            if shape_log is not None:
                top = sorted(shape_log.by_shape.items(), key=lambda item: -item[1][1])[:25]
                row["query_shapes"] = [
                    {"count": c, "per_ticket": round(c / n, 2), "ms": round(t * 1000, 1), "sql": q}
                    for q, (c, t) in top
                ]
            rows.append(row)
        return rows

    # -- plans and fingerprints --

    def plan(self) -> dict:
        """The claim query (the first statement of an empty sweep) as the database plans it."""
        if not self.claim:
            return {}
        sql, params = self.claim
        out = {"sql": sql}
        if self.pg:
            from django.db import transaction

            out["explain"] = [r[0] for r in self.sql(f"EXPLAIN {sql}", params)]
            with transaction.atomic():
                rows = self.sql(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                transaction.set_rollback(True)
            out["explain_analyze"] = [r[0] for r in rows]
        else:
            rows = self.sql(f"EXPLAIN QUERY PLAN {sql}", params)
            out["explain"] = [str(r[-1]) for r in rows]
        return out

    def fingerprint(self, n: int) -> dict:
        """A digest of the alerts, events and notifications the last sweep wrote and the clocks
        it left for the due tickets (times excluded: they differ from run to run)."""
        digest = {}
        queries = {
            "alerts": (
                f'SELECT ticket_id, target, kind, cycle FROM "{self.t_alert}" WHERE id > %s',
                "alert_max",
            ),
            "events": (
                f'SELECT ticket_id, kind, data FROM "{self.t_event}" WHERE id > %s',
                "event_max",
            ),
            "notifications": (
                f'SELECT recipient_id, ticket_id, kind, title FROM "{self.t_notification}" '
                "WHERE id > %s",
                "notification_max",
            ),
        }
        for name, (statement, key) in queries.items():
            rows = sorted(
                tuple(str(v) for v in row) for row in self.sql(statement, [self.meta(key)])
            )
            digest[name] = _digest(rows)
        rows = self.sql(
            f'SELECT c.ticket_id, c.policy_id, c.clocks FROM "{self.t_clock}" c '
            f"WHERE c.ticket_id IN (SELECT ticket_id FROM {BASE} ORDER BY ord, ticket_id LIMIT %s)",
            [n],
        )
        clocks = []
        for ticket_id, policy_id, payload in rows:
            data = json.loads(payload) if isinstance(payload, str) else payload
            clocks.append((ticket_id, policy_id, json.dumps(data, sort_keys=True)))
        digest["clocks"] = _digest(sorted(clocks))
        return digest


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _digest(rows) -> str:
    text = "\n".join("|".join(map(str, row)) for row in rows)
    return f"{len(rows)}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def _counts(text: str) -> list[int]:
    return [int(part.replace("_", "").replace(",", "")) for part in text.split(",") if part]


def report(payload: dict) -> str:
    mode = "catch-up" if payload["catch_up"] else "steady state"
    lines = [
        f"backend {payload['backend']}: {payload['tickets']:,} tickets, "
        f"{payload['active']:,} active, {payload['clocks']:,} clocks ({mode})",
        "",
        "| sweep | due | runs | median s | ms per due ticket | CPU s | CPU ms per ticket "
        "| queries/ticket | warnings | breaches | reminders |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in payload["runs"]:
        lines.append(
            f"| {row['sweep']} | {row['due']:,} | {row['runs']} | {row['median_s']:.3f} | "
            f"{row['per_ticket_ms']:.2f} | {row['cpu_median_s']:.3f} | "
            f"{row['cpu_per_ticket_ms']:.2f} | {row['queries_per_ticket']} | "
            f"{row['warnings']:,} | {row['breaches']:,} | {row['reminders']:,} |"
        )
    lines += ["", "| sweep | empty sweep median ms | min ms | runs | queries |"]
    lines += ["|---|---:|---:|---:|---:|"]
    for row in payload["empty"]:
        lines.append(
            f"| {row['sweep']} | {row['median_ms']:.2f} | {row['min_ms']:.2f} | {row['runs']} "
            f"| {row['queries']} |"
        )
    plan = payload.get("plan") or {}
    if plan:
        lines += ["", "claim query:", plan["sql"], "plan, nothing due:", *plan.get("explain", [])]
        lines += plan.get("explain_analyze", [])
    plan = payload.get("plan_due") or {}
    if plan:
        lines += ["", f"plan, {plan['due']:,} due:", *plan.get("explain", [])]
        lines += plan.get("explain_analyze", [])
    failed = [
        f"{row['sweep']} at {row['due']:,}: {row['failed']}"
        for row in payload["runs"]
        if row.get("failed")
    ]
    if failed:
        lines += ["", f"tickets that failed (logged): {', '.join(failed)}"]
    for row in payload["runs"]:
        if row.get("query_shapes"):
            lines += ["", f"query shapes, {row['sweep']} at {row['due']:,} due (by total time):"]
            lines += [
                f"{s['count']:>8} {s['per_ticket']:>6}/t {s['ms']:>9.1f} ms  {s['sql']}"
                for s in row["query_shapes"]
            ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sla_sweep", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--due", type=_counts, default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per due count")
    parser.add_argument("--empty-repeat", type=int, default=7, help="timed empty sweeps")
    parser.add_argument(
        "--budget",
        type=float,
        default=1800,
        help="stop repeating a due count once its runs would take longer than this (seconds)",
    )
    parser.add_argument("--batch", type=int, help="the sweep's batch (default: its own)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--refill", action="store_true", help="redo the ticket clocks")
    parser.add_argument(
        "--catch-up", action="store_true", help="fire every past crossing, not just the latest"
    )
    parser.add_argument(
        "--sweep",
        default="sampark.sla.services:sweep",
        help="module:function[@max due], comma-separated to compare (runs are interleaved)",
    )
    parser.add_argument(
        "--queries", action="store_true", help="time queries by shape in the first run"
    )
    parser.add_argument(
        "--fingerprint", action="store_true", help="digest what each due count's last run wrote"
    )
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        help="a fixed, timezone-aware time for the sweep and the priming, at most a day ahead "
        "(to compare implementations with --fingerprint)",
    )
    parser.add_argument("--out", help="results as JSON (default $SAMPARK_HOME/sla_sweep.json)")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from sampark.tickets.models import Ticket

    call_command("migrate", interactive=False, verbosity=0)
    if not Ticket.objects.exists():
        raise SystemExit(
            "No tickets: generate a data set first, e.g. python -m bench.generate --tickets 1000000"
        )
    bench = SweepBench(
        seed=args.seed, catch_up=args.catch_up, sweep=args.sweep, batch=args.batch, now=args.now
    )
    payload = {
        "machine": machine(),
        "code": code_version(),
        "backend": bench.writer.vendor,
        "tickets": Ticket.objects.count(),
        "active": Ticket.objects.filter(status__in=ACTIVE).count(),
        "sweep": args.sweep,
        "catch_up": args.catch_up,
        "batch": args.batch,
        "now": args.now,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    payload |= bench.fill(args.refill)
    payload["empty"] = bench.empty(args.empty_repeat)
    log(f"empty sweep: {payload['empty']}")
    payload["plan"] = bench.plan()
    if args.due:
        bench.reset(args.due[0])  # the same query with tickets due
        payload["plan_due"] = {"due": args.due[0]} | bench.plan()
    payload["runs"] = []
    for n in args.due:
        rows = bench.measure(n, args.repeat, args.budget, args.queries)
        if args.fingerprint:
            rows[-1]["fingerprint"] = bench.fingerprint(n)
            log(f"due {n:,}: fingerprint of {rows[-1]['sweep']}: {rows[-1]['fingerprint']}")
        payload["runs"].extend(rows)
    bench.reset(0)
    payload["machine"]["load_average_end"] = machine().get("load_average")
    if code_version() != payload["code"]:
        payload["code_changed_during_run"] = code_version()
        log("warning: the SLA code changed on disk during the run; this process ran the old one")
    out = Path(args.out) if args.out else Path(settings.SAMPARK_HOME) / "sla_sweep.json"
    out.write_text(json.dumps(payload, indent=1, default=str))
    print(report(payload))
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
