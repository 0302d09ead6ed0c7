"""The benchmark's load driver against a real HTTP/1.1 server on loopback."""

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest

from bench.loadgen import LeanClient, run_load


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps connections alive

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/chunked"):
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in ("सम".encode(), "पर्क".encode(), b"!"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
            return
        body = json.dumps({"path": self.path, "port": self.client_address[1]}).encode()
        status = 404 if self.path.startswith("/missing") else 200
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if self.path.startswith("/close"):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        answer = json.dumps({"got": json.loads(body), "type": self.headers["Content-Type"]})
        self.send_response(201)
        self.send_header("Content-Length", str(len(answer.encode())))
        self.end_headers()
        self.wfile.write(answer.encode())


@pytest.fixture
def base():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_requests_reuse_one_connection_and_read_every_kind_of_body(base):
    async def go():
        client = LeanClient()
        try:
            first = await client.get(f"{base}/a", params={"q": "सम्पर्क", "n": 1})
            second = await client.get(f"{base}/b")
            chunked = await client.get(f"{base}/chunked")
            posted = await client.post(f"{base}/tickets", json={"subject": "प्रिंटर"})
            closing = await client.get(f"{base}/close")
            after = await client.get(f"{base}/c")
            return first, second, chunked, posted, closing, after
        finally:
            client.close()

    first, second, chunked, posted, closing, after = asyncio.run(go())

    assert first.status_code == 200
    assert first.json()["path"] == "/a?" + urlencode({"q": "सम्पर्क", "n": 1})
    assert first.json()["port"] == second.json()["port"]  # kept alive
    assert chunked.text == "समपर्क!"
    assert posted.status_code == 201
    assert posted.json() == {"got": {"subject": "प्रिंटर"}, "type": "application/json"}
    assert after.json()["port"] != closing.json()["port"]  # a new connection after a close


def test_other_hosts_than_loopback_are_refused_before_sending():
    async def go():
        await LeanClient().get("http://example.com/")

    with pytest.raises(ValueError, match="loopback"):
        asyncio.run(go())


def test_a_run_counts_requests_statuses_and_errors(base):
    async def factory(client, i):
        return await client.get(f"{base}/missing" if i % 5 == 0 else f"{base}/ok/{i}")

    stats = asyncio.run(run_load(factory, concurrency=3, total=50, warmup=0))

    assert stats.count == 50
    assert stats.errors == stats.status_counts[404] == 10
    assert stats.status_counts[200] == 40
    assert stats.error_samples[0].startswith("404 GET /missing")
    assert 0 < stats.p50 <= stats.p95 <= stats.max


def test_a_refused_connection_is_an_error_not_a_crash():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here

    async def factory(client, i):
        return await client.get(f"http://127.0.0.1:{port}/")

    stats = asyncio.run(run_load(factory, concurrency=2, total=4, warmup=0))

    assert stats.count == stats.errors == 4
    assert "ConnectionRefusedError" in stats.error_samples[0]
