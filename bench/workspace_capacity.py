"""How many agents one machine serves: simulated agents working the workspace over HTTP, in
steps of more and more agents, on a copy of a data set made by ``bench.generate`` (issue 18:
the goal is 1,000 agents with every page's p95 <= 100 ms and no errors, at 1M tickets).

    SAMPARK_HOME=/tmp/wsbench-1m .venv/bin/python -m bench.workspace_capacity \
        --copy-from /tmp/acc-1m [--steps 100,250,500,750,1000,1500] [--step-seconds 60]
        [--ramp-seconds 20] [--think 5] [--note-share 0.5] [--limit-ms 100] [--keep-going]
        [--page-requests] [--workers 2] [--db-pid PID]
        [--json bench/results/workspace-capacity-sqlite.json]

PostgreSQL: ``SAMPARK_DATABASE_URL`` names the copy, ``--copy-from-database sampark_1m``
creates it from the original when it does not exist yet.

Each simulated agent, on a kept-alive connection of its own (opened again after 4 s without a
request, since uvicorn closes idle connections after 5 s, as a browser would find), loops:

  queue       GET /queues/groups/ (their groups' queue, 50 rows, the sidebar's counts)
  think       exponential, mean ``--think`` seconds
  ticket      GET /tickets/<id>/ of a row of that page, chosen at random
  think
  send        POST /tickets/<id>/send/: the page's composer form as its script sends it
              (htmx: CSRF token, the ticket's version, the newest event seen), with a public
              reply or an internal note (``--note-share`` of them notes, and always a note
              when the agent may not reply); answered by a fresh composer and what changed,
              or, when the send changed the ticket's status or owner (a first reply opens a
              new ticket), by ``HX-Redirect``, and then
  after_send  GET of the ticket page again, with "Sent."
  think

and after each of its pages, as the browser's htmx does, ``counts``: GET the sidebar's counts
at the address the page names, unless this agent's cache holds that address's answer for less
than its ``Cache-Control: max-age`` (the address changes after the agent's own send, so the
counts are always asked for again after a send).

A send answered with the page again because the ticket changed meanwhile (another simulated
agent wrote on it: the workspace's optimistic locking) is counted as ``stale``, not as an
error; so is a ticket that answers 404 (``gone``) after its queue page listed it: the worker's
SLA sweep escalated it to a group outside the agent's scope meanwhile, and the workspace
answers for a ticket one may not see as for a missing one. With ``--page-requests`` the
ticket page's own background requests are made too: its
heartbeat (``/viewers/``) on load and every 12 s while it is open, and one draft save before
the send, as htmx does while one types.

The agents sign in through the sign-in form, one session per account of the data set's pool
(the agents and supervisors with the ``groups`` scope: 27 at 1M), shared by many simulated
agents, as one person's browser tabs share theirs (signing 1,000 people in would cost 1,000
password hashes before the first page).

Steps: at each step the number of agents grows to the step's (new ones start at random
moments over ``--ramp-seconds``), then ``--step-seconds`` are measured: per page the count,
p50/p95/p99/max, errors; the requests a second; the CPU the server's processes used and the
simulator's own (it runs on the same 2 cores, which it takes from the server: it is kept
lean, and its event loop's lag is reported, so that a saturated simulator shows). A step
passes when every page's p95 is at most ``--limit-ms`` and nothing failed; the answer is the
largest step that passed. Unless ``--keep-going``, the run stops after the first step that
fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from bench.loadgen import LeanClient, cpu_seconds, free_port, percentile, rss_mb
from bench.workspace_agents import (
    CookieJar,
    Server,
    SignInFailed,
    copy_data_set,
    latency_summary,
    parse_server_timing,
    prepare,
    release_database,
    sampark_home,
    scrape_form,
    sign_in,
    ticket_links,
)

PAGES = ("queue", "ticket", "send", "after_send", "counts")
BACKGROUND = ("heartbeat", "draft")
DEFAULT_STEPS = (100, 250, 500, 750, 1000, 1500)
HEARTBEAT_EVERY = 12.0
RETRYABLE = (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError)
# uvicorn closes a kept-alive connection after 5 s without a request; one idle for longer than
# this is opened again rather than raced against that close (a browser would see the close
# and open a new one too).
IDLE_REOPEN = 4.0
COUNTS_ADDRESS = re.compile(r'hx-get="(/queues/counts/[^"]*)"')
MAX_AGE = re.compile(r"max-age=(\d+)")
REPLIES = (
    "नमस्ते, हमने आपकी शिकायत देख ली है और इंजीनियर आज शाम तक संपर्क करेंगे।",
    "Hello, we have checked your order and the refund is on its way.",
    "Aapka ticket humne L2 team ko dikhaya hai, kal tak update denge.",
)
NOTES = (
    "Customer ne phone par confirm kiya, serial number sahi hai.",
    "ग्राहक से बात हुई, राउटर बदलना पड़ेगा।",
    "Checked the logs: the line dropped at 09:40, waiting on the vendor.",
)


@dataclass
class Recorder:
    """What the agents saw while a step was measured: latencies (ms) per page and the
    server's own time for them, failures and their first descriptions."""

    measuring: bool = False
    latencies: dict[str, list[float]] = field(default_factory=dict)
    app: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    stale: int = 0
    gone: int = 0
    retried: int = 0
    statuses: Counter = field(default_factory=Counter)

    def reset(self) -> None:
        self.latencies, self.app, self.cpu = {}, {}, {}
        self.errors, self.error_samples = Counter(), []
        self.stale = self.gone = self.retried = 0
        self.statuses = Counter()

    def record(self, page: str, ms: float, status: int | None, timing: str = "") -> None:
        if not self.measuring:
            return
        self.latencies.setdefault(page, []).append(ms)
        if status is not None:
            self.statuses[status] += 1
        server = parse_server_timing(timing)
        if "app" in server:
            self.app.setdefault(page, []).append(server["app"])
        if "cpu" in server:
            self.cpu.setdefault(page, []).append(server["cpu"])

    def fail(self, page: str, description: str) -> None:
        if not self.measuring:
            return
        self.errors[page] += 1
        if len(self.error_samples) < 8:
            self.error_samples.append(f"{page}: {description}"[:300])


class Agent:
    """One simulated agent: a browser tab with its own connection and cookies."""

    def __init__(self, index: int, base: str, jar: CookieJar, args, recorder: Recorder):
        self.base, self.jar, self.args, self.recorder = base, jar, args, recorder
        self.rng = random.Random(index)
        self.client = LeanClient(timeout=60.0)
        self.last_used = 0.0
        self.cached: dict[str, float] = {}  # the counts' address: until when it is fresh

    async def think(self, ticket: int | None = None, version: str = "") -> None:
        """A pause, exponential with the mean asked; on a ticket page with ``--page-requests``
        its heartbeat keeps beating meanwhile."""
        pause = self.rng.expovariate(1.0 / self.args.think) if self.args.think > 0 else 0.0
        if ticket is None or not self.args.page_requests:
            await asyncio.sleep(pause)
            return
        while pause > 0:
            step = min(pause, HEARTBEAT_EVERY)
            await asyncio.sleep(step)
            pause -= step
            if pause > 0:
                await self.heartbeat(ticket, version)

    async def request(self, page: str, method: str, path: str, data=None, headers=None):
        """One request, timed and recorded; the response, or None when it failed. A GET that
        meets a connection the server had just closed is sent again once, as browsers do."""
        headers = {"Cookie": self.jar.header(), **(headers or {})}
        url = f"{self.base}{path}"
        if self.client.connected and time.perf_counter() - self.last_used > IDLE_REOPEN:
            self.client.close()
        for attempt in (1, 2):
            reused = self.client.connected
            started = time.perf_counter()
            try:
                if method == "GET":
                    response = await self.client.get(url, headers=headers)
                else:
                    response = await self.client.post(url, data=data, headers=headers)
            except RETRYABLE as error:
                if attempt == 1 and reused and method == "GET":
                    if self.recorder.measuring:
                        self.recorder.retried += 1
                    continue
                self.recorder.fail(page, f"{type(error).__name__}: {error}")
                return None
            except Exception as error:  # noqa: BLE001 - every failure is a data point
                self.recorder.fail(page, f"{type(error).__name__}: {error}")
                return None
            self.last_used = time.perf_counter()
            ms = (self.last_used - started) * 1000.0
            self.jar.update(response.set_cookies)
            timing = response.headers.get("server-timing", "")
            self.recorder.record(page, ms, response.status_code, timing)
            return response
        return None

    def note_gone(self) -> None:
        if self.recorder.measuring:
            self.recorder.gone += 1

    async def counts(self, html: str) -> None:
        """The sidebar's counts after a page, from this tab's cache while they are fresh."""
        found = COUNTS_ADDRESS.search(html)
        if found is None:
            return
        address = found.group(1).replace("&amp;", "&")
        if self.cached.get(address, 0.0) > time.monotonic():
            return
        response = await self.request("counts", "GET", address, headers={"HX-Request": "true"})
        if response is None:
            return
        if response.status_code != 200:
            self.recorder.fail("counts", f"{response.status_code}")
            return
        age = MAX_AGE.search(response.headers.get("cache-control", ""))
        if age:
            self.cached = {address: time.monotonic() + int(age.group(1))}

    async def heartbeat(self, ticket: int, version: str) -> None:
        headers = {"X-CSRFToken": self.jar.values.get("csrftoken", ""), "HX-Request": "true"}
        data = {"body": "", "version": version}
        response = await self.request(
            "heartbeat", "POST", f"/tickets/{ticket}/viewers/", data=data, headers=headers
        )
        if response is not None and response.status_code != 200:
            self.recorder.fail("heartbeat", f"{response.status_code}")

    async def run(self, start_after: float) -> None:
        await asyncio.sleep(start_after)
        try:
            while True:
                await self.cycle()
        finally:
            self.client.close()

    async def cycle(self) -> None:
        queue = await self.request("queue", "GET", "/queues/groups/")
        if queue is None:
            await self.think()
            return
        if queue.status_code != 200:
            self.recorder.fail("queue", f"{queue.status_code}")
            await self.think()
            return
        await self.counts(queue.text)
        ids = ticket_links(queue.text)
        await self.think()
        if not ids:
            return
        ticket = ids[self.rng.randrange(len(ids))]
        page = await self.request("ticket", "GET", f"/tickets/{ticket}/")
        if page is None:
            await self.think()
            return
        if page.status_code == 404:
            self.note_gone()
            await self.think()
            return
        if page.status_code != 200:
            self.recorder.fail("ticket", f"{page.status_code} /tickets/{ticket}/")
            await self.think()
            return
        html = page.text
        await self.counts(html)
        try:
            form = scrape_form(html, form_id="composer")
        except ValueError:  # a closed ticket has no composer
            await self.think()
            return
        version = form.value("version") or ""
        if self.args.page_requests:
            await self.heartbeat(ticket, version)
        await self.think(ticket, version)
        may_reply = "reply" in form.options.get("kind", [])
        note = not may_reply or self.rng.random() < self.args.note_share
        words = NOTES if note else REPLIES
        body = f"{words[self.rng.randrange(len(words))]} (sim {self.rng.randrange(10**6)})"
        data = form.with_values(kind="note" if note else "reply", body=body)
        if self.args.page_requests:
            draft = await self.request(
                "draft",
                "POST",
                f"/tickets/{ticket}/draft/",
                data=data,
                headers={"HX-Request": "true"},
            )
            if draft is not None and draft.status_code != 200:
                self.recorder.fail("draft", f"{draft.status_code}")
        page_address = f"{self.base}/tickets/{ticket}/"
        headers = {"HX-Request": "true", "HX-Current-URL": page_address}
        sent = await self.request("send", "POST", form.action, data=data, headers=headers)
        if sent is not None:
            moved_on = sent.headers.get("hx-redirect") or sent.headers.get("location")
            if sent.status_code in (200, 302) and moved_on:
                after = await self.request("after_send", "GET", urlsplit(moved_on).path)
                if after is not None and after.status_code != 200:
                    self.recorder.fail("after_send", f"{after.status_code}")
                elif after is not None:
                    await self.counts(after.text)
            elif sent.status_code == 200 and sent.headers.get("hx-retarget"):
                if self.recorder.measuring:
                    self.recorder.stale += 1
            elif sent.status_code == 200 and 'id="composer-zone"' in sent.text:
                await self.counts(sent.text)
            elif sent.status_code == 404:
                self.note_gone()
            else:
                self.recorder.fail("send", f"{sent.status_code} {sent.text[:120]}")
        await self.think()


async def loop_lag(recorder_lags: list[float], stop: asyncio.Event, every: float = 0.1) -> None:
    """How late the simulator's event loop wakes up: a busy simulator delays every request it
    times, which would be blamed on the server."""
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(every)
        recorder_lags.append((time.perf_counter() - started - every) * 1000.0)


async def sign_in_pool(base: str, state: dict) -> list[CookieJar]:
    client = LeanClient(timeout=120.0)
    try:
        return [await sign_in(client, base, email, state["password"]) for email in state["pool"]]
    finally:
        client.close()


def summarise_step(n, recorder: Recorder, elapsed, server_cpu, client_cpu, lags, limit) -> dict:
    pages = {}
    names = [*PAGES, *(b for b in BACKGROUND if b in recorder.latencies or b in recorder.errors)]
    for name in names:
        values = recorder.latencies.get(name, [])
        summary = latency_summary(values)
        summary["rps"] = round(len(values) / elapsed, 2) if elapsed else 0.0
        summary["errors"] = recorder.errors.get(name, 0)
        summary["app_p95"] = percentile(sorted(recorder.app.get(name, [])), 95)
        cpu = recorder.cpu.get(name, [])
        summary["cpu_mean"] = round(sum(cpu) / len(cpu), 2) if cpu else 0.0
        pages[name] = summary
    lags = sorted(lags)
    passed = (
        not recorder.errors
        and all(p["p95"] <= limit for p in pages.values())
        and all(pages[name]["count"] for name in ("queue", "ticket"))
    )
    total = sum(p["count"] for p in pages.values())
    per_agent = server_cpu * 1000.0 / elapsed / n if elapsed and n else 0.0
    cores = os.cpu_count() or 1
    return {
        "agents": n,
        "seconds": round(elapsed, 1),
        "requests_per_second": round(total / elapsed, 1) if elapsed else 0.0,
        "pages": pages,
        "errors": sum(recorder.errors.values()),
        "error_samples": recorder.error_samples,
        "stale_sends": recorder.stale,
        "gone": recorder.gone,
        "retried": recorder.retried,
        "server_cpu_cores": round(server_cpu / elapsed, 2) if elapsed else 0.0,
        # What one working agent costs the server, and how many agents would keep all the
        # machine's cores busy at that cost: steadier than latencies on a shared machine.
        "server_cpu_ms_per_agent_second": round(per_agent, 2),
        "agents_at_full_cpu": round(cores * 1000.0 / per_agent) if per_agent else 0,
        "client_cpu_cores": round(client_cpu / elapsed, 2) if elapsed else 0.0,
        "loop_lag_p95_ms": round(percentile(lags, 95), 1),
        "loadavg_1m": os.getloadavg()[0],
        "passed": passed,
    }


def print_step(step: dict) -> None:
    verdict = "PASS" if step["passed"] else "FAIL"
    print(
        f"  {step['agents']:>5} agents: {verdict}  {step['requests_per_second']:.1f} req/s, "
        f"server CPU {step['server_cpu_cores']:.2f} cores "
        f"({step['server_cpu_ms_per_agent_second']:.1f} ms a second per agent: all "
        f"{os.cpu_count()} cores busy at {step['agents_at_full_cpu']} agents), simulator "
        f"{step['client_cpu_cores']:.2f} cores (loop lag p95 {step['loop_lag_p95_ms']:.0f} ms), "
        f"stale sends {step['stale_sends']}, gone {step['gone']}, errors {step['errors']}, "
        f"load {step['loadavg_1m']:.1f}"
    )
    if "database_cpu_cores" in step:
        print(
            f"      PostgreSQL's processes: {step['database_cpu_cores']:.2f} cores, "
            f"{step['database_cpu_ms_per_agent_second']:.1f} ms a second per agent"
        )
    for name, p in step["pages"].items():
        print(
            f"      {name:<10} {p['count']:>6} ({p['rps']:.1f}/s)  p50 {p['p50']:7.1f}  "
            f"p95 {p['p95']:7.1f}  p99 {p['p99']:7.1f}  max {p['max']:7.1f} ms  "
            f"app p95 {p['app_p95']:6.1f}  CPU {p['cpu_mean']:5.1f} ms  errors {p['errors']}"
        )
    for sample in step["error_samples"][:3]:
        print(f"      error: {sample}")


async def ramp(args, server: Server, state: dict) -> list[dict]:
    jars = await sign_in_pool(server.base, state)
    print(f"  {len(jars)} accounts signed in")
    recorder = Recorder()
    tasks: list[asyncio.Task] = []
    lags: list[float] = []
    stop = asyncio.Event()
    lag_task = asyncio.create_task(loop_lag(lags, stop))
    steps = []
    try:
        for n in args.steps:
            for index in range(len(tasks), n):
                agent = Agent(index, server.base, jars[index % len(jars)].copy(), args, recorder)
                start_after = random.uniform(0, args.ramp_seconds)
                tasks.append(asyncio.create_task(agent.run(start_after)))
            await asyncio.sleep(args.ramp_seconds + args.settle_seconds)
            recorder.reset()
            lags.clear()
            server_cpu, client_cpu = cpu_seconds(server.process.pid), time.process_time()
            db_cpu = cpu_seconds(args.db_pid) if args.db_pid else 0.0
            began = time.perf_counter()
            recorder.measuring = True
            await asyncio.sleep(args.step_seconds)
            recorder.measuring = False
            elapsed = time.perf_counter() - began
            step = summarise_step(
                n,
                recorder,
                elapsed,
                cpu_seconds(server.process.pid) - server_cpu,
                time.process_time() - client_cpu,
                lags,
                args.limit_ms,
            )
            if args.db_pid:
                db_cpu = cpu_seconds(args.db_pid) - db_cpu
                step["database_cpu_cores"] = round(db_cpu / elapsed, 2)
                step["database_cpu_ms_per_agent_second"] = round(db_cpu * 1000 / elapsed / n, 2)
            step["server_rss_mb"] = round(rss_mb(server.process.pid), 1)
            steps.append(step)
            print_step(step)
            if not step["passed"] and not args.keep_going:
                break
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, lag_task, return_exceptions=True)
    return steps


def _steps(value: str) -> list[int]:
    try:
        steps = [int(x) for x in value.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("steps are whole numbers of agents") from None
    if not steps or steps != sorted(steps) or steps[0] < 1:
        raise argparse.ArgumentTypeError("steps grow: e.g. 100,250,500")
    return steps


def raise_file_limit(needed: int) -> None:
    """Each agent holds a connection: lift the soft limit on open files toward the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, needed))
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.workspace_capacity",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--steps", type=_steps, default=list(DEFAULT_STEPS))
    parser.add_argument("--step-seconds", type=float, default=60.0, help="measured per step")
    parser.add_argument("--ramp-seconds", type=float, default=20.0, help="new agents start")
    parser.add_argument("--settle-seconds", type=float, default=5.0, help="after the ramp")
    parser.add_argument("--think", type=float, default=5.0, help="mean think time, seconds")
    parser.add_argument("--note-share", type=float, default=0.5, help="sends that are notes")
    parser.add_argument("--limit-ms", type=float, default=100.0, help="p95 a page may have")
    parser.add_argument("--keep-going", action="store_true", help="run every step")
    parser.add_argument(
        "--page-requests", action="store_true", help="also the heartbeats and a draft save"
    )
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--label", default="")
    parser.add_argument("--json", dest="json_out", help="write the results here")
    parser.add_argument(
        "--copy-from", type=Path, help="a data set's SAMPARK_HOME to copy to SAMPARK_HOME"
    )
    parser.add_argument(
        "--copy-from-database", help="PostgreSQL: create SAMPARK_DATABASE_URL's database from it"
    )
    parser.add_argument(
        "--db-pid", type=int, help="PostgreSQL postmaster pid: count its processes' CPU"
    )
    parser.add_argument(
        "--serve-arg", action="append", default=[], help="extra argument for sampark serve"
    )
    args = parser.parse_args(argv)
    with contextlib.suppress(AttributeError):
        sys.stdout.reconfigure(line_buffering=True)
    raise_file_limit(max(args.steps) + 256)

    home = sampark_home()
    copy_data_set(args.copy_from, home, args.copy_from_database)
    state = prepare(home)
    release_database()
    label = args.label or f"{state['backend']}-{state['tickets']:,}"
    log_path = Path(tempfile.gettempdir()) / f"sampark-workspace-capacity-{os.getpid()}.log"
    server = Server(
        port=free_port(), workers=args.workers, timed=True, log_path=log_path, extra=args.serve_arg
    )
    print(f"{label}: starting {' '.join(server.command)} (log {log_path})")
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        print(f"healthy after {server.wait_healthy():.1f}s")
        try:
            steps = asyncio.run(ramp(args, server, state))
        except SignInFailed as failed:
            raise SystemExit(str(failed)) from None
    finally:
        server.stop()
    passed = [s["agents"] for s in steps if s["passed"]]
    # The largest step such that it and every smaller step passed.
    capacity = 0
    for step in steps:
        if not step["passed"]:
            break
        capacity = step["agents"]
    result = {
        "label": label,
        "started_at": started_at,
        "backend": state["backend"],
        "tickets": state["tickets"],
        "workers": args.workers,
        "think_seconds": args.think,
        "note_share": args.note_share,
        "page_requests": args.page_requests,
        "limit_ms": args.limit_ms,
        "accounts": len(state["pool"]),
        "steps": steps,
        "capacity": capacity,
        "passed_steps": passed,
        "machine": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_end": os.getloadavg(),
        },
        "server_command": server.command,
    }
    print()
    print(
        f"{label}: capacity {capacity} agents (every page's p95 <= {args.limit_ms:.0f} ms, "
        f"no errors; think time {args.think:g} s on average"
        f"{', with the pages own background requests' if args.page_requests else ''})"
    )
    if args.json_out:
        Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_out).write_text(json.dumps(result, ensure_ascii=False, indent=1))
        print(f"wrote {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
