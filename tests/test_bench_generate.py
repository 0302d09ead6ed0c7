"""The benchmark data generator: a small run on the test database gives consistent data that
the services and the API read back correctly."""

import json
import re
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F

from sampark.customers.models import Contact, Identity
from sampark.customers.services import normalise_identity
from sampark.team.models import AgentProfile
from sampark.team.services import authenticate_token
from sampark.tickets import active_counts
from sampark.tickets import services as tickets
from sampark.tickets.models import ACTIVE_STATUSES, ActiveCount, Counter, Ticket, TicketEvent

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `bench` lives at the top of the repository, beside src/
    sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402

N = 200
DEVANAGARI = re.compile("[\u0900-\u097f]")


def _index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


@pytest.fixture
def generated(db, tmp_path):
    # Exercise the bulk path that drops and rebuilds indexes (the default only from 50k).
    # PostgreSQL cannot re-add foreign keys inside the test's one transaction once other
    # tables have pending deferred checks, so there the indexes stay in place.
    rebuild = connection.vendor == "sqlite"
    before = {t: _index_names(t) for t in ("tickets_ticket", "tickets_ticketevent")}
    summary = generate(
        tickets=N,
        events_per_ticket=5,
        seed=3,
        out=tmp_path / "bench.json",
        rebuild_indexes=rebuild,
        progress=False,
    )
    after = {t: _index_names(t) for t in before}
    return summary, json.loads((tmp_path / "bench.json").read_text()), before, after


def test_counts_and_numbers(generated):
    summary, _bench, before, after = generated
    assert summary.tickets == Ticket.objects.count() == N
    assert summary.contacts == Contact.objects.count() == N // 4
    assert summary.events == TicketEvent.objects.count()
    assert 4.5 * N <= summary.events <= 6 * N
    assert after == before  # every dropped index came back
    numbers = sorted(Ticket.objects.values_list("number", flat=True))
    assert numbers == list(range(1, N + 1))
    assert Counter.objects.get(name="ticket").value == N
    # The next ticket opened through the services continues the sequence.
    contact = Contact.objects.order_by("id").first()
    assert tickets.open_ticket(subject="After the bulk load", requester=contact).number == N + 1


def test_tickets_are_consistent(generated):
    assert not Ticket.objects.exclude(priority_rank=F("priority__rank")).exists()
    assert not Ticket.objects.filter(group__isnull=True).exists()
    assert not Ticket.objects.exclude(tier=F("group__tier")).exists()
    pairs = Ticket.objects.values_list("organization_id", "requester__organization_id")
    assert all(org == requester_org for org, requester_org in pairs)
    assert not Ticket.objects.filter(status="new", owner__isnull=False).exists()
    assert not Ticket.objects.exclude(status="new").filter(owner__isnull=True).exists()
    assert not Ticket.objects.exclude(status="new").filter(first_responded_at__isnull=True).exists()
    assert not Ticket.objects.filter(status="solved", solved_at__isnull=True).exists()
    assert not Ticket.objects.filter(status="closed", closed_at__isnull=True).exists()
    owners = set(Ticket.objects.exclude(owner=None).values_list("owner_id", flat=True))
    assert owners <= set(AgentProfile.objects.values_list("user_id", flat=True))

    active = Ticket.objects.filter(status__in=ACTIVE_STATUSES).count()
    assert 0.03 * N <= active <= 0.25 * N
    # The board's rollup, counted afresh: a row per key, summing to the active tickets.
    counted = active_counts.counted()
    assert sum(row[-1] for row in counted) == active
    assert ActiveCount.objects.count() == len(counted)
    assert set(Ticket.objects.values_list("language", flat=True)) == {"en", "hi"}
    subjects = list(Ticket.objects.values_list("subject", flat=True))
    assert any(DEVANAGARI.search(s) for s in subjects)
    assert any(not DEVANAGARI.search(s) for s in subjects)
    assert (
        Ticket.objects.filter(priority__code="P1").count()
        < Ticket.objects.filter(priority__code="P3").count()
    )


def test_events_tell_each_ticket_in_order(generated):
    events: dict[int, list[TicketEvent]] = {}
    for event in TicketEvent.objects.order_by("ticket_id", "created_at", "id"):
        events.setdefault(event.ticket_id, []).append(event)
    agents = set(AgentProfile.objects.values_list("user_id", flat=True))
    for ticket in Ticket.objects.all():
        history = events[ticket.pk]
        assert history[0].kind == "created"
        assert history[0].created_at == ticket.created_at
        assert history[-1].created_at == ticket.updated_at
        times = [e.created_at for e in history]
        assert times == sorted(times)
        for event in history:
            if event.actor_id is not None:
                assert event.actor_id in agents
            if event.kind == "message_in":
                assert event.contact_id == ticket.requester_id and event.public
            if event.kind in ("message_out", "note"):
                assert event.actor_id is not None
        statuses = [e.data["to"] for e in history if e.kind == "status"]
        if ticket.status in ("pending", "on_hold", "solved"):
            assert statuses[-1] == ticket.status
        if ticket.status == "closed":
            assert statuses[-2:] == ["solved", "closed"]
            assert ticket.closed_at == history[-1].created_at


def test_identities_are_normalised_and_unique(generated):
    identities = list(Identity.objects.values_list("kind", "value", "contact_id"))
    assert len({(k, v) for k, v, _c in identities}) == len(identities)
    assert {c for _k, _v, c in identities} == set(Contact.objects.values_list("id", flat=True))
    for kind, value, _contact in identities:
        assert normalise_identity(kind, value) == value
        if kind == "phone":
            assert re.fullmatch(r"\+91[6-9]\d{9}", value)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []


def test_bench_file_and_api(generated, client):
    _summary, bench, _before, _after = generated
    token = authenticate_token(bench["token"])
    assert token is not None
    profile = token.user.agent
    assert set(bench["group_ids"]) == set(profile.groups.values_list("id", flat=True))
    assert Ticket.objects.filter(pk__in=bench["ticket_ids"]).count() == len(bench["ticket_ids"])
    assert Contact.objects.filter(pk__in=bench["contact_ids"]).count() == len(bench["contact_ids"])

    headers = {"Authorization": f"Bearer {bench['token']}"}
    queue = client.get(f"/api/v1/groups/{bench['big_group_id']}/queue?limit=5", headers=headers)
    assert queue.status_code == 200, queue.content[:500]
    items = queue.json()["items"]
    assert items and all(item["status"] in ACTIVE_STATUSES for item in items)
    detail = client.get(f"/api/v1/tickets/{bench['ticket_ids'][0]}", headers=headers)
    assert detail.status_code == 200, detail.content[:500]
    assert detail.json()["events"]
    timeline = client.get(
        f"/api/v1/contacts/{bench['contact_ids'][0]}/timeline?limit=50", headers=headers
    )
    assert timeline.status_code == 200, timeline.content[:500]
    assert timeline.json()["items"]


def test_every_active_ticket_has_an_sla_clock_as_start_clocks_leaves_it(generated):
    from sampark.sla.clocks import DueTimes
    from sampark.sla.models import TicketClock
    from sampark.tickets.models import ACTIVE_STATUSES, Ticket

    active = set(Ticket.objects.filter(status__in=ACTIVE_STATUSES).values_list("pk", flat=True))
    clocks = {row.ticket_id: row for row in TicketClock.objects.select_related("ticket")}

    assert active and set(clocks) == active
    for row in clocks.values():
        assert row.policy_id is not None  # every seeded priority has a policy
        assert row.next_deadline > row.ticket.created_at
        # What the queues and the sidebar's counts read from the clock's own indexes.
        assert (row.ticket_group, row.ticket_owner) == (row.ticket.group_id, row.ticket.owner_id)
        due = DueTimes.of(row.clocks)
        assert (row.sla_due, row.at_risk_from, row.update_due) == (
            due.sla_due,
            due.at_risk_from,
            due.update_due,
        )
        for state in row.clocks.values():
            if state.get("paused"):
                assert row.ticket.status in ("pending", "on_hold")
