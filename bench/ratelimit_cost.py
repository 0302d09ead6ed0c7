"""What one rate-limit check costs an API request, on the store this environment selects.

    SAMPARK_HOME=/tmp/rl .venv/bin/python -m bench.ratelimit_cost [--hits 20000] [--processes 1]

Every API request makes two checks (sampark.api.v1.AgentToken): a read of its address's failed
authentications (``seen``) and a hit on its token's count (``hit``, an upsert, or INCR with
EXPIREAT in Redis). This migrates the database that ``SAMPARK_HOME`` / ``SAMPARK_DATABASE_URL``
select (or uses ``SAMPARK_REDIS_URL``), then times ``--hits`` of each over 20 tokens, in
``--processes`` processes at once, and prints microseconds per call, wall-clock and this
process's CPU (medians over the processes).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time

TOKENS = 20
LIMIT = (10**9, 60)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")
    import django

    django.setup()


def _per_call(calls: int, run) -> tuple[float, float]:
    """Wall-clock and this process's CPU microseconds per call."""
    wall, cpu = time.perf_counter(), time.process_time()
    for n in range(calls):
        run(n)
    return (
        (time.perf_counter() - wall) / calls * 1e6,
        (time.process_time() - cpu) / calls * 1e6,
    )


def _measure(hits: int, start: multiprocessing.Event) -> tuple[float, ...]:
    _setup()
    from django.db import connection

    from sampark.api import ratelimit

    ratelimit.hit("api", "warm-up", LIMIT)
    start.wait()
    hit = _per_call(hits, lambda n: ratelimit.hit("api", f"agent-{n % TOKENS}", LIMIT))
    seen = _per_call(hits, lambda n: ratelimit.seen("auth-fail", f"10.0.0.{n % TOKENS}", LIMIT))
    connection.close()
    return (*hit, *seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hits", type=int, default=20_000)
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()

    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from sampark.api import ratelimit

    call_command("migrate", interactive=False, verbosity=0)
    store = type(ratelimit.store()).__name__
    vendor = "redis" if settings.SAMPARK_REDIS_URL else connection.vendor
    connection.close()

    context = multiprocessing.get_context("spawn")
    start = context.Manager().Event()
    with context.Pool(args.processes) as pool:
        pending = pool.starmap_async(_measure, [(args.hits, start)] * args.processes)
        time.sleep(3)  # every process set up and warmed before any starts
        start.set()
        results = pending.get()
    hit, hit_cpu, seen, seen_cpu = (
        statistics.median(column) for column in zip(*results, strict=True)
    )
    print(
        f"{store} on {vendor}, {args.processes} process(es), {args.hits} calls each: "
        f"hit {hit:.1f} µs ({hit_cpu:.1f} µs CPU here), seen {seen:.1f} µs ({seen_cpu:.1f} µs CPU)"
    )


if __name__ == "__main__":
    main()
