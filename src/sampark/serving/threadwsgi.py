"""An ASGI application that runs a WSGI application (Django's) on a fixed pool of threads.

Sampark's views are synchronous. Django's own ASGI handler would run each one in a fresh
thread with a fresh database connection, so ``sampark serve`` hands HTTP to Django's WSGI
handler on threads that keep theirs. This bridge does that with one hop between the event loop
and a pool thread per request: the request body is read on the loop first, the view runs in a
pool thread, and the response comes back whole. The body is bounded by its limit (an upload's,
``SAMPARK_UPLOAD_MAX_BYTES``, or everything else's, ``DATA_UPLOAD_MAX_MEMORY_SIZE``), and one
larger than a JSON body may be goes to a temporary file as it arrives, not into memory.
Profiles of a2wsgi, which did this before, showed about a sixth of a ticket page's CPU in
waking the event loop from the pool thread: it crossed threads for the body, the status line
and every body chunk. Long responses (files) still stream, in pieces of ``STREAM_PIECE``
bytes, one hop each.
"""

from __future__ import annotations

import asyncio
import io
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

from sampark.serving.middleware import is_upload, language_asked, too_large

STREAM_PIECE = 256 * 1024
_DONE = object()


class BodyTooLarge(Exception):
    pass


class ThreadedWSGI:
    """``max_body`` bounds a body, ``max_upload`` an upload's (multipart/form-data; by default
    the same). A body over ``spool_after`` bytes (by default ``max_body``) is written to a
    temporary file in ``spool_dir`` as it arrives."""

    def __init__(
        self,
        wsgi_app,
        *,
        threads: int,
        max_body: int | None,
        max_upload: int | None = None,
        spool_after: int | None = None,
        spool_dir=None,
    ):
        self.wsgi_app = wsgi_app
        self.max_body = max_body
        self.max_upload = max_body if max_upload is None else max_upload
        self.spool_after = max_body if spool_after is None else spool_after
        self.spool_dir = spool_dir
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sampark-http")

    async def __call__(self, scope: dict, receive, send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.pool.shutdown(wait=False, cancel_futures=True)
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1000})

    async def _http(self, scope: dict, receive, send) -> None:
        environ = build_environ(scope)
        limit = self.max_upload if is_upload(environ.get("CONTENT_TYPE", "")) else self.max_body
        declared = environ.get("CONTENT_LENGTH", "")
        if declared.isdigit() and limit is not None and int(declared) > limit:
            # Not read: the application answers 413 from the header alone.
            environ["wsgi.input"] = io.BytesIO(b"")
        else:
            try:
                environ["wsgi.input"], size = await self._read_body(receive, limit)
            except BodyTooLarge:
                language = language_asked(environ.get("HTTP_ACCEPT_LANGUAGE", ""))
                await _send_whole(send, *_too_large(scope["path"], limit, language))
                return
            if size and not declared.isdigit():
                # Sent in chunks, without a length: Django reads as many bytes as it is told.
                environ["CONTENT_LENGTH"] = str(size)
        try:
            await self._respond_on_pool(environ, send)
        finally:
            environ["wsgi.input"].close()

    async def _respond_on_pool(self, environ: dict, send) -> None:
        loop = asyncio.get_running_loop()
        status, headers, body, rest = await loop.run_in_executor(self.pool, self._respond, environ)
        if rest is None:
            await _send_whole(send, status, headers, body)
            return
        try:
            await send({"type": "http.response.start", "status": status, "headers": headers})
            while body is not _DONE:
                await send({"type": "http.response.body", "body": body, "more_body": True})
                body = await loop.run_in_executor(self.pool, _next_piece, rest)
            await send({"type": "http.response.body", "body": b""})
        finally:
            await loop.run_in_executor(self.pool, _close, rest)

    async def _read_body(self, receive, limit: int | None) -> tuple[IO[bytes], int]:
        """The body and its size: in memory up to ``spool_after`` bytes, past that in a
        temporary file written as the pieces arrive (each a small write to the page cache,
        here on the loop)."""
        chunks, size, spool, more = [], 0, None, True
        try:
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    break
                chunk = message.get("body", b"")
                size += len(chunk)
                if limit is not None and size > limit:
                    raise BodyTooLarge
                if spool is not None:
                    spool.write(chunk)
                elif self.spool_after is not None and size > self.spool_after:
                    # Closed by _http once the response is sent, or below on a failure.
                    spool = tempfile.TemporaryFile(dir=self.spool_dir)  # noqa: SIM115
                    spool.writelines(chunks)
                    spool.write(chunk)
                    chunks = []
                else:
                    chunks.append(chunk)
                more = message.get("more_body", False)
        except BaseException:
            if spool is not None:
                spool.close()
            raise
        if spool is not None:
            spool.seek(0)
            return spool, size
        return io.BytesIO(chunks[0] if len(chunks) == 1 else b"".join(chunks)), size

    def _respond(self, environ: dict) -> tuple[int, list, Any, Any]:
        """In a pool thread: the status, the headers and the body, or the first piece of a
        long body and the iterator that holds the rest (closed later, on this pool)."""
        started: list = []
        written: list[bytes] = []

        def start_response(status: str, headers: list, exc_info=None):
            if exc_info is not None and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [status, headers]
            return written.append

        result = self.wsgi_app(environ, start_response)
        chunks, size = written, sum(map(len, written))
        iterator = iter(result)
        try:
            for chunk in iterator:
                if chunk:
                    chunks.append(chunk)
                    size += len(chunk)
                if size >= STREAM_PIECE:
                    status, headers = _status_headers(started)
                    return status, headers, b"".join(chunks), (iterator, result)
        except BaseException:
            _close((iterator, result))
            raise
        _close((iterator, result))
        status, headers = _status_headers(started)
        return status, headers, b"".join(chunks), None


def _next_piece(rest) -> Any:
    iterator, _ = rest
    chunks, size = [], 0
    for chunk in iterator:
        chunks.append(chunk)
        size += len(chunk)
        if size >= STREAM_PIECE:
            break
    return b"".join(chunks) if chunks else _DONE


def _close(rest) -> None:
    _, result = rest
    close = getattr(result, "close", None)
    if close is not None:
        close()  # Django sends request_finished here, in the thread that owns the connection


def _status_headers(started: list) -> tuple[int, list]:
    if not started:
        raise RuntimeError("the WSGI application returned without calling start_response")
    status, headers = started
    return int(status[:3]), [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers
    ]


async def _send_whole(send, status: int, headers: list, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _too_large(path: str, limit: int, language: str) -> tuple[int, list, bytes]:
    content_type, body = too_large(path, limit, language)
    return 413, [(b"content-type", content_type.encode()), (b"connection", b"close")], body


def build_environ(scope: dict) -> dict:
    """PEP 3333's environ for an ASGI HTTP scope. Header names with an underscore are left
    out, as Django's own servers do, so that ``X_Forwarded`` cannot pose as
    ``X-Forwarded``."""
    root = scope.get("root_path", "")
    path = scope["path"]
    if root and path.startswith(root):
        path = path[len(root) :]
    server = scope.get("server") or ("localhost", 80)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": root.encode("utf-8").decode("latin-1"),
        "PATH_INFO": path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1] or 0),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if client := scope.get("client"):
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = str(client[0]), str(client[1])
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1")
        if "_" in name:
            continue
        value = raw_value.decode("latin-1")
        if name == "content-type":
            key = "CONTENT_TYPE"
        elif name == "content-length":
            key = "CONTENT_LENGTH"
        else:
            key = "HTTP_" + name.upper().replace("-", "_")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ
