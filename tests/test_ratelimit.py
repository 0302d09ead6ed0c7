"""Rate limits hold across every server process: the counts live in the database, or in Redis
when it is configured, never in one process's memory."""

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
import time_machine
from django.db import connection

from sampark.api import ratelimit
from sampark.core.models import RateWindow

LIMIT, HITS_PER_PROCESS = 50, 60
# One window for the whole test, however long it runs: no edge to cross.
LONG_WINDOW = 10**8

HIT_ON_THE_SIGNAL = f"""
import sys
import django
django.setup()
from sampark.api import ratelimit
print("ready", flush=True)
sys.stdin.readline()
allowed = sum(
    ratelimit.hit("api", "agent-7", ({LIMIT}, {LONG_WINDOW})) for _ in range({HITS_PER_PROCESS})
)
print(allowed, flush=True)
"""


def hit_from_two_processes(env: dict) -> list[int]:
    """Two processes are started and set up, then both hit the same limit at once; how many
    hits each was allowed."""
    env = {**env, "DJANGO_SETTINGS_MODULE": "sampark.settings", "SAMPARK_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-c", HIT_ON_THE_SIGNAL]
    processes = [
        subprocess.Popen(  # noqa: S603 - our own interpreter
            command,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for process in processes:
            assert process.stdout.readline().strip() == "ready", process.stderr.read()
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        outputs = [process.communicate(timeout=60) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    for process, (_stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
    return [int(stdout.strip()) for stdout, _stderr in outputs]


# --- in the database ------------------------------------------------------------------------


@pytest.mark.slow
def test_a_limit_in_the_database_holds_across_two_processes(shared_database_url, tmp_path):
    env = {**os.environ, "SAMPARK_HOME": str(tmp_path)}
    env["SAMPARK_DATABASE_URL"] = shared_database_url
    env.pop("SAMPARK_REDIS_URL", None)

    allowed = hit_from_two_processes(env)

    assert sum(allowed) == LIMIT
    [(scope, key, _ends, hits)] = ratelimit._choose().windows()
    assert (scope, key, hits) == ("api", "agent-7", 2 * HITS_PER_PROCESS)


def test_hits_past_the_limit_are_refused_until_the_window_ends(db):
    limit = (3, 60)
    with time_machine.travel(1_800_000_030, tick=False) as traveller:
        assert [ratelimit.hit("api", "agent-1", limit) for _ in range(4)] == [1, 1, 1, 0]
        assert ratelimit.seen("api", "agent-1", limit) == 4

        traveller.shift(30)  # the window ends on the minute
        assert ratelimit.hit("api", "agent-1", limit)
        assert ratelimit.seen("api", "agent-1", limit) == 1


def test_each_scope_and_key_is_counted_apart(db):
    limit = (1, 60)
    assert ratelimit.hit("api", "agent-1", limit)
    assert ratelimit.hit("api", "agent-2", limit)
    assert ratelimit.hit("auth-fail", "agent-1", limit)
    assert not ratelimit.hit("api", "agent-1", limit)


def test_an_overlong_key_is_counted_under_its_first_characters(db):
    address = "x" * 5000

    assert ratelimit.hit("auth-fail", address, (1, 60))

    assert not ratelimit.hit("auth-fail", address, (1, 60))
    [(_scope, key, _ends, _hits)] = ratelimit.store().windows()
    assert key == address[: ratelimit.KEY_LENGTH]


def test_the_sweep_forgets_windows_that_have_ended_and_keeps_the_current_ones(db):
    from sampark.serving.worker import Worker

    with time_machine.travel(1_800_000_000, tick=False) as traveller:
        ratelimit.hit("api", "agent-1", (10, 60))
        ratelimit.hit("auth-fail", "10.0.0.1", (10, 3600))
        traveller.shift(120)
        ratelimit.hit("api", "agent-1", (10, 60))

        Worker(sweep_seconds=0).sweep()

        kept = {(scope, key, hits) for scope, key, _ends, hits in ratelimit.store().windows()}
    assert kept == {("api", "agent-1", 1), ("auth-fail", "10.0.0.1", 1)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="UNLOGGED is PostgreSQL's")
def test_the_counts_write_no_wal_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'core_ratewindow'")
        assert cursor.fetchone() == ("u",)


def test_a_limit_that_is_off_counts_nothing(db):
    assert all(ratelimit.hit("api", "agent-1", None) for _ in range(5))
    assert ratelimit.seen("api", "agent-1", None) == 0
    assert ratelimit.store().windows() == []


def test_on_sqlite_the_counts_stay_out_of_the_main_database(db):
    """A count written to the main database would queue for its one write lock and empty
    every other connection's page cache."""
    ratelimit.hit("api", "agent-1", (10, 60))

    if connection.vendor == "sqlite":
        assert isinstance(ratelimit.store(), ratelimit.SQLiteFileWindows)
        assert not RateWindow.objects.exists()
    else:
        assert RateWindow.objects.filter(scope="api", key="agent-1").exists()


# --- in Redis -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway redis-server on a free port, with nothing saved to disk."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    import redis

    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - Debian's redis-server
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.02)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.slow
def test_a_limit_in_redis_holds_across_two_processes(redis_url, tmp_path):
    env = {**os.environ, "SAMPARK_HOME": str(tmp_path), "SAMPARK_REDIS_URL": redis_url}

    allowed = hit_from_two_processes(env)

    assert sum(allowed) == LIMIT
    windows = ratelimit.RedisWindows(redis_url)
    window_ends = (int(time.time()) // LONG_WINDOW + 1) * LONG_WINDOW
    assert windows.count("api", "agent-7", window_ends) == 2 * HITS_PER_PROCESS


def test_a_window_in_redis_expires_when_it_ends(redis_url, monkeypatch):
    windows = ratelimit.RedisWindows(redis_url)
    monkeypatch.setattr(ratelimit, "_store", windows)
    limit = (2, 60)

    assert [ratelimit.hit("api", "agent-1", limit) for _ in range(3)] == [1, 1, 0]

    window_ends = (int(time.time()) // 60 + 1) * 60
    expires_at = windows.client.expiretime(f"sampark:rl:api:agent-1:{window_ends}")
    assert expires_at == window_ends + 1


def test_requests_are_let_through_when_redis_cannot_be_reached(monkeypatch, caplog):
    windows = ratelimit.RedisWindows(f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(ratelimit, "_store", windows)

    assert all(ratelimit.hit("api", "agent-1", (1, 60)) for _ in range(3))
    assert ratelimit.seen("auth-fail", "10.0.0.1", (1, 60)) == 0
    warnings = [r for r in caplog.records if "Redis is unreachable" in r.getMessage()]
    assert len(warnings) == 1  # once a minute, not once a request
