"""Request bodies have limits: JSON (and form fields) 2 MiB, uploads (multipart/form-data) their
own, larger one, spooled to disk. Past its limit a body gets a clear 413, JSON under /api/ and a
page elsewhere, and is never read into memory whole."""

import asyncio
import io
import json
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from sampark.serving.threadwsgi import ThreadedWSGI

MiB = 1024 * 1024
BOUNDARY = "sampark-test-boundary"
received: list[dict] = []


@csrf_exempt
def attach(request):
    """Stands in for the workspace's and the email channel's upload views."""
    upload = request.FILES["attachment"]
    answer = {
        "size": upload.size,
        "note": request.POST.get("note", ""),
        "file_on_disk": isinstance(upload, TemporaryUploadedFile) and upload.temporary_file_path(),
        "body_in_memory": isinstance(request.environ["wsgi.input"], io.BytesIO),
    }
    received.append(answer)
    return JsonResponse(answer)


urlpatterns = [path("attach", attach)]


@pytest.fixture(autouse=True)
def upload_view(settings):
    settings.ROOT_URLCONF = __name__
    received.clear()


def multipart(size: int, note: str = "printer log") -> bytes:
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\n{note}\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachment"; '
            'filename="log.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + b"x" * size
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


# --- through Django (a declared Content-Length) ------------------------------------------


def test_an_upload_larger_than_a_json_body_is_taken_and_its_file_spooled_to_disk(client, settings):
    attachment = SimpleUploadedFile("log.bin", b"x" * (3 * MiB))

    response = client.post("/attach", {"attachment": attachment, "note": "पेपर जाम"})

    assert response.status_code == 200
    answer = response.json()
    assert (answer["size"], answer["note"]) == (3 * MiB, "पेपर जाम")
    assert Path(answer["file_on_disk"]).parent == Path(settings.FILE_UPLOAD_TEMP_DIR)


def test_an_upload_over_its_limit_is_a_413_page_outside_the_api(client, settings):
    settings.SAMPARK_UPLOAD_MAX_BYTES = 64 * 1024
    attachment = SimpleUploadedFile("log.bin", b"x" * (65 * 1024))

    response = client.post("/attach", {"attachment": attachment}, HTTP_ACCEPT_LANGUAGE="hi")

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert '<html lang="hi">' in page
    assert "65536 बाइट की सीमा" in page
    assert received == []


def test_an_upload_over_its_limit_is_a_json_413_under_the_api(client, db, settings):
    settings.SAMPARK_UPLOAD_MAX_BYTES = 64 * 1024
    attachment = SimpleUploadedFile("log.bin", b"x" * (65 * 1024))

    response = client.post("/api/v1/tickets", {"attachment": attachment})

    assert response.status_code == 413
    assert "limit of 65536 bytes" in response.json()["detail"]


def test_a_json_body_keeps_its_own_smaller_limit(client, settings):
    raw = json.dumps({"note": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})

    response = client.post("/attach", raw, content_type="application/json")

    assert response.status_code == 413
    assert f"limit of {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes" in response.content.decode()


# --- through the server's bridge (bodies sent in pieces, without a length) ----------------


def bridge(settings, tmp_path) -> ThreadedWSGI:
    return ThreadedWSGI(
        WSGIHandler(),
        threads=1,
        max_body=settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        max_upload=settings.SAMPARK_UPLOAD_MAX_BYTES,
        spool_dir=tmp_path,
    )


def send_in_pieces(app, path: str, body: bytes, content_type: str, piece=64 * 1024):
    """POST ``body`` as uvicorn hands over a chunked request: pieces, no Content-Length.
    The response, and how many pieces the application read."""
    pieces = [body[i : i + piece] for i in range(0, len(body), piece)]
    read, sent = [], []

    async def receive():
        read.append(True)
        return {"type": "http.request", "body": pieces.pop(0), "more_body": bool(pieces)}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", content_type.encode()), (b"transfer-encoding", b"chunked")],
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
    }
    asyncio.run(app(scope, receive, send))
    headers = dict(sent[0]["headers"])
    return sent[0]["status"], headers, b"".join(m.get("body", b"") for m in sent[1:]), len(read)


def test_a_chunked_upload_reaches_the_view_whole_and_is_kept_on_disk(settings, tmp_path):
    body = multipart(5 * MiB, note="ईमेल का अनुलग्नक")

    status, _headers, answer, _read = send_in_pieces(
        bridge(settings, tmp_path), "/attach", body, f"multipart/form-data; boundary={BOUNDARY}"
    )

    assert status == 200, answer
    answer = json.loads(answer)
    assert (answer["size"], answer["note"]) == (5 * MiB, "ईमेल का अनुलग्नक")
    assert answer["body_in_memory"] is False  # the bridge spooled the body to a file
    assert answer["file_on_disk"]  # and Django wrote the file to one


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/attach", "text/html; charset=utf-8"), ("/api/v1/attachments", "application/json")],
)
def test_a_chunked_upload_over_its_limit_is_refused_as_it_arrives(
    settings, tmp_path, path, content_type
):
    settings.SAMPARK_UPLOAD_MAX_BYTES = 3 * MiB  # past 2 MiB the bridge spools to a file
    body = multipart(4 * MiB)
    app = bridge(settings, tmp_path)
    files_open = len(os.listdir("/proc/self/fd"))

    status, headers, answer, read = send_in_pieces(
        app, path, body, f"multipart/form-data; boundary={BOUNDARY}"
    )

    assert status == 413
    assert headers[b"content-type"].decode() == content_type
    assert b"limit of 3145728 bytes" in answer
    assert read == 49  # 48 pieces of 64 KiB reach the limit; the next passes it, and it stops
    assert received == []
    assert len(os.listdir("/proc/self/fd")) == files_open  # the spool file is closed


def test_a_chunked_json_body_over_its_limit_is_a_json_413_under_the_api(settings, tmp_path):
    raw = json.dumps({"subject": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE}).encode()

    status, headers, answer, _read = send_in_pieces(
        bridge(settings, tmp_path), "/api/v1/tickets", raw, "application/json"
    )

    assert (status, headers[b"content-type"]) == (413, b"application/json")
    assert "larger than the limit" in json.loads(answer)["detail"]
