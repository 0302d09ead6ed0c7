"""Running the ASGI application (sampark/asgi.py) under uvicorn, for ``sampark serve``."""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess, multiprocess

LISTEN_BACKLOG = 2048


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


class FairServer(uvicorn.Server):
    """A worker that takes one waiting connection at a time from the shared socket.

    asyncio accepts up to ``backlog`` connections each time the listening socket is ready, so
    when a client opened several kept-alive connections at once, the first worker to wake
    took all of them and served them under one GIL while the other workers idled. Workers
    here are configured with a backlog of 1, so each wake-up accepts one connection and the
    rest go to whichever worker is free; the kernel's queue for the shared socket is set back
    to LISTEN_BACKLOG once the worker is serving (asyncio re-listens with the backlog)."""

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        for sock in sockets or ():
            sock.listen(LISTEN_BACKLOG)


class FairProcess(multiprocess.Process):
    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = FairServer(config=self.config)
        return self._server


def serve(*, host: str, port: int, workers: int, log_level: str, access_log: bool) -> None:
    config = ServeConfig(
        "sampark.asgi:application",
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=access_log,
        lifespan="off",
        backlog=1 if workers > 1 else LISTEN_BACKLOG,
    )
    if config.workers > 1:
        # uvicorn's supervisor makes (and remakes, when a worker dies) its workers from this
        # module-level name; every worker it starts is a FairProcess.
        multiprocess.Process = FairProcess
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
