"""The assignment engine's API: strategies on groups, workload, leave and "Take next"."""

import datetime as dt

import pytest

from sampark.assignment.models import Leave
from sampark.assignment.services import leave as leaves
from sampark.team.services import update_agent
from sampark.tickets.models import Ticket


@pytest.fixture
def desk(make_group):
    return make_group(name="Pune desk")


@pytest.fixture
def asha(make_agent, desk):
    return make_agent(name="Asha Rao", groups=[desk], presence="online", capacity=2)


@pytest.fixture
def tarun(make_agent, desk):
    return make_agent(name="Tarun Das", groups=[desk], presence="online")


@pytest.fixture
def supervisor(make_agent):
    return make_agent(name="Sunil Supervisor", role="supervisor")


@pytest.fixture
def admin(make_agent):
    return make_agent(role="admin")


def days(n: int) -> str:
    return (leaves.today() + dt.timedelta(days=n)).isoformat()


# --- strategies -------------------------------------------------------------------------------


def test_a_group_without_a_strategy_queues_its_tickets(api_as, asha, desk):
    body = api_as(asha).get(f"/api/v1/groups/{desk.pk}/strategy").json()

    assert body == {
        "group": desk.pk,
        "method": "queue",
        "spoc_wait_minutes": 0,
        "match_skills": True,
        "match_language": True,
    }


def test_an_admin_sets_a_strategy_and_new_tickets_follow_it(
    api_as, admin, asha, tarun, desk, make_ticket
):
    response = api_as(admin).put(
        f"/api/v1/groups/{desk.pk}/strategy",
        json={"method": "round_robin", "spoc_wait_minutes": 20},
    )

    assert response.status_code == 200, response.content
    assert response.json()["method"] == "round_robin"
    owners = {make_ticket(group=desk).owner for _ in range(2)}
    assert owners == {asha, tarun}


def test_a_strategy_out_of_bounds_is_refused_with_422(api_as, admin, desk):
    client = api_as(admin)

    too_long = client.put(f"/api/v1/groups/{desk.pk}/strategy", json={"spoc_wait_minutes": 99999})
    unknown = client.put(f"/api/v1/groups/{desk.pk}/strategy", json={"method": "lottery"})
    missing = client.put("/api/v1/groups/987654/strategy", json={"method": "queue"})

    assert (too_long.status_code, unknown.status_code, missing.status_code) == (422, 422, 404)


def test_only_admins_set_strategies(api_as, supervisor, desk):
    response = api_as(supervisor).put(
        f"/api/v1/groups/{desk.pk}/strategy", json={"method": "least_loaded"}
    )

    assert response.status_code == 403


# --- workload ---------------------------------------------------------------------------------


def test_workload_shows_load_against_capacity_and_leave(api_as, asha, tarun, make_ticket, desk):
    make_ticket(group=desk, owner=asha)
    leaves.record_leave(
        asha, delegate=tarun, starts_on=leaves.today(), ends_on=leaves.today(), actor=asha
    )

    body = api_as(tarun).get(f"/api/v1/agents/{asha.pk}/workload").json()

    # The ticket was handed to Tarun when the leave started.
    assert body == {
        "agent": asha.pk,
        "presence": "online",
        "capacity": 2,
        "load": 0,
        "on_leave": True,
        "delegate": tarun.pk,
    }
    assert api_as(tarun).get(f"/api/v1/agents/{tarun.pk}/workload").json()["load"] == 1
    assert api_as(tarun).get("/api/v1/agents/987654/workload").status_code == 404


# --- leave ------------------------------------------------------------------------------------


def test_an_agent_records_their_own_leave(api_as, asha, tarun):
    response = api_as(asha).post(
        "/api/v1/leaves",
        json={
            "delegate": tarun.pk,
            "starts_on": days(2),
            "ends_on": days(4),
            "note": "Call the Acme plant on Mondays.",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["agent"]["id"], body["delegate"]["id"], body["state"]) == (
        asha.pk,
        tarun.pk,
        "planned",
    )
    assert body["return_customers"] is True
    # The delegate sees it too; it is theirs to stand in for.
    assert [row["id"] for row in api_as(tarun).get("/api/v1/leaves").json()] == [body["id"]]


def test_an_agent_cannot_record_or_end_someone_elses_leave(api_as, asha, tarun, make_agent):
    stranger = make_agent()
    refused = api_as(asha).post(
        "/api/v1/leaves",
        json={"agent": tarun.pk, "delegate": asha.pk, "starts_on": days(1), "ends_on": days(1)},
    )
    recorded = leaves.record_leave(
        tarun, delegate=asha, starts_on=leaves.today(), ends_on=leaves.today(), actor=tarun
    )

    hidden = api_as(stranger).get(f"/api/v1/leaves/{recorded.pk}")
    hidden_end = api_as(stranger).post(f"/api/v1/leaves/{recorded.pk}/end")

    assert refused.status_code == 403
    assert (hidden.status_code, hidden_end.status_code) == (404, 404)
    assert api_as(stranger).get("/api/v1/leaves").json() == []
    assert Leave.objects.get(pk=recorded.pk).state == Leave.State.ON_LEAVE


def test_a_supervisor_records_and_ends_anyones_leave(api_as, supervisor, asha, tarun, make_ticket):
    ticket = make_ticket(owner=asha)
    client = api_as(supervisor)

    created = client.post(
        "/api/v1/leaves",
        json={"agent": asha.pk, "delegate": tarun.pk, "starts_on": days(0), "ends_on": days(3)},
    )
    assert created.status_code == 201, created.content
    assert created.json()["state"] == "on_leave"
    assert Ticket.objects.get(pk=ticket.pk).owner == tarun

    ended = client.post(f"/api/v1/leaves/{created.json()['id']}/end")

    assert ended.json()["state"] == "returned"
    assert Ticket.objects.get(pk=ticket.pk).owner == asha


@pytest.mark.parametrize(
    "body",
    [
        {"delegate": 987654, "starts_on": "2030-01-01", "ends_on": "2030-01-02"},
        {"starts_on": "2030-01-01", "ends_on": "2030-01-02"},
        {"delegate": 1, "starts_on": "2030-02-30", "ends_on": "2030-03-02"},
        {"delegate": 1, "starts_on": "2030-01-05", "ends_on": "2030-01-02"},
    ],
)
def test_bad_leave_gets_422(api_as, asha, tarun, body):
    if body.get("delegate") == 1:
        body = {**body, "delegate": tarun.pk}

    response = api_as(asha).post("/api/v1/leaves", json=body)

    assert response.status_code == 422, response.content


# --- take next --------------------------------------------------------------------------------


def test_take_next_gives_the_most_urgent_ticket_and_204_when_none(api_as, asha, desk, make_ticket):
    update_agent(asha.agent, capacity=5)
    later = make_ticket(group=desk, priority="P3")
    sooner = make_ticket(group=desk, priority="P1")
    client = api_as(asha)

    first = client.post("/api/v1/tickets/take-next")
    second = client.post("/api/v1/tickets/take-next")
    third = client.post("/api/v1/tickets/take-next")

    assert first.status_code == 200
    assert (first.json()["id"], first.json()["owner"]["id"]) == (sooner.pk, asha.pk)
    assert second.json()["id"] == later.pk
    assert third.status_code == 204


def test_take_next_at_capacity_is_409(api_as, asha, desk, make_ticket):
    for _ in range(2):
        make_ticket(group=desk, owner=asha)
    make_ticket(group=desk)

    assert api_as(asha).post("/api/v1/tickets/take-next").status_code == 409


def test_take_next_never_takes_a_ticket_outside_the_scope(api_as, asha, desk, make_ticket):
    update_agent(asha.agent, ticket_access="own")
    make_ticket(group=desk)

    assert api_as(asha).post("/api/v1/tickets/take-next").status_code == 204
