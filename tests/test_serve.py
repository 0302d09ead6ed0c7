"""How ``sampark serve`` workers share out the connections of the socket they listen on."""

import asyncio
import contextlib
import os
import socket
import threading
import time

import pytest

from sampark.serving import server as serving
from sampark.serving.server import LISTEN_BACKLOG, FairAcceptLoop, ServeConfig


class Worker(threading.Thread):
    """One worker's event loop serving the shared socket, counting the connections it took.
    Threads stand in for uvicorn's worker processes: each has its own loop and selector."""

    def __init__(self, sock: socket.socket):
        super().__init__(daemon=True)
        self.sock, self.taken, self.ready = sock, 0, threading.Event()
        self.loop = FairAcceptLoop()

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)
        worker = self

        class Held(asyncio.Protocol):
            def connection_made(self, transport):
                worker.taken += 1

        async def main():
            self.server = await self.loop.create_server(
                Held, sock=self.sock, backlog=LISTEN_BACKLOG
            )
            self.ready.set()
            await self.server.serve_forever()

        with contextlib.suppress(asyncio.CancelledError):  # serve_forever, when closed
            self.loop.run_until_complete(main())

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.join(timeout=5)


def listening_socket() -> socket.socket:
    sock = ServeConfig("sampark.serving.asgi:application", host="127.0.0.1", port=0).bind_socket()
    sock.setblocking(False)
    return sock


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_connections_go_to_the_worker_that_holds_the_fewest(monkeypatch):
    """A client's kept-alive connections spread over the workers: a worker that holds
    connections waits before it takes another, and an idle worker takes it at once. (The wait
    is long here so that the order does not depend on how fast the threads wake.)"""
    monkeypatch.setattr(serving, "ACCEPT_WAIT", 0.3)
    sock = listening_socket()
    workers = [Worker(sock.dup()), Worker(sock.dup())]  # as forked processes hold it
    clients = []
    try:
        for worker in workers:
            worker.start()
            worker.ready.wait(5)
        for n in range(1, 5):
            clients.append(socket.create_connection(sock.getsockname()))
            wait_for(lambda n=n: sum(w.taken for w in workers) == n)
        assert sorted(w.taken for w in workers) == [2, 2]
    finally:
        for client in clients:
            client.close()
        for worker in workers:
            worker.stop()
        sock.close()


def test_a_burst_of_connections_is_queued_and_all_are_taken():
    """One connection per wake-up must not shorten the kernel's queue: a burst waits for the
    workers instead of being refused, and the workers take all of it."""
    sock = listening_socket()
    worker = Worker(sock)
    clients = []
    try:
        worker.start()
        worker.ready.wait(5)
        for _ in range(40):
            client = socket.socket()
            client.settimeout(2)
            client.connect(sock.getsockname())
            clients.append(client)
        wait_for(lambda: worker.taken == 40)
    finally:
        for client in clients:
            client.close()
        worker.stop()
        sock.close()


def test_serve_uses_the_fair_loop_and_a_long_kernel_queue():
    config = ServeConfig(
        "sampark.serving.asgi:application",
        host="127.0.0.1",
        port=0,
        backlog=LISTEN_BACKLOG,
        loop="sampark.serving.server:FairAcceptLoop",
    )
    assert config.get_loop_factory() is FairAcceptLoop
    assert config.backlog == LISTEN_BACKLOG


@pytest.mark.parametrize("held", [0, 1, 9])
def test_the_wait_grows_with_the_connections_held_up_to_a_cap(held):
    waits = []
    loop = FairAcceptLoop()
    try:
        loop.call_later = lambda delay, *args: waits.append(delay)  # record, do not schedule
        loop._remove_reader = lambda fd: None

        class Server:
            _active_count = held

            def is_serving(self):
                return True

        accepted = []
        loop._accept_after_wait = accepted.append
        sock = socket.socket()
        try:
            sock.setblocking(False)
            sock.bind(("127.0.0.1", 0))
            sock.listen(8)
            loop._accept_connection(lambda: None, sock, None, Server(), 100)
        finally:
            sock.close()
    finally:
        loop.close()
    expected = [] if held == 0 else [min(held, serving.ACCEPT_WAIT_STEPS) * serving.ACCEPT_WAIT]
    assert waits == expected


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
