"""The workspace benchmarks' tooling (bench.workspace_agents, bench.workspace_pages,
bench.workspace_capacity): the parsing and arithmetic they report with, the form scraping they
post with, checked against the real pages, and one simulated agent's round against a live
server on a small generated data set."""

import asyncio
import json
import sys
from pathlib import Path

import pytest
from django.test import Client

from sampark.tickets.models import Ticket, TicketEvent

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `bench` lives at the top of the repository, beside src/
    sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from bench.loadgen import LeanClient  # noqa: E402
from bench.workspace_agents import (  # noqa: E402
    PASSWORD,
    STATE_FILE,
    CookieJar,
    latency_summary,
    parse_server_timing,
    prepare,
    scrape_form,
    sign_in,
    ticket_links,
    timeline_events,
)
from bench.workspace_capacity import Agent, Recorder, _steps, summarise_step  # noqa: E402
from bench.workspace_pages import busiest_share  # noqa: E402

# --- parsing and arithmetic -------------------------------------------------------------------


def test_server_timing_header_gives_each_metric_its_duration():
    assert parse_server_timing("app;dur=12.5, cpu;dur=11") == {"app": 12.5, "cpu": 11.0}
    assert parse_server_timing('app;desc="Django";dur="3.25"') == {"app": 3.25}
    assert parse_server_timing("cache, app;dur=nope, db;dur=1.5") == {"db": 1.5}
    assert parse_server_timing("") == {}


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(100, 0, -1)]  # 100 values, unsorted
    summary = latency_summary(values)
    assert summary == {"count": 100, "p50": 50.0, "p95": 95.0, "p99": 99.0, "max": 100.0}
    assert latency_summary([7.0])["p95"] == 7.0
    assert latency_summary([]) == {"count": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}


def test_cookie_jar_keeps_what_the_server_set_and_forgets_what_it_deleted():
    jar = CookieJar()
    jar.update(
        [
            "csrftoken=abc123; expires=Mon, 06 Dec 2027 04:00:00 GMT; Max-Age=31449600; "
            "Path=/; SameSite=Lax",
            'messages="W1siX19qc29uX21lc3NhZ2UiXV0:1tXyZ"; HttpOnly; Path=/; SameSite=Lax',
            "sessionid=s3ss; expires=Mon, 07 Dec 2026 16:00:00 GMT; HttpOnly; Max-Age=43200; "
            "Path=/",
        ]
    )
    assert jar.values["csrftoken"] == "abc123"
    assert jar.values["sessionid"] == "s3ss"
    assert "messages" in jar.values
    # Django's delete_cookie: an empty value, max-age 0 and a date in 1970.
    jar.update(['messages=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/'])
    assert "messages" not in jar.values
    assert jar.header() == "csrftoken=abc123; sessionid=s3ss"
    copy = jar.copy()
    copy.update(["sessionid=other; Path=/"])
    assert jar.values["sessionid"] == "s3ss"


def test_busiest_process_share_shows_connections_on_one_worker():
    assert busiest_share(["11", "12", "11", "12"]) == 0.5
    assert busiest_share(["11", "11", "11", ""]) == 1.0
    assert busiest_share([]) == 0.0


def test_capacity_steps_must_grow():
    assert _steps("100,250,500") == [100, 250, 500]
    for bad in ("500,100", "0,10", "a,b", ""):
        with pytest.raises(Exception):  # noqa: B017, PT011 - argparse's type error
            _steps(bad)


def _recorder(**pages) -> Recorder:
    recorder = Recorder(measuring=True)
    for page, values in pages.items():
        for ms in values:
            recorder.record(page, ms, 200, f"app;dur={ms / 2}, cpu;dur={ms / 4}")
    return recorder


def test_a_step_passes_only_with_every_page_under_the_limit_and_no_errors():
    fast = [10.0] * 99 + [90.0]
    recorder = _recorder(queue=fast, ticket=fast, send=fast, after_send=fast)
    step = summarise_step(100, recorder, 50.0, 30.0, 2.0, [1.0, 2.0], limit=100.0)
    assert step["passed"]
    assert step["pages"]["queue"]["p95"] == 10.0
    assert step["pages"]["queue"]["cpu_mean"] == pytest.approx(sum(fast) / 4 / 100)
    assert step["requests_per_second"] == 8.0  # 400 requests in 50 s
    assert step["server_cpu_cores"] == 0.6

    slow = [10.0] * 90 + [150.0] * 10
    failing = summarise_step(
        100, _recorder(queue=slow, ticket=fast), 50.0, 30.0, 2.0, [], limit=100.0
    )
    assert not failing["passed"]

    broken = _recorder(queue=fast, ticket=fast)
    broken.fail("send", "ConnectionResetError")
    assert not summarise_step(100, broken, 50.0, 30.0, 2.0, [], limit=100.0)["passed"]


def test_nothing_is_recorded_outside_the_measured_window():
    recorder = Recorder(measuring=False)
    recorder.record("queue", 5.0, 200)
    recorder.fail("queue", "refused")
    assert recorder.latencies == {} and not recorder.errors


# --- forms as a browser submits them ----------------------------------------------------------

PAGE = """
<form id="search" action="/search/"><input name="q" value="x"></form>
<form id="composer" method="post" action="/tickets/7/send/">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok&amp;en">
  <input type="hidden" name="version" value="4">
  <label><input type="radio" name="kind" value="reply"> Reply</label>
  <label><input type="radio" name="kind" value="note" checked> Note</label>
  <input type="checkbox" name="notify" value="yes">
  <input type="text" name="disabled_one" value="no" disabled>
  <textarea name="body">
पहली पंक्ति</textarea>
  <select name="status">
    <option value="">Leave</option><option value="open" selected>Open</option>
  </select>
  <select name="call_direction">
    <option value="outbound">Out</option><option>inbound</option>
  </select>
  <input type="number" name="call_minutes" value="">
  <button type="submit" name="go">Send</button>
</form>
"""


def test_a_form_is_scraped_as_a_browser_would_submit_it():
    form = scrape_form(PAGE, form_id="composer")
    assert form.action == "/tickets/7/send/"
    assert form.method == "post"
    assert form.fields == [
        ("csrfmiddlewaretoken", "tok&en"),
        ("version", "4"),
        ("kind", "note"),
        ("body", "पहली पंक्ति"),
        ("status", "open"),
        ("call_direction", "outbound"),
        ("call_minutes", ""),
    ]
    assert form.options["kind"] == ["reply", "note"]
    assert form.options["call_direction"] == ["outbound", "inbound"]
    assert form.with_values(kind="reply", extra="1")[2] == ("kind", "reply")
    assert form.with_values(extra="1")[-1] == ("extra", "1")
    assert scrape_form(PAGE, action="/search/").fields == [("q", "x")]
    with pytest.raises(ValueError):
        scrape_form(PAGE, form_id="missing")


def test_queue_links_and_timeline_events_are_counted():
    html = (
        '<a class="ticket-link" href="/tickets/12/">#12</a><a href="/tickets/13/">x</a>'
        '<a class="ticket-link" href="/tickets/9/">#9</a>'
        '<li class="event note">a</li><li class="event reply">b</li><li class="other">c</li>'
    )
    assert ticket_links(html) == [12, 9]
    assert timeline_events(html) == 2


# --- on a generated data set --------------------------------------------------------------------


def _generate(tmp_path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    generate(tickets=200, events_per_ticket=5, seed=5, out=home / "bench.json", progress=False)
    return home


def test_preparing_a_data_set_gives_accounts_a_password_and_tickets_a_full_timeline(db, tmp_path):
    home = _generate(tmp_path)
    state = prepare(home, tickets=2, events=12)
    assert json.loads((home / STATE_FILE).read_text()) == state
    assert state["password"] == PASSWORD
    assert state["queue_agent"] in state["pool"] and len(state["pool"]) > 5
    assert len(state["ticket_ids"]) == 2
    for pk in state["ticket_ids"]:
        assert TicketEvent.objects.filter(ticket_id=pk).count() >= 12
    # Done once: a second run changes nothing.
    events = TicketEvent.objects.count()
    assert prepare(home, tickets=2, events=12) == state
    assert TicketEvent.objects.count() == events

    # The real pages, as the benchmarks read them, after signing in through the form.
    client = Client(SERVER_NAME="localhost", enforce_csrf_checks=True)
    sign_in_page = client.get("/sign-in/").content.decode()
    form = scrape_form(sign_in_page, action="/sign-in/")
    data = dict(form.with_values(email=state["queue_agent"], password=PASSWORD))
    assert client.post("/sign-in/", data).status_code == 302
    queue = client.get("/queues/groups/").content.decode()
    links = ticket_links(queue)
    assert links and set(links) <= set(Ticket.objects.values_list("pk", flat=True))
    pk = state["ticket_ids"][0]
    page = client.get(f"/tickets/{pk}/").content.decode()
    assert timeline_events(page) == 12
    composer = scrape_form(page, form_id="composer")
    assert composer.value("version") == str(Ticket.objects.get(pk=pk).version)
    data = dict(composer.with_values(kind="note", body="scraped and sent"))
    sent = client.post(composer.action, data)
    assert sent.status_code == 302
    assert TicketEvent.objects.filter(ticket_id=pk, body="scraped and sent").exists()


@pytest.mark.slow
def test_a_simulated_agent_signs_in_and_works_a_ticket_on_a_live_server(
    transactional_db, live_server, tmp_path
):
    home = _generate(tmp_path)
    state = prepare(home, tickets=2, events=8)
    before = TicketEvent.objects.count()

    class Quick:
        think = 0.0
        note_share = 0.5
        page_requests = True

    async def one_round():
        client = LeanClient()
        try:
            jar = await sign_in(client, live_server.url, state["queue_agent"], PASSWORD)
        finally:
            client.close()
        recorder = Recorder(measuring=True)
        agent = Agent(0, live_server.url, jar, Quick, recorder)
        try:
            await agent.cycle()
        finally:
            agent.client.close()
        return recorder

    recorder = asyncio.run(one_round())
    assert not recorder.errors, recorder.error_samples
    assert recorder.stale == 0
    # The send is answered in place (no page after it), unless it changed the ticket's status.
    for page in ("queue", "ticket", "heartbeat", "draft", "send", "counts"):
        assert len(recorder.latencies[page]) >= 1, page
    assert TicketEvent.objects.count() == before + 1
