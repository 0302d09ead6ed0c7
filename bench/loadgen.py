"""A small asyncio HTTP load driver for benchmarks on loopback.

The driver shares the 2-core machine with the server it measures, so its own cost per request
comes out of the server's CPU. httpx spent 1.2 to 2.4 ms of CPU on each request, as much as a
Sampark ticket page took to serve; :class:`LeanClient` speaks just enough HTTP/1.1 over one
kept-alive connection per worker for about a tenth of that. The same driver measures
django-helpdesk, so the comparison stays on equal terms.

Interface (shared with the django-helpdesk comparison; keep it stable)::

    from bench.loadgen import LoadStats, rss_mb, run_load

    async def request_factory(client: LeanClient, i: int) -> LeanResponse:
        return await client.get(f"http://127.0.0.1:{port}/api/v1/tickets/{ids[i % len(ids)]}",
                                headers={"Authorization": f"Bearer {token}"})

    stats: LoadStats = asyncio.run(
        run_load(request_factory, concurrency=4, duration=20.0, total=None, warmup=1.0)
    )
    print(stats.rps, stats.p50, stats.p95, stats.p99, stats.max, stats.errors)
    print(rss_mb(server_pid))

``run_load(request_factory, *, concurrency, duration=None, total=None, warmup=1.0)``

- ``request_factory(client, i)`` is an async function that issues exactly one request with the
  given client (``client.get(url, params=, headers=)`` or ``client.post(url, json=,
  headers=)``, or ``data=`` for a form's fields) and returns its :class:`LeanResponse`
  (``status_code``, ``headers``, ``set_cookies``, ``content``, ``text``, ``json()``).
  ``i`` counts up from 0 over the whole run (warm-up included) and is never repeated, so it
  can make request bodies unique. URLs must be absolute and point at the loopback interface
  (127.0.0.1, ::1 or localhost): any other host is refused before the request is sent.
- ``concurrency`` requests are kept in flight (one client, so one connection, per worker).
- First ``warmup`` seconds of the same load are run and thrown away; then the measured phase
  runs until ``duration`` seconds have passed or ``total`` requests have completed, whichever
  comes first. At least one of the two is required, so every run is bounded.
- Every completed request counts. An error is a non-2xx response or an exception (timeouts,
  refused connections); the first few error descriptions are kept in ``error_samples``.
  Latencies (from just before the call to the response being read) are of completed
  responses, successful or not; exceptions add to ``errors`` only.

``LoadStats`` fields: ``count`` (completed requests, errors included), ``errors``,
``error_samples``, ``status_counts``, ``elapsed`` (seconds), ``rps`` (count / elapsed), and
latencies in milliseconds ``p50``, ``p95``, ``p99``, ``max``, ``mean`` (nearest-rank
percentiles). ``as_dict()`` gives a JSON-ready dict.

``rss_mb(pid)`` is the resident memory in MB (VmRSS from ``/proc/<pid>/status``) of the
process and all of its descendants, for example a uvicorn supervisor and its workers.
``rss_breakdown_mb(pid)`` splits that into anonymous, file-backed (e.g. SQLite's mmap, counted
in every process that maps it) and shared memory. ``cpu_seconds(pid)`` is the CPU time
(user + system) the process and its descendants have used so far: the difference
over a run, divided by its requests, is a cost per request that a busy machine does not skew
as much as latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import json as _json
import math
import os
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
MAX_ERROR_SAMPLES = 5
REQUEST_TIMEOUT = 30.0


class LeanResponse:
    """``headers`` keeps the last value of each (lower-cased) header; ``set_cookies`` every
    ``Set-Cookie`` line, which may come several times."""

    __slots__ = ("method", "path", "status_code", "headers", "content", "set_cookies")

    def __init__(
        self,
        method: str,
        path: str,
        status_code: int,
        headers: dict,
        content: bytes,
        set_cookies: list[str] | None = None,
    ):
        self.method, self.path, self.status_code = method, path, status_code
        self.headers, self.content = headers, content
        self.set_cookies = set_cookies or []

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self):
        return _json.loads(self.content)


class LeanClient:
    """One kept-alive HTTP/1.1 connection to a loopback server, one request at a time.

    Bodies come with Content-Length or chunked, as uvicorn and Django send them; a response
    that says ``Connection: close`` (or a failed request) closes the connection and the next
    request opens a new one, as does a connection the server closed while it was idle (uvicorn
    closes kept-alive connections after 5 s without a request, as between a person's clicks).
    Other hosts than loopback are refused before anything is sent."""

    def __init__(self, timeout: float = REQUEST_TIMEOUT):
        self.timeout = timeout
        self._address: tuple[str, int] | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    @property
    def connected(self) -> bool:
        """Whether the next request goes on a connection opened before (kept alive)."""
        return self._writer is not None

    async def get(self, url: str, *, params=None, headers=None, timeout=None) -> LeanResponse:
        return await self.request("GET", url, params=params, headers=headers, timeout=timeout)

    async def post(
        self, url: str, *, json=None, data=None, headers=None, timeout=None
    ) -> LeanResponse:
        """A JSON body (``json``) or a form's (``data``: a dict or (name, value) pairs, sent
        as ``application/x-www-form-urlencoded`` like a browser's form post)."""
        return await self.request(
            "POST", url, json=json, data=data, headers=headers, timeout=timeout
        )

    async def request(
        self, method, url, *, params=None, json=None, data=None, headers=None, timeout=None
    ):
        parts = urlsplit(url)
        if parts.hostname not in LOOPBACK_HOSTS:
            raise ValueError(f"bench.loadgen only talks to loopback, not {parts.hostname!r}")
        target = parts.path or "/"
        query = parts.query
        if params:
            query = f"{query}&{urlencode(params, doseq=True)}" if query else urlencode(params)
        if query:
            target = f"{target}?{query}"
        lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}"]
        body = b""
        if json is not None:
            body = _json.dumps(json, ensure_ascii=False).encode()
            lines.append("Content-Type: application/json")
        elif data is not None:
            body = urlencode(data).encode()
            lines.append("Content-Type: application/x-www-form-urlencoded")
        if body or method not in ("GET", "HEAD"):
            lines.append(f"Content-Length: {len(body)}")
        lines.extend(f"{k}: {v}" for k, v in (headers or {}).items())
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if timeout is None:
            timeout = self.timeout
        try:
            async with asyncio.timeout(timeout):
                return await self._exchange(
                    (parts.hostname, parts.port or 80), head + body, method, parts.path
                )
        except BaseException:
            self.close()
            raise

    async def _exchange(self, address, data: bytes, method: str, path: str) -> LeanResponse:
        stale = self._reader is not None and self._reader.at_eof()
        if self._writer is None or self._address != address or stale:
            self.close()
            self._reader, self._writer = await asyncio.open_connection(*address)
            self._address = address
        reader, writer = self._reader, self._writer
        writer.write(data)
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers, set_cookies = {}, []
        for line in header_lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            headers[name] = value
            if name == "set-cookie":
                set_cookies.append(value)
        if "content-length" in headers:
            content = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            content = await _read_chunked(reader)
        elif status in (204, 304) or method == "HEAD":
            content = b""
        else:
            content = await reader.read()  # until the server closes
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return LeanResponse(method, path, status, headers, content, set_cookies)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers are sent to us
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


RequestFactory = Callable[[LeanClient, int], Awaitable[LeanResponse]]


@dataclass
class LoadStats:
    count: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    status_counts: dict[int, int] = field(default_factory=dict)
    elapsed: float = 0.0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    max: float = 0.0  # noqa: A003 - the statistic's name
    mean: float = 0.0

    @property
    def ok(self) -> int:
        return self.count - self.errors

    def as_dict(self) -> dict:
        data = asdict(self)
        data["status_counts"] = {str(k): v for k, v in self.status_counts.items()}
        return data

    def __str__(self) -> str:
        return (
            f"{self.count} requests in {self.elapsed:.1f}s = {self.rps:.1f}/s, "
            f"p50 {self.p50:.1f} ms, p95 {self.p95:.1f} ms, p99 {self.p99:.1f} ms, "
            f"max {self.max:.1f} ms, errors {self.errors}"
        )


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q / 100.0 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def _describe(response: LeanResponse | None, error: BaseException | None) -> str:
    if error is not None:
        return f"{type(error).__name__}: {error}"[:300]
    body = response.text[:300] if response is not None else ""
    return f"{response.status_code} {response.method} {response.path}: {body}"


async def run_load(
    request_factory: RequestFactory,
    *,
    concurrency: int,
    duration: float | None = None,
    total: int | None = None,
    warmup: float = 1.0,
) -> LoadStats:
    """Drive ``request_factory`` at ``concurrency`` and measure; see the module docstring."""
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if duration is None and total is None:
        raise ValueError("give a duration or a total so that the run is bounded")
    if duration is not None and duration <= 0:
        raise ValueError("duration must be positive")
    if total is not None and total < 1:
        raise ValueError("total must be at least 1")

    counter = 0
    measuring = False
    issued = 0  # measured requests started
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    stats = LoadStats()
    deadline = math.inf

    def next_index() -> int | None:
        nonlocal counter, issued
        if measuring:
            if time.perf_counter() >= deadline or (total is not None and issued >= total):
                return None
            issued += 1
        i = counter
        counter += 1
        return i

    async def worker(stop_at: float | None) -> None:
        client = LeanClient()
        try:
            await drive(client, stop_at)
        finally:
            client.close()

    async def drive(client: LeanClient, stop_at: float | None) -> None:
        while True:
            if stop_at is not None and time.perf_counter() >= stop_at:
                return
            i = next_index()
            if i is None:
                return
            counted = measuring
            response, error = None, None
            started = time.perf_counter()
            try:
                response = await request_factory(client, i)  # read whole
            except Exception as exc:  # every failure is a data point
                error = exc
            latency = (time.perf_counter() - started) * 1000.0
            if not counted:
                continue
            stats.count += 1
            if response is not None:
                latencies.append(latency)
                statuses[response.status_code] += 1
            if error is not None or not (200 <= response.status_code < 300):
                stats.errors += 1
                if len(stats.error_samples) < MAX_ERROR_SAMPLES:
                    stats.error_samples.append(_describe(response, error))

    if warmup > 0:
        stop_at = time.perf_counter() + warmup
        await asyncio.gather(*(worker(stop_at) for _ in range(concurrency)))
    measuring = True
    began = time.perf_counter()
    deadline = began + duration if duration is not None else math.inf
    await asyncio.gather(*(worker(None) for _ in range(concurrency)))
    stats.elapsed = time.perf_counter() - began

    latencies.sort()
    stats.status_counts = dict(sorted(statuses.items()))
    stats.rps = stats.count / stats.elapsed if stats.elapsed > 0 else 0.0
    stats.p50 = percentile(latencies, 50)
    stats.p95 = percentile(latencies, 95)
    stats.p99 = percentile(latencies, 99)
    stats.max = latencies[-1] if latencies else 0.0
    stats.mean = sum(latencies) / len(latencies) if latencies else 0.0
    return stats


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A server under test on loopback: started in a session of its own (so that stopping it
    reaches its workers), its output in ``log_path``."""

    def __init__(
        self,
        command: list[str],
        *,
        name: str,
        base: str,
        log_path: Path,
        env: dict | None = None,
        cwd: Path | None = None,
    ):
        self.command, self.name, self.base, self.log_path = command, name, base, log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - the benchmark's own command line
            command,
            cwd=cwd,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_ok(self, path: str, timeout: float) -> float:
        """Seconds until ``GET path`` answers 200; the log's tail if it exits or times out."""
        started = time.perf_counter()
        with httpx.Client(timeout=5.0) as client:
            while time.perf_counter() < started + timeout:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited early:\n{self.tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.base}{path}").status_code == 200:
                        return time.perf_counter() - started
                time.sleep(0.25)
        raise RuntimeError(f"{self.name} did not answer {path} in {timeout:.0f}s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def processes(self) -> int:
        """How many processes the server runs: itself and every descendant."""
        return len(_descendants(self.process.pid))

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces; the ppid follows it.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, ()))
    return found


def _status_kb(pid: int, keys: tuple[str, ...]) -> dict[str, int]:
    totals = dict.fromkeys(keys, 0)
    for member in _descendants(pid):
        try:
            with open(f"/proc/{member}/status", encoding="ascii", errors="replace") as f:
                for line in f:
                    key = line.split(":", 1)[0]
                    if key in totals:
                        totals[key] += int(line.split()[1])
        except OSError:
            continue
    return totals


def rss_mb(pid: int) -> float:
    """Resident set size in MB of ``pid`` and all of its descendants (0 for a gone process)."""
    return _status_kb(pid, ("VmRSS",))["VmRSS"] / 1024.0


def rss_breakdown_mb(pid: int) -> dict[str, float]:
    """VmRSS split into anonymous (private heap), file-backed (for example a memory-mapped
    SQLite database, shared between processes but counted in each) and shared memory, in MB,
    summed over ``pid`` and its descendants."""
    kb = _status_kb(pid, ("VmRSS", "RssAnon", "RssFile", "RssShmem"))
    return {
        "rss": kb["VmRSS"] / 1024.0,
        "anon": kb["RssAnon"] / 1024.0,
        "file": kb["RssFile"] / 1024.0,
        "shmem": kb["RssShmem"] / 1024.0,
    }


@contextlib.asynccontextmanager
async def peak_memory(pid: int, every: float = 1.0):
    """While the block runs, sample the memory of ``pid`` and its descendants every ``every``
    seconds; yields a dict whose ``rss_mb`` and ``anon_mb`` hold the peaks seen so far."""
    peak = {"rss_mb": rss_mb(pid), "anon_mb": 0.0}
    stop = asyncio.Event()

    async def sample() -> None:
        while not stop.is_set():
            memory = rss_breakdown_mb(pid)
            peak["rss_mb"] = max(peak["rss_mb"], memory["rss"])
            peak["anon_mb"] = max(peak["anon_mb"], memory["anon"])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)

    sampler = asyncio.create_task(sample())
    try:
        yield peak
    finally:
        stop.set()
        await sampler


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by ``pid`` and its live descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in _descendants(pid):
        try:
            with open(f"/proc/{member}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks
