"""The ``sla`` object of a ticket in the API: one clock per target, each with its due time,
when it was met, and whether it is breached or paused."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sampark.sla import services as sla
from sampark.sla.models import SLAPolicy
from sampark.tickets import services as tickets
from sampark.tickets.models import Ticket

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")
MONDAY_10 = dt.datetime(2026, 12, 7, 10, tzinfo=IST)  # a week with no Indian public holiday
CLOCKS = {"first_response_due", "next_response_due", "resolution_due", "next_update_due"}
NO_CLOCK = {"due": None, "met_at": None, "breached": False, "paused": False}


def ist(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=IST)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...``: after-commit subscribers (the SLA recompute) run at the end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def sla_of(api, ticket) -> dict:
    response = api.get(f"/api/v1/tickets/{ticket.pk}")
    assert response.status_code == 200
    return response.json()["sla"]


def moment(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def test_ticket_shows_one_clock_per_target_with_the_same_four_fields(
    api, agent, make_ticket, committed
):
    with time_machine.travel(MONDAY_10, tick=False), committed():
        ticket = make_ticket(priority="P2", owner=agent)

    shown = sla_of(api, ticket)

    assert set(shown) == {"policy", *CLOCKS}
    for name in CLOCKS:
        assert set(shown[name]) == {"due", "met_at", "breached", "paused"}


def test_ticket_shows_its_policy_and_due_times(api, agent, make_ticket, committed):
    # P2 counts India office hours (Mon–Fri 09:30–18:30): 2 h, 18 h and 4 h from Monday 10:00.
    with time_machine.travel(MONDAY_10, tick=False), committed():
        ticket = make_ticket(priority="P2", owner=agent)

    shown = sla_of(api, ticket)

    assert shown["policy"] == SLAPolicy.objects.get(priorities__code="P2").name
    assert moment(shown["first_response_due"]["due"]) == ist(2026, 12, 7, 12)
    assert moment(shown["resolution_due"]["due"]) == ist(2026, 12, 9, 10)
    assert moment(shown["next_update_due"]["due"]) == ist(2026, 12, 7, 14)
    assert shown["next_response_due"] == NO_CLOCK  # nobody waits for a next response yet


def test_met_clock_shows_when_it_was_met(api, agent, make_ticket, committed):
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        with committed():
            ticket = make_ticket(priority="P2", owner=agent)
        traveller.move_to(ist(2026, 12, 7, 10, 20))
        with committed():
            tickets.add_message(ticket.pk, agent=agent, body="Looking into it.")

    first_response = sla_of(api, ticket)["first_response_due"]

    assert moment(first_response["met_at"]) == ist(2026, 12, 7, 10, 20)
    assert first_response["breached"] is False


def test_pending_ticket_shows_paused_clocks_without_a_due_time(api, agent, make_ticket, committed):
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        with committed():
            ticket = make_ticket(priority="P2", owner=agent)
        traveller.move_to(ist(2026, 12, 7, 11))
        with committed():
            tickets.add_message(ticket.pk, agent=agent, body="Which model is it?")
            tickets.update_ticket(
                ticket.pk,
                actor=agent,
                expected_version=Ticket.objects.get(pk=ticket.pk).version,
                status="pending",
            )

    resolution = sla_of(api, ticket)["resolution_due"]

    assert resolution == {"due": None, "met_at": None, "breached": False, "paused": True}


def test_breached_clock_shows_breached_once_the_sweep_has_seen_it(
    api, agent, make_ticket, committed
):
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        with committed():
            ticket = make_ticket(priority="P2", owner=agent)
        traveller.move_to(ist(2026, 12, 7, 12))
        with committed():
            sla.sweep()

    first_response = sla_of(api, ticket)["first_response_due"]

    assert first_response["breached"] is True
    assert moment(first_response["due"]) == ist(2026, 12, 7, 12)
    assert first_response["met_at"] is None


def test_ticket_that_no_policy_matches_shows_empty_clocks(api, make_ticket, committed):
    for policy in SLAPolicy.objects.all():
        sla.save_policy(policy, active=False)
    with time_machine.travel(MONDAY_10, tick=False), committed():
        ticket = make_ticket()

    shown = sla_of(api, ticket)

    assert shown == {"policy": None, **{name: NO_CLOCK for name in CLOCKS}}


def test_ticket_list_shows_the_sla_object_too(api, agent, make_ticket, committed):
    with time_machine.travel(MONDAY_10, tick=False), committed():
        make_ticket(priority="P2", owner=agent)

    [item] = api.get("/api/v1/tickets").json()["items"]

    assert moment(item["sla"]["first_response_due"]["due"]) == ist(2026, 12, 7, 12)


@pytest.mark.django_db(transaction=True)
def test_priority_change_answers_with_the_new_due_times(api, agent, make_ticket):
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        ticket = make_ticket(priority="P3", owner=agent)
        traveller.move_to(ist(2026, 12, 7, 10, 10))
        response = api.patch(
            f"/api/v1/tickets/{ticket.pk}", {"version": ticket.version, "priority": "P1"}
        )

    assert response.status_code == 200
    # P1 runs round the clock: 30 minutes from opening instead of 9 office hours.
    assert moment(response.json()["sla"]["first_response_due"]["due"]) == ist(2026, 12, 7, 10, 30)
