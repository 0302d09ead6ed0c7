"""Running the ASGI application (sampark/serving/asgi.py) under uvicorn, for ``sampark serve``."""

from __future__ import annotations

import asyncio
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

LISTEN_BACKLOG = 2048
# A worker that already holds connections waits this long per connection held (at most
# ACCEPT_WAIT_STEPS of them) before it takes a new one, so that a less busy worker takes it.
ACCEPT_WAIT = 0.001
ACCEPT_WAIT_STEPS = 4


class ServeConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        """The listening socket that several worker processes share. uvicorn creates it with
        protocol 0, so asyncio never sets TCP_NODELAY on the connections the workers accept,
        and every small response on a kept-alive connection waited ~40 ms for the client's
        delayed ACK. Linux gives accepted connections the option of the listening socket."""
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.listen(LISTEN_BACKLOG)
        return sock


class FairAcceptLoop(asyncio.SelectorEventLoop):
    """An event loop whose servers share out the connections of a listening socket that
    several worker processes wait on.

    Every worker is woken when a connection arrives. asyncio accepts up to ``backlog`` waiting
    connections per wake-up, so when a client (a load balancer, a benchmark) opened several
    kept-alive connections at once, the first worker awake took all of them and served them
    under one GIL while the others idled, and which worker that was changed from run to run.
    Here a worker takes one connection per wake-up, and only at once if it holds none; a
    worker that holds some waits ``ACCEPT_WAIT`` per connection held (at most
    ``ACCEPT_WAIT_STEPS``) and then takes one if another worker has not. Connections go to the
    least busy worker, at the price of a few milliseconds for the connection, not its
    requests, on a busy one.

    This overrides ``_accept_connection``, which asyncio's selector loops call for a ready
    listening socket (Python 3.11 to 3.13 keep its signature)."""

    def _accept_connection(self, protocol_factory, sock, sslcontext=None, server=None, *rest):
        held = getattr(server, "_active_count", 0)
        backlog, *rest = rest or (1,)
        if not held:
            super()._accept_connection(protocol_factory, sock, sslcontext, server, 1, *rest)
            return
        fd = sock.fileno()
        self._remove_reader(fd)
        args = (protocol_factory, sock, sslcontext, server, backlog, *rest)
        self.call_later(min(held, ACCEPT_WAIT_STEPS) * ACCEPT_WAIT, self._accept_after_wait, args)

    def _accept_after_wait(self, args) -> None:
        protocol_factory, sock, sslcontext, server, backlog, *rest = args
        if sock.fileno() == -1 or (server is not None and not server.is_serving()):
            return  # closed while waiting
        self._add_reader(sock.fileno(), self._accept_connection, *args)
        super()._accept_connection(protocol_factory, sock, sslcontext, server, 1, *rest)


def serve(*, host: str, port: int, workers: int, log_level: str, access_log: bool) -> None:
    config = ServeConfig(
        "sampark.serving.asgi:application",
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=access_log,
        lifespan="off",
        backlog=LISTEN_BACKLOG,
        loop="sampark.serving.server:FairAcceptLoop",  # uvicorn calls it to make the loop,
    )
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
