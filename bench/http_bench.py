"""HTTP benchmark of a running Sampark over loopback, on the database ``bench.generate`` made.

    .venv/bin/python -m bench.http_bench [--duration 20] [--label sqlite-1M] [--workers 2]
                                         [--json out.json] [--repeat 3]

It starts ``sampark serve --host 127.0.0.1 --port <free port> --workers W --no-access-log``
on the database selected by ``SAMPARK_HOME`` / ``SAMPARK_DATABASE_URL`` (with
``SAMPARK_API_RATE=1000000/m`` so the per-token rate limit stays out of the way), waits for
``GET /healthz`` and measures, with the token and samples from ``$SAMPARK_HOME/bench.json``:

  create    POST /api/v1/tickets at concurrency 16: bilingual content, mostly new requesters
  queue     GET /api/v1/groups/{id}/queue?limit=50 at concurrency 4, following next_cursor to
            pages 2 and 3 on every fourth request
  detail    GET /api/v1/tickets/{id} (the ticket and its last 50 events) at concurrency 4
  timeline  GET /api/v1/contacts/{id}/timeline?limit=50 at concurrency 4

then the server's resident memory (all its processes). It prints a table and writes JSON.
With ``--repeat N`` the scenarios run N times, interleaved, and the table shows medians.
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
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.generate import CITIES, FIRST_NAMES, LAST_NAMES, TOPICS, phone_for
from bench.loadgen import (
    LeanClient,
    LeanResponse,
    LoadStats,
    ServerProcess,
    cpu_seconds,
    free_port,
    peak_memory,
    rss_breakdown_mb,
    run_load,
)

SCENARIOS = ("create", "queue", "detail", "timeline")
HEALTH_TIMEOUT = 600.0  # the first start may migrate a large database


def sampark_home() -> Path:
    if home := os.environ.get("SAMPARK_HOME"):
        return Path(home)
    import platformdirs

    return Path(platformdirs.user_data_dir("sampark", appauthor=False))


def sampark_command() -> list[str]:
    script = Path(sys.executable).with_name("sampark")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sampark.cli"]


# --- the server -----------------------------------------------------------------------------


class Server(ServerProcess):
    def __init__(self, *, workers: int, port: int, extra: list[str], log_path: Path):
        self.port = port
        command = [
            *sampark_command(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            *extra,
        ]
        super().__init__(
            command,
            name="the server",
            base=f"http://127.0.0.1:{port}",
            log_path=log_path,
            env={"SAMPARK_API_RATE": "1000000/m", **os.environ},
        )

    def wait_healthy(self, timeout: float = HEALTH_TIMEOUT) -> float:
        return self.wait_until_ok("/healthz", timeout)


# --- request factories ----------------------------------------------------------------------


def _content(rng: random.Random, i: int) -> tuple[str, str, str]:
    topic = TOPICS[rng.randrange(len(TOPICS))]
    variant = ("en", "hi", "hl")[i % 3]
    subject, description = getattr(topic, variant)
    city_en, city_hi = CITIES[rng.randrange(len(CITIES))]
    slots = {
        "product": rng.choice(topic.products),
        "city": city_hi if variant == "hi" else city_en,
        "order": f"OD{rng.randrange(4_100_000_000, 4_999_999_999)}",
        "amount": f"{rng.randrange(199, 25_000):,}",
        "days": rng.randrange(3, 21),
        "serial": f"SN{rng.randrange(16**8):08X}",
        "account": f"AC{rng.randrange(10_000_000, 99_999_999)}",
        "last4": f"{rng.randrange(10_000):04d}",
        "hour": rng.randrange(8, 20),
    }
    language = "en" if variant == "en" else "hi"
    return subject.format(**slots), description.format(**slots), language


def create_factory(base: str, headers: dict, bench: dict, run_id: int):
    """POST /api/v1/tickets; nine in ten requesters are new people, one in ten is known."""
    rng = random.Random(run_id)
    known = bench.get("requesters") or []
    url = f"{base}/api/v1/tickets"

    async def factory(client: LeanClient, i: int) -> LeanResponse:
        subject, description, language = _content(rng, i)
        if known and i % 10 == 9:
            person = known[rng.randrange(len(known))]
            requester = {k: person[k] for k in ("name", "email", "phone", "language")}
        else:
            first, first_hi = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
            last, last_hi = LAST_NAMES[rng.randrange(len(LAST_NAMES))]
            name = f"{first_hi} {last_hi}" if language == "hi" and i % 2 else f"{first} {last}"
            requester = {
                "name": name,
                "email": f"{first}.{last}.r{run_id}n{i}@example.in".lower(),
                # Far above the generated contacts' indexes, so new numbers, still valid +91.
                "phone": phone_for(100_000_000 + (run_id % 3000) * 100_000 + i),
                "language": language,
            }
        body = {
            "subject": subject,
            "description": description,
            "channel": "email",
            "requester": requester,
            "priority": "P3",
        }
        return await client.post(url, json=body, headers=headers)

    return factory


def _next_cursor(response: LeanResponse) -> str | None:
    if response.status_code != 200:
        return None
    try:
        return response.json().get("next_cursor")
    except ValueError:
        return None


def queue_factory(base: str, headers: dict, bench: dict, run_id: int):
    """The group queue, page 1 mostly; every fourth request follows a saved next_cursor."""
    rng = random.Random(run_id)
    groups = bench["group_ids"]
    big = bench.get("big_group_id", groups[0])
    pending: list[tuple[int, int, str]] = []  # (group, page, cursor)

    async def factory(client: LeanClient, i: int) -> LeanResponse:
        params: dict = {"limit": 50}
        page = 1
        if i % 4 == 3 and pending:
            group, page, cursor = pending.pop(0)
            params["cursor"] = cursor
        else:
            group = big if rng.random() < 0.75 else rng.choice(groups)
        response = await client.get(
            f"{base}/api/v1/groups/{group}/queue", params=params, headers=headers
        )
        follow = page < 3 and len(pending) < 64 and (page > 1 or i % 8 == 0)
        if follow and (cursor := _next_cursor(response)):
            pending.append((group, page + 1, cursor))
        return response

    return factory


def detail_factory(base: str, headers: dict, bench: dict, run_id: int):
    rng = random.Random(run_id)
    ids = bench["ticket_ids"]

    async def factory(client: LeanClient, i: int) -> LeanResponse:
        return await client.get(f"{base}/api/v1/tickets/{rng.choice(ids)}", headers=headers)

    return factory


def timeline_factory(base: str, headers: dict, bench: dict, run_id: int):
    rng = random.Random(run_id)
    ids = bench["contact_ids"]

    async def factory(client: LeanClient, i: int) -> LeanResponse:
        return await client.get(
            f"{base}/api/v1/contacts/{rng.choice(ids)}/timeline",
            params={"limit": 50},
            headers=headers,
        )

    return factory


FACTORIES = {
    "create": create_factory,
    "queue": queue_factory,
    "detail": detail_factory,
    "timeline": timeline_factory,
}


def check_contract(base: str, headers: dict, bench: dict) -> list[str]:
    """One request of each kind, checked against the contract; a list of problems."""
    problems = []
    with httpx.Client(timeout=30.0, headers=headers) as client:
        group = bench.get("big_group_id", bench["group_ids"][0])
        r = client.get(f"{base}/api/v1/groups/{group}/queue", params={"limit": 50})
        body = r.json() if r.status_code == 200 else {}
        if r.status_code != 200 or "items" not in body or "next_cursor" not in body:
            problems.append(f"queue: {r.status_code} {r.text[:200]}")
        elif len(body["items"]) != 50 or not body["next_cursor"]:
            problems.append(f"queue: {len(body['items'])} items, next_cursor {body['next_cursor']}")
        r = client.get(f"{base}/api/v1/tickets/{bench['ticket_ids'][0]}")
        if r.status_code != 200 or not isinstance(r.json().get("events"), list):
            problems.append(f"detail: {r.status_code} {r.text[:200]}")
        r = client.get(f"{base}/api/v1/contacts/{bench['contact_ids'][0]}/timeline")
        if r.status_code != 200 or "items" not in r.json():
            problems.append(f"timeline: {r.status_code} {r.text[:200]}")
    return problems


# --- running ----------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def summarise(runs: list[dict]) -> dict:
    keys = ("rps", "p50", "p95", "p99", "max", "mean", "server_cpu_ms", "client_cpu_ms")
    keys += ("db_cpu_ms",)
    out = {k: round(_median([r[k] for r in runs]), 2) for k in keys}
    out["count"] = sum(r["count"] for r in runs)
    out["errors"] = sum(r["errors"] for r in runs)
    out["runs"] = len(runs)
    out["loadavg_1m"] = round(_median([r["loadavg_1m"] for r in runs]), 1)
    return out


async def measure(args, server: Server, bench: dict) -> dict:
    headers = {"Authorization": f"Bearer {bench['token']}"}
    runs: dict[str, list[dict]] = {name: [] for name in args.scenarios}
    async with peak_memory(server.process.pid) as peak:
        for repeat in range(args.repeat):
            for name in args.scenarios:
                concurrency = args.create_concurrency if name == "create" else args.concurrency
                run_id = (int(time.time()) % 10_000 * 10 + repeat) * 2
                if args.warmup > 0:  # warmed up apart, so that the CPU counts cover the run only
                    warm = FACTORIES[name](server.base, headers, bench, run_id + 1)
                    await run_load(warm, concurrency=concurrency, duration=args.warmup, warmup=0)
                factory = FACTORIES[name](server.base, headers, bench, run_id)
                load = os.getloadavg()[0]
                server_cpu, client_cpu = cpu_seconds(server.process.pid), time.process_time()
                db_cpu = cpu_seconds(args.db_pid) if args.db_pid else 0.0
                stats: LoadStats = await run_load(
                    factory, concurrency=concurrency, duration=args.duration, warmup=0
                )
                server_cpu = cpu_seconds(server.process.pid) - server_cpu
                client_cpu = time.process_time() - client_cpu
                db_cpu = cpu_seconds(args.db_pid) - db_cpu if args.db_pid else 0.0
                per_request = 1000.0 / max(stats.count, 1)
                result = stats.as_dict() | {
                    "concurrency": concurrency,
                    "loadavg_1m": load,
                    "server_cpu_ms": round(server_cpu * per_request, 2),
                    "client_cpu_ms": round(client_cpu * per_request, 2),
                    "db_cpu_ms": round(db_cpu * per_request, 2),
                }
                runs[name].append(result)
                print(
                    f"  [{repeat + 1}/{args.repeat}] {name:<9} c={concurrency:<3} {stats}; "
                    f"CPU/request server {result['server_cpu_ms']:.1f} ms, "
                    f"client {result['client_cpu_ms']:.1f} ms, database server "
                    f"{result['db_cpu_ms']:.1f} ms; load {load:.1f}"
                )
                for sample in stats.error_samples[:2]:
                    print(f"      error: {sample}")
    return {
        "runs": runs,
        "peak_rss_mb": round(peak["rss_mb"], 1),
        "peak_anon_mb": round(peak["anon_mb"], 1),
    }


def print_table(result: dict) -> None:
    print()
    print("CPU columns: ms of CPU per request (server processes, database server, load driver)")
    print(
        f"{result['label']}: {result['tickets']:,} tickets on {result['backend']}, "
        f"{result['workers']} workers, {result['duration']:.0f}s x {result['repeat']} runs"
    )
    print(
        f"{'scenario':<10}{'conc':>5}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'errors':>8}{'srv CPU':>9}{'db CPU':>8}{'cli CPU':>9}{'load':>6}"
    )
    for name, s in result["summary"].items():
        print(
            f"{name:<10}{s['concurrency']:>5}{s['rps']:>9.1f}{s['p50']:>9.1f}{s['p95']:>9.1f}"
            f"{s['p99']:>9.1f}{s['max']:>9.1f}{s['errors']:>8}{s['server_cpu_ms']:>9.1f}"
            f"{s['db_cpu_ms']:>8.1f}{s['client_cpu_ms']:>9.1f}{s['loadavg_1m']:>6.1f}"
        )
    rss = result["rss_mb"]
    print(
        f"server RSS (all processes): {rss['idle']:.0f} MB idle, {rss['after']:.0f} MB after, "
        f"{rss['peak']:.0f} MB peak; of it anonymous {rss['anon_idle']:.0f} / "
        f"{rss['anon_after']:.0f} / {rss['anon_peak']:.0f} MB, file-backed (mmap) "
        f"{rss['file_after']:.0f} MB after"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.http_bench", description=__doc__)
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds a run")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up a run")
    parser.add_argument("--label", default="")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--json", dest="json_out", help="write the results here")
    parser.add_argument("--repeat", type=int, default=1, help="runs per scenario (medians)")
    parser.add_argument("--concurrency", type=int, default=4, help="for the read scenarios")
    parser.add_argument("--create-concurrency", type=int, default=16)
    parser.add_argument(
        "--scenarios",
        type=lambda s: [x.strip() for x in s.split(",") if x.strip()],
        default=list(SCENARIOS),
        help="comma-separated subset of " + ",".join(SCENARIOS),
    )
    parser.add_argument("--bench-file", help="default $SAMPARK_HOME/bench.json")
    parser.add_argument(
        "--serve-arg", action="append", default=[], help="extra argument for sampark serve"
    )
    parser.add_argument(
        "--db-pid",
        type=int,
        help="PostgreSQL postmaster pid: also count the CPU of its processes per request "
        "(use a cluster of your own, or other sessions are counted too)",
    )
    args = parser.parse_args(argv)
    with contextlib.suppress(AttributeError):
        sys.stdout.reconfigure(line_buffering=True)  # progress lines even when piped
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")

    bench_file = Path(args.bench_file) if args.bench_file else sampark_home() / "bench.json"
    if not bench_file.exists():
        parser.error(f"{bench_file} not found: run `python -m bench.generate` first")
    bench = json.loads(bench_file.read_text())
    label = args.label or f"{bench['backend']}-{bench['tickets']:,}"

    log_path = Path(tempfile.gettempdir()) / f"sampark-http-bench-{os.getpid()}.log"
    server = Server(workers=args.workers, port=free_port(), extra=args.serve_arg, log_path=log_path)
    print(f"{label}: starting {' '.join(server.command)} (log {log_path})")
    try:
        started_in = server.wait_healthy()
        print(f"healthy after {started_in:.1f}s")
        problems = check_contract(server.base, {"Authorization": f"Bearer {bench['token']}"}, bench)
        for problem in problems:
            print(f"  contract: {problem}")
        idle = rss_breakdown_mb(server.process.pid)
        measured = asyncio.run(measure(args, server, bench))
        after = rss_breakdown_mb(server.process.pid)
    finally:
        server.stop()

    summary = {}
    for name, runs in measured["runs"].items():
        summary[name] = summarise(runs) | {"concurrency": runs[0]["concurrency"]}
    result = {
        "label": label,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "backend": bench["backend"],
        "tickets": bench["tickets"],
        "events": bench.get("events"),
        "workers": args.workers,
        "duration": args.duration,
        "warmup": args.warmup,
        "repeat": args.repeat,
        "server_command": server.command,
        "contract_problems": problems,
        "machine": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_end": os.getloadavg(),
        },
        "summary": summary,
        "rss_mb": {
            "idle": round(idle["rss"], 1),
            "after": round(after["rss"], 1),
            "peak": measured["peak_rss_mb"],
            "anon_idle": round(idle["anon"], 1),
            "anon_after": round(after["anon"], 1),
            "anon_peak": measured["peak_anon_mb"],
            "file_after": round(after["file"], 1),
        },
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
