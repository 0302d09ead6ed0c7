"""Running the ASGI application (sampark/serving/asgi.py) under uvicorn, for ``sampark serve``.

With several workers uvicorn binds one listening socket and each worker process accepts from
it. uvicorn (0.55 and later) makes that socket as a TCP socket, so asyncio sets TCP_NODELAY on
every connection a worker accepts: a small response on a kept-alive connection goes out at
once, without waiting ~40 ms for the client's delayed ACK.
"""

from __future__ import annotations

import uvicorn


def serve(*, host: str, port: int, workers: int, log_level: str, access_log: bool) -> None:
    uvicorn.run(
        "sampark.serving.asgi:application",
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=access_log,
        lifespan="off",
    )
