"""Running the ASGI application (sampark/asgi.py) under uvicorn, for ``sampark serve``."""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


class ServeConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        """The listening socket that several worker processes share. uvicorn creates it with
        protocol 0, so asyncio never sets TCP_NODELAY on the connections the workers accept,
        and every small response on a kept-alive connection waited ~40 ms for the client's
        delayed ACK. Linux gives accepted connections the option of the listening socket."""
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


def serve(*, host: str, port: int, workers: int, log_level: str, access_log: bool) -> None:
    config = ServeConfig(
        "sampark.asgi:application",
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=access_log,
        lifespan="off",
    )
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
