"""Serve django-helpdesk under uvicorn and measure it on Sampark's benchmark operations.

Run it with the helpdesk virtualenv, after setup.sh and generate.py, from anywhere:

    bench/.helpdesk/venv/bin/python bench/helpdesk/run.py [--duration 20] [--repeat 3]

It starts ``uvicorn hdproject.asgi:application --workers 2 --no-access-log`` (DEBUG off) on a
free loopback port, logs in through django-helpdesk's own login form (a session cookie, plus
the CSRF token for writes), checks one call of each operation, then drives them with
``bench.loadgen.run_load``, the load generator of Sampark's ``bench.http_bench``, with the same
defaults: 20 s measured after 2 s of warm-up, reads at concurrency 4, creates at 16, repeats
interleaved, medians reported, and the server's resident memory (uvicorn and its workers)
idle, after, and at its peak (sampled every second).

Operations, by Sampark scenario (README.md says why each is the closest equivalent):
  create         POST /api/tickets/, django-helpdesk's DRF API, as a staff user: a new
                 submitter e-mail nine times in ten, a known one the tenth
  queue          the staff ticket list's data call for ?queue=Q&status=1&status=2&sort=priority:
                 GET /datatables_ticket_list/<query>?start=0&length=50; Q is the biggest queue
                 three times in four; every fourth request reads page 2 or 3 (start=50, 100)
  detail         the staff ticket page, GET /tickets/<id>/ (HTML, with all its follow-ups)
  timeline       the ticket list's "Timeline" tab for a search on the customer's e-mail
                 (django-helpdesk has no customer record, nor a submitter filter): every
                 follow-up of every matching ticket, GET /timeline_ticket_list/<query>
Extra, for context:
  queue_page     the HTML page the queue data call belongs to, GET /tickets/?queue=Q&...
  timeline_list  the list's data call for that search, newest first, 50 rows
  my_tickets     the customer's own view, GET /api/user_tickets/?page_size=50 (exact match on
                 submitter_email), logged in as the customer
  api_detail     GET /api/tickets/<id>/ (JSON with follow-ups): a few sequential probes, not a
                 load run: its viewset reads every ticket on each call (see README.md)
An operation whose first (checking) call takes longer than --slow-seconds is run once, on
--slow-requests requests, instead of --repeat timed runs.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
STATE = Path(os.environ.get("HELPDESK_STATE", REPO / "bench" / ".helpdesk"))
# Absolute: the server runs in project/, so a relative path would point elsewhere there.
DATA = Path(os.environ.get("HELPDESK_BENCH_HOME", STATE / "data")).resolve()
sys.path.insert(0, str(REPO))

from bench.loadgen import (  # noqa: E402
    LoadStats,
    ServerProcess,
    cpu_seconds,
    free_port,
    peak_memory,
    rss_breakdown_mb,
    run_load,
)

SCENARIOS = ("create", "queue", "detail", "timeline")
EXTRAS = ("queue_page", "timeline_list", "my_tickets")
ALL_OPS = (*SCENARIOS, *EXTRAS, "api_detail")
JSON_OPS = {"create", "queue", "timeline", "timeline_list", "my_tickets"}
PAGE = 50
# Some of django-helpdesk's calls take minutes at 1M tickets: wait for them (loadgen's own
# client timeout is 30 s) rather than count the client giving up as the server's error.
TIMEOUT = 900.0  # seconds; both httpx and bench.loadgen.LeanClient take it

FIRST = ["Aarav", "Priya", "Rahul", "Sunita", "Imran", "Lakshmi", "Gurpreet", "Joseph"]
LAST = ["Sharma", "Verma", "Khan", "Iyer", "Singh", "Patel", "Das", "Fernandes"]
CREATE_TEXTS = [
    (
        "Order {o} not delivered yet",
        "Ordered a pressure cooker, tracking has not moved in {d} "
        "days. Please check with the courier in {c}.",
    ),
    ("ऑर्डर {o} अभी तक नहीं मिला", "{d} दिन से ट्रैकिंग में कोई बदलाव नहीं है। {c} के कूरियर से पता कीजिए।"),
    (
        "Refund {o} abhi tak nahi aaya",
        "Return pickup {d} din pehle ho gaya, refund ab tak "
        "pending hai. {c} branch se confirm karo please.",
    ),
]
CITIES = ["Pune", "Lucknow", "Indore", "Patna", "Jaipur", "Kochi"]


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ops", default=",".join(ALL_OPS), help=f"comma list of {','.join(ALL_OPS)}")
    p.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    p.add_argument("--duration", type=float, default=20.0, help="measured seconds a run")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up a run")
    p.add_argument("--repeat", type=int, default=3, help="runs per operation (medians)")
    p.add_argument("--concurrency", type=int, default=4, help="for the reads")
    p.add_argument("--create-concurrency", type=int, default=16)
    p.add_argument(
        "--slow-seconds",
        type=float,
        default=5.0,
        help="an operation whose first call takes longer runs once, on --slow-requests requests",
    )
    p.add_argument("--slow-requests", type=int, default=8)
    p.add_argument("--api-detail-probes", type=int, default=2)
    p.add_argument("--label", default="")
    p.add_argument(
        "--json",
        dest="json_out",
        type=Path,
        default=None,
        help="default bench/results/helpdesk-<tickets>.json",
    )
    p.add_argument(
        "--keep-created",
        action="store_true",
        help="keep tickets created by earlier runs (default: delete them first)",
    )
    args = p.parse_args(argv)
    args.ops = [o.strip() for o in args.ops.split(",") if o.strip()]
    unknown = set(args.ops) - set(ALL_OPS)
    if unknown:
        p.error(f"unknown operations: {', '.join(sorted(unknown))}")
    return args


# --- the server -----------------------------------------------------------------------------


def server_env() -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="hdproject.settings")
    env["HELPDESK_BENCH_HOME"] = str(DATA)
    env.pop("HELPDESK_DEBUG", None)
    return env


def manage(*args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=HERE / "project",
        env=server_env(),
        check=True,
        capture_output=True,
    )


class Server(ServerProcess):
    def __init__(self, *, workers: int, port: int, log_path: Path):
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "hdproject.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        super().__init__(
            command,
            name="django-helpdesk",
            base=f"http://127.0.0.1:{port}",
            log_path=log_path,
            env=server_env(),
            cwd=HERE / "project",
        )

    def wait_ready(self, timeout: float = 120.0) -> float:
        return self.wait_until_ok("/login/", timeout)


# --- sessions and the list page's queries ---------------------------------------------------


async def login(base: str, username: str, password: str) -> dict:
    """Log in through django-helpdesk's login form; headers carrying the session and the CSRF
    token (DRF's SessionAuthentication wants it on writes)."""
    async with httpx.AsyncClient(timeout=60) as c:
        r = await c.get(f"{base}/login/")
        m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text)
        if not m:
            raise RuntimeError("no CSRF token on the login page")
        r = await c.post(
            f"{base}/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": m.group(1),
                "next": "/tickets/",
            },
            headers={"Referer": f"{base}/login/"},
        )
        if r.status_code != 302 or "sessionid" not in c.cookies:
            raise RuntimeError(f"login of {username} failed: {r.status_code}")
        session, csrf = c.cookies["sessionid"], c.cookies["csrftoken"]
    return {"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf}


async def list_query(base: str, auth: dict, params: list[tuple[str, str]]) -> str:
    """The base64 query that the staff ticket list page (/tickets/?...) embeds in its
    datatables and timeline URLs: taken from the page, so it is exactly what the UI sends."""
    async with httpx.AsyncClient(timeout=TIMEOUT) as c:
        r = await c.get(f"{base}/tickets/?{urlencode(params)}", headers=auth)
        r.raise_for_status()
    data = re.search(r'datatables_ticket_list/([A-Za-z0-9+/=]*)"', r.text)
    timeline = re.search(r"timeline_ticket_list/([A-Za-z0-9+/=]*)'", r.text)
    if not data or not timeline or data.group(1) != timeline.group(1):
        raise RuntimeError("the ticket list page has no datatables/timeline URL")
    return data.group(1)


def search_query(template: str, email: str) -> str:
    """``template`` with another search string, encoded as helpdesk.query.query_to_base64
    does (json.dumps with its defaults, then base64)."""
    query = json.loads(base64.b64decode(template)) | {"search_string": email}
    return base64.b64encode(json.dumps(query).encode()).decode("ascii")


# --- request factories ----------------------------------------------------------------------


def datatables(query: str, start: int = 0) -> str:
    # What DataTables sends, less the per-column parameters the view ignores; no order[...]
    # (the page sets order: []), so the view sorts by the query's own "sorting".
    return f"/datatables_ticket_list/{query}?draw=1&start={start}&length={PAGE}&search%5Bvalue%5D="


class Ops:
    def __init__(
        self,
        base: str,
        manifest: dict,
        staff: dict,
        customers: list[dict],
        queue_queries: dict[int, str],
        search_template: str,
    ):
        self.base, self.m, self.staff, self.customers = base, manifest, staff, customers
        self.queue_queries = queue_queries
        self.template = search_template
        self.emails = manifest["sample_emails"]
        rng = random.Random(7)
        self.ticket_ids = [rng.randint(1, manifest["max_ticket_id"]) for _ in range(2000)]
        self._search: dict[str, str] = {}

    def search(self, email: str) -> str:
        if email not in self._search:
            self._search[email] = search_query(self.template, email)
        return self._search[email]

    def factory(self, name: str, run_id: int):
        return getattr(self, f"make_{name}")(random.Random(run_id), run_id)

    async def get(self, client, path: str, headers: dict | None = None):
        return await client.get(self.base + path, headers=headers or self.staff, timeout=TIMEOUT)

    def make_create(self, rng, run_id):
        queues = self.m["queues"]

        async def f(client, i):
            title, body = CREATE_TEXTS[i % len(CREATE_TEXTS)]
            slots = {
                "o": f"OD{rng.randrange(4_100_000_000, 4_999_999_999)}",
                "d": rng.randrange(3, 21),
                "c": rng.choice(CITIES),
            }
            if i % 10 == 9:
                email = rng.choice(self.emails)
            else:
                email = f"{rng.choice(FIRST)}.{rng.choice(LAST)}.r{run_id}n{i}@example.in"
            payload = {
                "queue": rng.choice(queues),
                "title": title.format(**slots),
                "description": body.format(**slots),
                "submitter_email": email.lower(),
                "priority": 3,
            }
            return await client.post(
                f"{self.base}/api/tickets/", json=payload, headers=self.staff, timeout=TIMEOUT
            )

        return f

    def _queue_pick(self, rng) -> int:
        big = self.m["big_queue"]
        return big if rng.random() < 0.75 else rng.choice(self.m["queues"])

    def make_queue(self, rng, run_id):
        pending: list[tuple[int, int]] = []  # (queue, page) still to read

        async def f(client, i):
            page = 1
            if i % 4 == 3 and pending:
                queue, page = pending.pop(0)
            else:
                queue = self._queue_pick(rng)
            r = await self.get(client, datatables(self.queue_queries[queue], (page - 1) * PAGE))
            follow = page < 3 and len(pending) < 64 and (page > 1 or i % 8 == 0)
            if follow and r.status_code == 200:
                with contextlib.suppress(ValueError):
                    if r.json().get("recordsFiltered", 0) > page * PAGE:
                        pending.append((queue, page + 1))
            return r

        return f

    def make_queue_page(self, rng, run_id):
        async def f(client, i):
            queue = self._queue_pick(rng)
            params = [("queue", queue), ("status", 1), ("status", 2), ("sort", "priority")]
            return await self.get(client, f"/tickets/?{urlencode(params)}")

        return f

    def make_detail(self, rng, run_id):
        async def f(client, i):
            return await self.get(client, f"/tickets/{rng.choice(self.ticket_ids)}/")

        return f

    def make_timeline(self, rng, run_id):
        async def f(client, i):
            return await self.get(
                client, f"/timeline_ticket_list/{self.search(rng.choice(self.emails))}"
            )

        return f

    def make_timeline_list(self, rng, run_id):
        async def f(client, i):
            return await self.get(client, datatables(self.search(rng.choice(self.emails))))

        return f

    def make_my_tickets(self, rng, run_id):
        async def f(client, i):
            return await self.get(
                client, f"/api/user_tickets/?page_size={PAGE}", rng.choice(self.customers)
            )

        return f


async def build_ops(base: str, manifest: dict) -> Ops:
    staff = await login(base, manifest["staff"]["username"], manifest["staff"]["password"])
    customers = [
        await login(base, a["username"], a["password"]) for a in manifest["customer_accounts"][:8]
    ]
    queue_queries = {}
    for q in manifest["queues"]:
        params = [("queue", q), ("status", 1), ("status", 2), ("sort", "priority")]
        queue_queries[q] = await list_query(base, staff, params)
    # Newest first, as Sampark's timeline; the search string is swapped per customer.
    template = await list_query(
        base,
        staff,
        [("q", manifest["sample_emails"][0]), ("sort", "created"), ("sortreverse", "1")],
    )
    return Ops(base, manifest, staff, customers, queue_queries, template)


async def check(ops: Ops, names: list[str]) -> tuple[list[str], dict[str, float]]:
    """One call of each operation (which also warms it): a redirect to the login page or an
    error page must not pass for a fast answer. Problems, and each call's seconds."""
    problems, took = [], {}
    async with httpx.AsyncClient() as client:
        for name in names:
            t = time.perf_counter()
            r = await ops.factory(name, 0)(client, 0)
            took[name] = time.perf_counter() - t
            kind = r.headers.get("content-type", "")
            if r.status_code != (201 if name == "create" else 200):
                problems.append(f"{name}: {r.status_code} from {r.request.url.path}")
            elif ("json" in kind) != (name in JSON_OPS):
                problems.append(f"{name}: {kind}")
            elif name == "queue" and len(r.json()["data"]) != min(
                PAGE, r.json()["recordsFiltered"]
            ):
                problems.append(f"queue: {len(r.json()['data'])} rows")
            elif name == "timeline" and not r.json().get("events"):
                problems.append("timeline: no events")
    return problems, took


async def probe_api_detail(ops: Ops, probes: int) -> dict:
    """Sequential GET /api/tickets/<id>/, one at a time: not a load run."""
    times, statuses = [], []
    async with httpx.AsyncClient() as client:
        for k in range(probes):
            t = time.perf_counter()
            try:
                r = await ops.get(client, f"/api/tickets/{ops.ticket_ids[k]}/")
                statuses.append(r.status_code)
            except httpx.TimeoutException:
                statuses.append("timeout")
            times.append((time.perf_counter() - t) * 1000)
    return {
        "probes": probes,
        "statuses": statuses,
        "ms": [round(x, 1) for x in times],
        "p50": round(statistics.median(times), 1),
    }


# --- running --------------------------------------------------------------------------------


def summarise(runs: list[dict]) -> dict:
    keys = ("rps", "p50", "p95", "p99", "max", "mean", "server_cpu_ms", "client_cpu_ms")
    out = {k: round(statistics.median(r[k] for r in runs), 2) for k in keys}
    out["count"] = sum(r["count"] for r in runs)
    out["errors"] = sum(r["errors"] for r in runs)
    out["runs"] = len(runs)
    out["loadavg_1m"] = round(statistics.median(r["loadavg_1m"] for r in runs), 1)
    return out


async def measure(args, server: Server, manifest: dict) -> dict:
    ops = await build_ops(server.base, manifest)
    names = [n for n in ALL_OPS if n in args.ops and n != "api_detail"]
    problems, first = await check(ops, names)
    for problem in problems:
        print(f"  check: {problem}")
    if problems:
        raise SystemExit("django-helpdesk did not answer as expected; nothing measured")
    slow = {n for n in names if first[n] > args.slow_seconds}
    runs: dict[str, list[dict]] = {n: [] for n in names}
    api_detail = None
    async with peak_memory(server.process.pid) as peak:
        for repeat in range(args.repeat):
            for name in names:
                if name in slow and repeat:
                    continue
                conc = args.create_concurrency if name == "create" else args.concurrency
                run_id = (int(time.time()) % 10_000 * 10 + repeat) * 2
                if name in slow:
                    bound = {"total": args.slow_requests}
                else:
                    bound = {"duration": args.duration}
                    if args.warmup > 0:  # apart, as http_bench, so CPU counts cover the run only
                        warm = ops.factory(name, run_id + 1)
                        await run_load(warm, concurrency=conc, duration=args.warmup, warmup=0)
                load = os.getloadavg()[0]
                server_cpu, client_cpu = cpu_seconds(server.process.pid), time.process_time()
                stats: LoadStats = await run_load(
                    ops.factory(name, run_id), concurrency=conc, warmup=0, **bound
                )
                server_cpu = cpu_seconds(server.process.pid) - server_cpu
                client_cpu = time.process_time() - client_cpu
                per_request = 1000.0 / max(stats.count, 1)
                result = stats.as_dict() | {
                    "concurrency": conc,
                    "loadavg_1m": load,
                    "server_cpu_ms": round(server_cpu * per_request, 2),
                    "client_cpu_ms": round(client_cpu * per_request, 2),
                    "first_call_s": round(first[name], 3),
                }
                result["mode"] = (
                    f"{args.slow_requests} requests" if name in slow else f"{args.duration:g} s"
                )
                runs[name].append(result)
                print(
                    f"  [{repeat + 1}/{args.repeat}] {name:<13} c={conc:<3} {stats}; "
                    f"server CPU/request {result['server_cpu_ms']:.1f} ms; load {load:.1f}",
                    flush=True,
                )
                for sample in stats.error_samples[:2]:
                    print(f"      error: {sample}")
        if "api_detail" in args.ops and args.api_detail_probes > 0:
            print(f"  api_detail: {args.api_detail_probes} sequential probes", flush=True)
            api_detail = await probe_api_detail(ops, args.api_detail_probes)
            print(f"  api_detail: {api_detail['ms']} ms, statuses {api_detail['statuses']}")
    return {
        "runs": runs,
        "api_detail": api_detail,
        "peak_rss_mb": round(peak["rss_mb"], 1),
        "peak_anon_mb": round(peak["anon_mb"], 1),
        "problems": problems,
    }


def print_table(res: dict) -> None:
    print()
    print(
        f"{res['label']}: django-helpdesk {res['helpdesk_version']} (Django "
        f"{res['django_version']}), {res['tickets']:,} tickets on {res['backend']}, "
        f"{res['workers']} workers, {res['duration']:g}s x {res['repeat']} runs"
    )
    print(
        f"{'operation':<14}{'conc':>5}{'req/s':>9}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}"
        f"{'max ms':>10}{'errors':>7}{'CPU ms':>8}{'load':>6}  runs"
    )
    for name, s in res["summary"].items():
        print(
            f"{name:<14}{s['concurrency']:>5}{s['rps']:>9.2f}{s['p50']:>10.1f}"
            f"{s['p95']:>10.1f}{s['p99']:>10.1f}{s['max']:>10.1f}{s['errors']:>7}"
            f"{s['server_cpu_ms']:>8.1f}{s['loadavg_1m']:>6.1f}  {s['mode']}"
        )
    if res["api_detail"]:
        a = res["api_detail"]
        print(
            f"{'api_detail':<14}{1:>5}{'':>9}{a['p50']:>10.1f}{'':>40}  "
            f"{a['probes']} sequential, statuses {a['statuses']}"
        )
    rss = res["rss_mb"]
    print(
        f"server RSS: {rss['idle']:.0f} MB idle, {rss['after']:.0f} MB after, "
        f"{rss['peak']:.0f} MB peak ({res['server_processes']} processes); of it anonymous "
        f"{rss['anon_idle']:.0f} / {rss['anon_after']:.0f} / {rss['anon_peak']:.0f} MB"
    )
    print("CPU ms = server (uvicorn and workers) CPU time per request, median of the runs")


def main(argv=None) -> int:
    args = parse_args(argv)
    manifest_path = DATA / "manifest.json"
    if not manifest_path.exists():
        print(f"no {manifest_path}: run bench/helpdesk/generate.py first", file=sys.stderr)
        return 2
    manifest = json.loads(manifest_path.read_text())
    if not args.keep_created:
        # Tickets from an earlier run's create step would make this run's data bigger.
        manage(
            "shell",
            "-c",
            "from helpdesk.models import Ticket; "
            f"Ticket.objects.filter(id__gt={manifest['max_ticket_id']}).delete()",
        )
    label = args.label or f"helpdesk-{manifest['database']}-{manifest['tickets']:,}"
    log_path = Path(tempfile.gettempdir()) / f"helpdesk-bench-{os.getpid()}.log"
    server = Server(workers=args.workers, port=free_port(), log_path=log_path)
    print(f"{label}: starting {' '.join(server.command)} (log {log_path})", flush=True)
    started = datetime.now(UTC)
    try:
        print(f"up after {server.wait_ready():.1f}s", flush=True)
        idle = rss_breakdown_mb(server.process.pid)
        measured = asyncio.run(measure(args, server, manifest))
        after = rss_breakdown_mb(server.process.pid)
        processes = server.processes()
    finally:
        server.stop()

    summary = {}
    for name, runs in measured["runs"].items():
        summary[name] = summarise(runs) | {
            "concurrency": runs[0]["concurrency"],
            "mode": f"{len(runs)} x {runs[0]['mode']}",
        }
    res = {
        "label": label,
        "system": "django-helpdesk",
        "helpdesk_version": version("django-helpdesk"),
        "django_version": version("Django"),
        "uvicorn_version": version("uvicorn"),
        "started_at": started.isoformat(timespec="seconds"),
        "backend": manifest["database"],
        "tickets": manifest["tickets"],
        "followups": manifest["followups"],
        "workers": args.workers,
        "duration": args.duration,
        "warmup": args.warmup,
        "repeat": args.repeat,
        "server_command": server.command,
        "command": " ".join([sys.executable, *sys.argv]),
        "machine": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_end": os.getloadavg(),
        },
        "summary": summary,
        "api_detail": measured["api_detail"],
        "rss_mb": {
            "idle": round(idle["rss"], 1),
            "after": round(after["rss"], 1),
            "peak": measured["peak_rss_mb"],
            "anon_idle": round(idle["anon"], 1),
            "anon_after": round(after["anon"], 1),
            "anon_peak": measured["peak_anon_mb"],
            "file_after": round(after["file"], 1),
        },
        "server_processes": processes,
        "runs": measured["runs"],
    }
    out = args.json_out or REPO / "bench" / "results" / f"helpdesk-{manifest['tickets']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, ensure_ascii=False, indent=1))
    print_table(res)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
