"""The ASGI application ``sampark serve`` runs: Django's handler on a fixed thread pool."""

import asyncio

import httpx
import pytest

from sampark.asgi import application


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


def test_the_socket_several_workers_share_sends_small_responses_at_once():
    """Accepted connections inherit TCP_NODELAY from it: no 40 ms wait for a delayed ACK."""
    import socket

    from sampark.server import ServeConfig

    sock = ServeConfig("sampark.asgi:application", host="127.0.0.1", port=0).bind_socket()
    try:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        sock.close()
