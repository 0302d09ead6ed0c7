"""The ASGI application ``sampark serve`` runs: Django's handler on a fixed thread pool."""

import asyncio

import httpx
import pytest

from sampark.serving.asgi import application


def get(path: str, **headers) -> httpx.Response:
    async def call():
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get(path, headers=headers)

    return asyncio.run(call())


@pytest.mark.django_db(transaction=True)  # Django checks its connections after each request
def test_health_check_answers_through_the_asgi_application():
    response = get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.django_db(transaction=True)
def test_api_errors_are_json_through_the_asgi_application():
    response = get("/api/v1/tickets", authorization="Bearer not-a-token")

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert "detail" in response.json()


# --- the bridge between the event loop and the thread pool ------------------------------------


def call(app, scope: dict, body_parts: list[bytes]) -> tuple[dict, list[dict]]:
    """Drive an ASGI app the way uvicorn does; the response start and its body messages."""
    sent: list[dict] = []
    parts = list(body_parts) or [b""]

    async def receive():
        if parts:
            part = parts.pop(0)
            return {"type": "http.request", "body": part, "more_body": bool(parts)}
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent[0], sent[1:]


def http_scope(path="/", method="GET", headers=(), query=b"") -> dict:
    return {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "root_path": "",
        "query_string": query,
        "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
    }


def echo_app(environ, start_response):
    """A WSGI application that answers with what it was given."""
    import json

    body = environ["wsgi.input"].read()
    seen = {k: v for k, v in environ.items() if isinstance(v, str)}
    start_response("201 Created", [("Content-Type", "application/json"), ("X-Seen", "yes")])
    return [json.dumps({"environ": seen, "body": body.decode("utf-8")}).encode()]


def test_the_bridge_gives_the_wsgi_application_pep_3333s_environ_and_the_whole_body():
    from sampark.serving.threadwsgi import ThreadedWSGI

    app = ThreadedWSGI(echo_app, threads=2, max_body=1000)
    headers = [
        ("content-type", "application/json"),
        ("content-length", "22"),
        ("accept", "text/html"),
        ("accept", "application/json"),
        ("x_forwarded_for", "10.0.0.1"),  # an underscore: left out, it could pose as a dash
    ]
    scope = http_scope("/api/v1/संपर्क", "POST", headers, b"q=%E0%A4%B8&x=1")
    start, body = call(app, scope, [b'{"subject": ', b'"\xe0\xa4\xb8"}'])

    assert start["status"] == 201
    assert (b"x-seen", b"yes") in start["headers"]
    import json

    answer = json.loads(b"".join(m["body"] for m in body))
    environ = answer["environ"]
    assert answer["body"] == '{"subject": "स"}'
    assert environ["PATH_INFO"].encode("latin-1").decode("utf-8") == "/api/v1/संपर्क"
    assert environ["QUERY_STRING"] == "q=%E0%A4%B8&x=1"
    assert environ["HTTP_ACCEPT"] == "text/html,application/json"
    assert environ["CONTENT_TYPE"] == "application/json"
    assert environ["REMOTE_ADDR"] == "127.0.0.1"
    assert "HTTP_X_FORWARDED_FOR" not in environ


def test_the_bridge_refuses_an_undeclared_body_over_the_limit_without_calling_the_app():
    from sampark.serving.threadwsgi import ThreadedWSGI

    called = []

    def app(environ, start_response):
        called.append(environ)
        return echo_app(environ, start_response)

    bridge = ThreadedWSGI(app, threads=1, max_body=10)
    start, body = call(bridge, http_scope(method="POST"), [b"x" * 8, b"y" * 8])

    assert start["status"] == 413
    assert b"limit of 10 bytes" in body[0]["body"]
    assert called == []

    # In the language the client asks for, before Django (and its LocaleMiddleware) runs.
    hindi = http_scope(method="POST", headers=[("accept-language", "hi-IN,hi;q=0.9,en;q=0.5")])
    start, body = call(bridge, hindi, [b"x" * 8, b"y" * 8])
    assert start["status"] == 413
    assert "10 बाइट की सीमा" in body[0]["body"].decode()


@pytest.mark.django_db(transaction=True)
def test_a_declared_body_over_the_limit_is_not_read_and_django_answers_413_in_json():
    from django.conf import settings

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    headers = [("content-type", "application/json"), ("content-length", str(limit + 1))]
    start, body = call(application, http_scope("/api/v1/tickets", "POST", headers), [b"{}"])

    assert start["status"] == 413
    assert b"larger than the limit" in b"".join(m["body"] for m in body)


def test_a_long_response_streams_in_pieces_and_the_iterable_is_closed_once():
    from sampark.serving.threadwsgi import STREAM_PIECE, ThreadedWSGI

    closed = []

    class Chunks:
        def __iter__(self):
            for _ in range(100):
                yield b"z" * 10_000

        def close(self):
            closed.append(True)

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return Chunks()

    start, body = call(ThreadedWSGI(app, threads=2, max_body=None), http_scope(), [])

    assert start["status"] == 200
    assert b"".join(m["body"] for m in body) == b"z" * 1_000_000
    assert len(body) >= 1_000_000 // STREAM_PIECE
    assert all(m["more_body"] for m in body[:-1]) and not body[-1].get("more_body")
    assert closed == [True]


def test_an_application_that_raises_has_its_iterable_closed_and_the_error_reaches_uvicorn():
    from sampark.serving.threadwsgi import ThreadedWSGI

    closed = []

    class Broken:
        def __iter__(self):
            yield b"a"
            raise ValueError("broken generator")

        def close(self):
            closed.append(True)

    def app(environ, start_response):
        start_response("200 OK", [])
        return Broken()

    with pytest.raises(ValueError, match="broken generator"):
        call(ThreadedWSGI(app, threads=1, max_body=None), http_scope(), [])
    assert closed == [True]
