"""The workspace's side of assignment: "Take next" above the queues, and the leave page where an
agent records their leave and who stands in (supervisors record anyone's)."""

import datetime as dt

import pytest

from sampark.assignment.models import Leave
from sampark.assignment.services import leave as leaves
from sampark.team.models import AgentProfile
from sampark.team.services import set_workspace_preferences, update_agent
from sampark.tickets.models import Ticket


@pytest.fixture
def front_desk(make_group):
    return make_group(name="Front line")


@pytest.fixture
def asha(make_agent, front_desk):
    return make_agent(name="Asha Rao", groups=[front_desk], presence="online", capacity=3)


@pytest.fixture
def ravi(make_agent, front_desk):
    return make_agent(name="Ravi Kumar", groups=[front_desk], presence="online")


@pytest.fixture
def meenakshi(make_agent, front_desk):
    return make_agent(name="Meenakshi Rao", role=AgentProfile.Role.SUPERVISOR, groups=[front_desk])


def day(n: int) -> dt.date:
    return leaves.today() + dt.timedelta(days=n)


# --- take next --------------------------------------------------------------------------------


def test_every_queue_offers_take_next(signed_in, asha):
    page = signed_in(asha).get("/queues/groups/").content.decode()

    assert 'action="/queues/take-next/"' in page
    assert ">Take next</button>" in page


def test_take_next_opens_the_most_urgent_ticket_as_ones_own(
    signed_in, asha, front_desk, make_ticket
):
    make_ticket(group=front_desk, priority="P3")
    urgent = make_ticket(group=front_desk, priority="P1")

    response = signed_in(asha).post("/queues/take-next/", {"next": "/queues/groups/"})

    assert response.status_code == 302
    assert response.url == f"/tickets/{urgent.pk}/"
    assert Ticket.objects.get(pk=urgent.pk).owner == asha
    page = signed_in(asha).get(response.url).content.decode()
    assert f"Ticket #{urgent.number} is yours now." in page
    assert "taken with Take next" in page


def test_take_next_with_nothing_waiting_says_so(signed_in, asha):
    response = signed_in(asha).post("/queues/take-next/", {"next": "/queues/groups/"}, follow=True)

    assert "No unowned ticket is waiting in your groups." in response.content.decode()


def test_take_next_at_capacity_says_why(signed_in, asha, front_desk, make_ticket):
    for _ in range(3):
        make_ticket(group=front_desk, owner=asha)
    waiting = make_ticket(group=front_desk)

    response = signed_in(asha).post("/queues/take-next/", {"next": "/queues/groups/"}, follow=True)

    assert "your capacity" in response.content.decode()
    assert Ticket.objects.get(pk=waiting.pk).owner is None


def test_take_next_only_answers_a_post(signed_in, asha):
    assert signed_in(asha).get("/queues/take-next/").status_code == 405


# --- the leave page ---------------------------------------------------------------------------


def test_an_agent_records_their_leave_and_their_tickets_go_to_the_delegate(
    signed_in, asha, ravi, make_ticket
):
    ticket = make_ticket(owner=asha)
    client = signed_in(asha)

    response = client.post(
        "/leave/",
        {
            "delegate": ravi.pk,
            "starts_on": day(0).isoformat(),
            "ends_on": day(2).isoformat(),
            "return_customers": "on",
            "note": "Acme's router is on its second replacement.",
        },
        follow=True,
    )

    listing = response.content.decode()
    assert response.redirect_chain == [("/leave/", 302)]
    assert "The leave is recorded." in listing
    assert "Ravi Kumar" in listing and "customers come back" in listing
    assert Ticket.objects.get(pk=ticket.pk).owner == ravi
    # Asha no longer sees the ticket (not her group's, not hers); Ravi does, with the note.
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 404
    page = signed_in(ravi).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Handover note: Acme&#x27;s router is on its second replacement." in page


def test_an_agent_records_only_their_own_leave(signed_in, asha, ravi):
    page = signed_in(asha).get("/leave/").content.decode()

    assert 'name="agent"' not in page
    assert 'name="delegate"' in page


def test_a_supervisor_records_anyones_leave(signed_in, meenakshi, asha, ravi):
    client = signed_in(meenakshi)
    assert 'name="agent"' in client.get("/leave/").content.decode()

    client.post(
        "/leave/",
        {
            "agent": asha.pk,
            "delegate": ravi.pk,
            "starts_on": day(3).isoformat(),
            "ends_on": day(4).isoformat(),
        },
    )

    recorded = Leave.objects.get()
    assert (recorded.agent, recorded.recorded_by, recorded.return_customers) == (
        asha,
        meenakshi,
        False,
    )


@pytest.mark.parametrize(
    "dates",
    [("3", "1"), ("-5", "-3"), ("x", "1")],
    ids=["backwards", "in the past", "not a date"],
)
def test_bad_leave_is_shown_again_with_its_error(signed_in, asha, ravi, dates):
    starts, ends = (day(int(d)).isoformat() if d.lstrip("-").isdigit() else d for d in dates)

    response = signed_in(asha).post(
        "/leave/", {"delegate": ravi.pk, "starts_on": starts, "ends_on": ends}
    )

    assert response.status_code == 422
    assert 'class="errorlist' in response.content.decode()
    assert not Leave.objects.exists()


def test_ending_a_leave_brings_the_customers_back(signed_in, asha, ravi, make_ticket):
    ticket = make_ticket(owner=asha)
    away = leaves.record_leave(asha, delegate=ravi, starts_on=day(0), ends_on=day(5), actor=asha)

    response = signed_in(asha).post(f"/leave/{away.pk}/end/", follow=True)

    assert "The leave has ended; 1 ticket came back." in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).owner == asha


def test_someone_elses_leave_cannot_be_ended(signed_in, asha, ravi, make_agent):
    away = leaves.record_leave(asha, delegate=ravi, starts_on=day(1), ends_on=day(2), actor=asha)
    stranger = make_agent()

    assert signed_in(stranger).post(f"/leave/{away.pk}/end/").status_code == 404
    assert Leave.objects.get(pk=away.pk).state == Leave.State.PLANNED


def test_the_leave_page_costs_the_same_however_many_leaves(
    signed_in, meenakshi, make_agent, django_assert_max_num_queries
):
    def agents_on_leave(n):
        for i in range(n):
            agent, delegate = make_agent(), make_agent()
            leaves.record_leave(
                agent, delegate=delegate, starts_on=day(i + 1), ends_on=day(i + 1), actor=agent
            )

    client = signed_in(meenakshi)
    agents_on_leave(2)
    client.get("/leave/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/leave/")
    agents_on_leave(10)
    with django_assert_max_num_queries(len(few)):
        page = client.get("/leave/")

    assert page.content.decode().count("End now") + page.content.decode().count(">Cancel") >= 12


def test_the_leave_page_speaks_hindi(signed_in, asha, ravi):
    set_workspace_preferences(asha.agent, language="hi")
    update_agent(asha.agent, capacity=5)

    page = signed_in(asha).get("/leave/", headers={"Accept-Language": "hi"}).content.decode()

    assert "छुट्टी" in page and "प्रतिनिधि" in page
