"""Running the ASGI application (sampark/serving/asgi.py) under uvicorn, for ``sampark serve``.

With several workers, each worker process listens on a socket of its own, all bound to the
same address with ``SO_REUSEPORT``, and the kernel hands each new connection to one of them.
uvicorn's own way (one socket shared by every worker, each accepting from it) let one worker
take every connection that arrived at once: asyncio accepts all the pending connections when
it wakes, so 4 kept-alive connections (a benchmark's, or a proxy's to its upstream) often all
landed on one worker, which then ran their requests one after another while the other idled,
and their latency was four times a request's. Only Linux spreads connections over sockets
bound with ``SO_REUSEPORT`` (macOS and the BSDs give them all to one), so elsewhere uvicorn's
shared socket is used.

The sockets are TCP sockets (``IPPROTO_TCP``), so asyncio sets TCP_NODELAY on every
connection a worker accepts: a small response on a kept-alive connection goes out at once,
without waiting ~40 ms for the client's delayed ACK.

A worker that dies after it started is started again; one that cannot start (the address is
taken, the application does not load) stops the server with its error.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
import time

import uvicorn

APPLICATION = "sampark.serving.asgi:application"
STARTED_AFTER = 5.0  # a worker alive this long had started: if it dies, it is replaced
logger = logging.getLogger("uvicorn.error")


def serve(*, host: str, port: int, workers: int, log_level: str, access_log: bool) -> None:
    options = {
        "host": host,
        "port": port,
        "log_level": log_level,
        "access_log": access_log,
        "lifespan": "off",
    }
    if workers <= 1 or not sys.platform.startswith("linux"):
        uvicorn.run(APPLICATION, workers=workers, **options)
        return
    config = uvicorn.Config(APPLICATION, workers=workers, **options)
    config.configure_logging()
    _check_free(host, port)
    sys.exit(Workers(config, workers).run())


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn tells them apart


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to the address beside the other workers' (``SO_REUSEPORT``)."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _check_free(host: str, port: int) -> None:
    """Refuse an address that something else listens on: with SO_REUSEPORT, another server of
    the same user could otherwise share it unnoticed."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            logger.error("cannot listen on %s:%s: %s", host, port, error)
            sys.exit(3)


def _work(config: uvicorn.Config) -> None:
    """One worker process: its own socket, then uvicorn until it is told to stop."""
    config.configure_logging()
    try:
        sock = listening_socket(config.host, config.port)
    except OSError as error:
        logger.error("cannot listen on %s:%s: %s", config.host, config.port, error)
        sys.exit(3)
    uvicorn.Server(config).run(sockets=[sock])


class Workers:
    """Starts ``count`` worker processes, replaces one that dies, and stops them all on
    SIGINT or SIGTERM (each finishes the requests it has, as uvicorn does)."""

    def __init__(self, config: uvicorn.Config, count: int):
        self.config, self.count = config, count
        self.context = multiprocessing.get_context("spawn")
        self.stopping = threading.Event()
        self.processes: list[tuple[multiprocessing.Process, float]] = []

    def start_one(self) -> tuple[multiprocessing.Process, float]:
        process = self.context.Process(target=_work, args=(self.config,), daemon=False)
        process.start()
        return process, time.monotonic()

    def run(self) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_args: self.stopping.set())
        logger.info("Started parent process [%s]", multiprocessing.current_process().pid)
        self.processes = [self.start_one() for _ in range(self.count)]
        failed = 0
        while not self.stopping.wait(0.5):
            for index, (process, started) in enumerate(self.processes):
                if process.is_alive():
                    continue
                if time.monotonic() - started < STARTED_AFTER:
                    logger.error(
                        "worker %s could not start (exit %s)", process.pid, process.exitcode
                    )
                    failed = process.exitcode or 3
                    self.stopping.set()
                    break
                logger.warning(
                    "worker %s died (exit %s): starting another", process.pid, process.exitcode
                )
                self.processes[index] = self.start_one()
        self.stop_all()
        return failed

    def stop_all(self) -> None:
        for process, _started in self.processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes what it has, then exits
        deadline = time.monotonic() + 30
        for process, _started in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(5)
        logger.info("Stopped parent process [%s]", multiprocessing.current_process().pid)
