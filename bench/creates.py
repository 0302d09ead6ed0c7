"""Ticket creates in-process: ``POST /api/v1/tickets`` through Django's test client, no HTTP.

A quick before/after check for a change to the create path, on a database made by
``bench.generate`` (its ``bench.json`` holds the token and known requesters)::

    SAMPARK_HOME=/tmp/spk-20k .venv/bin/python -m bench.generate --tickets 20000
    SAMPARK_HOME=/tmp/spk-20k .venv/bin/python -m bench.creates --count 2000 [--processes 2]

The payloads are ``bench.http_bench``'s: nine in ten requesters are new people, one in ten is
known. With ``--processes N`` the creates are shared among N processes on the same database at
once, so what a create holds inside its transaction (SQLite's one write lock, PostgreSQL's row
locks) shows in the throughput; one process measures the CPU a create costs. Each process
warms up first (compiled queries, caches); the figures are for the measured creates only.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import time
from pathlib import Path


def _payload(rng: random.Random, known: list[dict], run_id: int, i: int) -> dict:
    from bench.generate import FIRST_NAMES, LAST_NAMES, phone_for
    from bench.http_bench import _content

    subject, description, language = _content(rng, i)
    if known and i % 10 == 9:
        person = known[rng.randrange(len(known))]
        requester = {k: person[k] for k in ("name", "email", "phone", "language")}
    else:
        first, _first_hi = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
        last, _last_hi = LAST_NAMES[rng.randrange(len(LAST_NAMES))]
        requester = {
            "name": f"{first} {last}",
            "email": f"{first}.{last}.c{run_id}n{i}@example.in".lower(),
            "phone": phone_for(300_000_000 + (run_id % 3000) * 100_000 + i),
            "language": language,
        }
    return {
        "subject": subject,
        "description": description,
        "channel": "email",
        "requester": requester,
        "priority": "P3",
    }


def _run(count: int, warmup: int, run_id: int, start, results) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")
    os.environ["SAMPARK_API_RATE"] = "100000000/m"
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    bench = json.loads((Path(settings.SAMPARK_HOME) / "bench.json").read_text())
    client = Client(HTTP_AUTHORIZATION=f"Bearer {bench['token']}")
    rng = random.Random(run_id)
    known = bench.get("requesters") or []

    def create(i: int) -> None:
        response = client.post(
            "/api/v1/tickets",
            json.dumps(_payload(rng, known, run_id, i)),
            content_type="application/json",
        )
        if response.status_code != 201:
            raise SystemExit(f"create answered {response.status_code}: {response.content[:300]}")

    for i in range(warmup):
        create(i)
    start.wait()
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(warmup, warmup + count):
        create(i)
    results.put((time.perf_counter() - wall, time.process_time() - cpu, count))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="creates in all")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=100, help="creates per process first")
    parser.add_argument("--run-id", type=int, default=int(time.time()) % 100_000)
    args = parser.parse_args(argv)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(args.processes)
    results = context.Queue()
    share = args.count // args.processes
    workers = [
        context.Process(
            target=_run, args=(share, args.warmup, args.run_id * 10 + n, start, results)
        )
        for n in range(args.processes)
    ]
    for worker in workers:
        worker.start()
    done = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    walls, cpus, counts = zip(*done, strict=True)
    total = sum(counts)
    print(
        f"{total} creates in {max(walls):.2f} s: {total / max(walls):.0f} creates/s, "
        f"{1000 * sum(cpus) / total:.2f} ms of CPU a create ({args.processes} process(es))"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
