"""``sampark serve``: how many processes it runs, the socket they share, and two of them
serving the API with one rate limit between them."""

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from sampark.team.services import issue_token

SAMPARK = Path(sys.executable).with_name("sampark")


def test_connections_accepted_from_the_shared_socket_send_small_responses_at_once():
    """asyncio sets TCP_NODELAY on what it accepts from a TCP socket, which uvicorn's shared
    socket is (since 0.55): no ~40 ms wait for a delayed ACK on a kept-alive connection."""
    config = uvicorn.Config("sampark.serving.asgi:application", host="127.0.0.1", port=0)
    sock = config.bind_socket()
    nodelay = []

    class Accepted(asyncio.Protocol):
        def connection_made(self, transport):
            option = socket.IPPROTO_TCP, socket.TCP_NODELAY
            nodelay.append(transport.get_extra_info("socket").getsockopt(*option))
            transport.close()

    async def accept_one():
        server = await asyncio.get_running_loop().create_server(Accepted, sock=sock)
        async with server:
            _reader, writer = await asyncio.open_connection(*sock.getsockname()[:2])
            while not nodelay:
                await asyncio.sleep(0.01)
            writer.close()

    try:
        asyncio.run(asyncio.wait_for(accept_one(), 5))
    finally:
        sock.close()
    assert nodelay == [1]


def test_serve_runs_one_process_per_core_by_default(monkeypatch):
    from sampark.cli import build_parser, default_workers

    monkeypatch.delenv("SAMPARK_WORKERS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert default_workers() == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert default_workers() == 2  # one slow view never stalls the whole server
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert default_workers() == 8

    monkeypatch.setenv("SAMPARK_WORKERS", "5")
    assert build_parser().parse_args(["serve"]).workers == 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def two_servers(shared_database_url, tmp_path):
    """``sampark serve --workers 2`` on this test's database, with a limit of 6 API requests
    a minute per token; its base URL once it answers."""
    port = free_port()
    env = {
        **os.environ,
        "SAMPARK_HOME": str(tmp_path),
        "SAMPARK_DATABASE_URL": shared_database_url,
        "SAMPARK_API_RATE": "6/m",
        "SAMPARK_LOG_LEVEL": "WARNING",
    }
    env.pop("SAMPARK_REDIS_URL", None)
    command = [str(SAMPARK), "serve", "--no-migrate", "--no-worker", "--workers", "2"]
    command += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    server = subprocess.Popen(  # noqa: S603 - our own executable
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read()
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "sampark serve did not answer"
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)


@pytest.mark.slow
def test_two_server_processes_serve_the_api_under_one_rate_limit(two_servers, agent):
    _token, secret = issue_token(agent, name="serve test")
    headers = {"Authorization": f"Bearer {secret}"}

    # The limit counts in windows of whole minutes: start the ten requests well inside one.
    if (left := 60 - time.time() % 60) < 20:
        time.sleep(left + 0.1)
    statuses = []
    for _request in range(10):  # a new connection each time, to either process
        with httpx.Client(base_url=two_servers, headers=headers, timeout=10) as client:
            statuses.append(client.get("/api/v1/groups").status_code)

    assert statuses == [200] * 6 + [429] * 4


def listening_sockets(port: int) -> int:
    """How many sockets listen on the loopback port (``/proc/net/tcp``, state 0A)."""
    wanted = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as table:
        rows = [line.split() for line in table.readlines()[1:]]
    return sum(1 for row in rows if row[1] == wanted and row[3] == "0A")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc/net/tcp")
def test_each_worker_listens_on_a_socket_of_its_own(two_servers):
    """The kernel spreads new connections over the workers' sockets (SO_REUSEPORT), instead of
    one worker accepting every connection that arrives at once from a shared socket."""
    port = int(two_servers.rsplit(":", 1)[1])
    deadline = time.monotonic() + 30  # the second may still be starting when the first answers
    while listening_sockets(port) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert listening_sockets(port) == 2
    clients = [httpx.Client(base_url=two_servers, timeout=10) for _ in range(24)]
    try:
        assert all(client.get("/healthz").status_code == 200 for client in clients)
    finally:
        for client in clients:
            client.close()


@pytest.mark.slow
def test_serve_refuses_an_address_in_use(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [str(SAMPARK), "serve", "--no-migrate", "--no-worker", "--workers", "2"]
        command += ["--port", str(port), "--log-level", "warning"]
        env = {**os.environ, "SAMPARK_HOME": str(tmp_path)}
        finished = subprocess.run(  # noqa: S603 - our own executable
            command, env=env, capture_output=True, text=True, timeout=60, check=False
        )
    assert finished.returncode == 3
    assert "cannot listen" in finished.stderr


@pytest.mark.slow
def test_small_responses_on_a_kept_alive_connection_come_back_at_once(two_servers):
    with httpx.Client(base_url=two_servers, timeout=10) as client:
        client.get("/healthz")
        took = []
        for _request in range(20):
            started = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            took.append(time.perf_counter() - started)

    assert statistics.median(took) < 0.02  # a delayed ACK would hold each one ~40 ms
