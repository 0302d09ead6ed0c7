"""The fixed contracts of escalation and de-escalation (tools outside the project rely on
them), the work item, chain and swarm endpoints, and their answers outside the caller's
scope: the same 404 as a missing ticket."""

import datetime as dt

import pytest
import time_machine

from sampark.api import v1 as sampark_api
from sampark.team.models import AgentProfile
from sampark.team.services import save_group
from sampark.tickets import services as tickets
from sampark.tickets.models import Escalation, SwarmInvitation, TicketEvent


@pytest.fixture(autouse=True)
def no_rate_limit(monkeypatch):
    monkeypatch.setattr(sampark_api, "_API_RATE", None)


@pytest.fixture
def chain(make_group, default_group):
    network = make_group(name="Network", tier="L2")
    engineering = make_group(name="Engineering", tier="L3")
    save_group(default_group, escalates_to=network)
    save_group(network, escalates_to=engineering)
    return default_group, network, engineering


@pytest.fixture
def owner(make_agent, default_group):
    return make_agent(name="Priya Owner", groups=[default_group])


@pytest.fixture
def specialist(make_agent, chain):
    return make_agent(name="Farhan", tier="L2", groups=[chain[1]])


@pytest.fixture
def outsider(make_agent, make_group):
    """An agent of another group: the ticket is outside their scope."""
    return make_agent(groups=[make_group(name="Billing")])


@pytest.fixture
def ticket(make_ticket, owner, chain):
    return make_ticket(owner=owner)


def test_escalate_takes_a_reason_and_raises_the_tier_keeping_the_owner(
    api_as, owner, ticket, chain
):
    response = api_as(owner).post(
        f"/api/v1/tickets/{ticket.pk}/escalate", {"reason": "Packet loss on the core"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["tier"] == "L2"
    assert body["owner"]["id"] == owner.pk
    assert body["group"]["id"] == chain[1].pk


def test_escalate_twice_gives_L3_after_L2(api_as, owner, ticket):  # noqa: N802
    client = api_as(owner)
    client.post(f"/api/v1/tickets/{ticket.pk}/escalate", {"reason": "L2"})

    body = client.post(f"/api/v1/tickets/{ticket.pk}/escalate", {"reason": "L3"}).json()

    assert (body["tier"], body["owner"]["id"]) == ("L3", owner.pk)


def test_escalate_to_a_named_group(api_as, owner, ticket, chain):
    response = api_as(owner).post(
        f"/api/v1/tickets/{ticket.pk}/escalate", {"reason": "Firmware", "group": chain[2].pk}
    )

    assert (response.status_code, response.json()["tier"]) == (200, "L3")


def test_escalate_in_hand_off_mode_moves_the_owner(api_as, owner, ticket, chain):
    save_group(chain[1], escalation_mode="hand_off")

    body = api_as(owner).post(f"/api/v1/tickets/{ticket.pk}/escalate", {"reason": "Visit"}).json()

    assert (body["tier"], body["owner"]) == ("L2", None)


@pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": 5}, {"reason": "x" * 2001}])
def test_escalate_refuses_a_bad_reason_with_422(api_as, owner, ticket, payload):
    response = api_as(owner).post(f"/api/v1/tickets/{ticket.pk}/escalate", payload)

    assert response.status_code == 422
    assert not Escalation.objects.exists()


def test_escalate_at_the_top_tier_is_409(api_as, owner, ticket, chain):
    client = api_as(owner)
    client.post(f"/api/v1/tickets/{ticket.pk}/escalate", {"reason": "up", "group": chain[2].pk})

    response = client.post(f"/api/v1/tickets/{ticket.pk}/escalate", {"reason": "higher"})

    assert response.status_code == 409


def test_deescalate_returns_the_ticket_to_the_tier_below(api_as, owner, ticket, chain):
    client = api_as(owner)
    client.post(f"/api/v1/tickets/{ticket.pk}/escalate", {"reason": "L2"})
    client.post(f"/api/v1/tickets/{ticket.pk}/escalate", {"reason": "L3"})

    response = client.post(f"/api/v1/tickets/{ticket.pk}/deescalate", {"reason": "Patched"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["tier"], body["group"]["id"], body["owner"]["id"]) == ("L2", chain[1].pk, owner.pk)
    events = client.get(f"/api/v1/tickets/{ticket.pk}/events").json()["items"]
    assert events[0]["kind"] == "deescalated"


def test_deescalate_without_an_open_escalation_is_409(api_as, owner, ticket):
    response = api_as(owner).post(f"/api/v1/tickets/{ticket.pk}/deescalate", {"reason": "No"})

    assert response.status_code == 409


def test_the_tickets_escalations_carry_their_thread(api_as, owner, specialist, ticket):
    client = api_as(owner)
    client.post(f"/api/v1/tickets/{ticket.pk}/escalate", {"reason": "L2"})
    item = Escalation.objects.get()
    helper = api_as(specialist)

    assigned = helper.post(f"/api/v1/escalations/{item.pk}/assignee", {"agent": specialist.pk})
    note = helper.post(f"/api/v1/escalations/{item.pk}/notes", {"body": "BGP flaps"})
    listed = client.get(f"/api/v1/tickets/{ticket.pk}/escalations").json()

    assert assigned.status_code == 200 and assigned.json()["assignee"]["id"] == specialist.pk
    assert note.status_code == 201 and note.json()["kind"] == "note"
    assert [n["body"] for n in listed[0]["thread"]] == ["BGP flaps"]
    assert listed[0]["due_at"] is not None and listed[0]["mode"] == "keep_owner"


def test_an_escalation_says_when_it_is_due_soon_and_when_overdue(api_as, owner, ticket):
    monday_10 = dt.datetime(2026, 12, 7, 4, 30, tzinfo=dt.UTC)  # a working Monday in India
    with time_machine.travel(monday_10, tick=False):
        api_as(owner).post(f"/api/v1/tickets/{ticket.pk}/escalate", {"reason": "L2"})
    item = Escalation.objects.get()

    def seen_at(moment):
        with time_machine.travel(moment, tick=False):
            tickets.sweep_escalations()
            return api_as(owner).get(f"/api/v1/tickets/{ticket.pk}/escalations").json()[0]

    assert seen_at(monday_10)["due_state"] == "on_track"
    soon = seen_at(item.warn_at)
    assert soon["due_state"] == "due_soon" and soon["warned_at"] is not None
    late = seen_at(item.due_at)
    assert late["due_state"] == "overdue" and late["overdue_at"] is not None
    api_as(owner).post(f"/api/v1/tickets/{ticket.pk}/deescalate", {"reason": "Fixed"})
    assert seen_at(item.due_at)["due_state"] == "closed"


def test_escalated_to_my_group_lists_the_open_items(api_as, owner, specialist, ticket):
    api_as(owner).post(f"/api/v1/tickets/{ticket.pk}/escalate", {"reason": "L2"})

    listed = api_as(specialist).get("/api/v1/escalations").json()

    assert [e["ticket"] for e in listed] == [ticket.pk]


def test_the_chain_endpoint_names_each_groups_next_step(api_as, owner, chain):
    listed = api_as(owner).get("/api/v1/escalation-chains").json()

    steps = {link["group"]["id"]: (link["next_in_chain"] or {}).get("id") for link in listed}
    assert steps[chain[0].pk] == chain[1].pk
    assert steps[chain[1].pk] == chain[2].pk
    assert steps[chain[2].pk] is None


def test_admins_set_the_chain_on_the_group(api_as, make_agent, chain):
    admin = api_as(make_agent(role=AgentProfile.Role.ADMIN))

    changed = admin.patch(
        f"/api/v1/groups/{chain[1].pk}",
        {"escalation_mode": "hand_off", "escalation_response_minutes": 60, "escalates_to": None},
    )
    refused = admin.patch(f"/api/v1/groups/{chain[2].pk}", {"escalates_to": chain[0].pk})

    assert changed.status_code == 200, changed.content
    assert changed.json()["escalation_mode"] == "hand_off"
    assert changed.json()["escalates_to"] is None
    assert refused.status_code == 422


def test_swarm_from_request_to_summary(api_as, owner, specialist, ticket):
    client, helper = api_as(owner), api_as(specialist)

    asked = client.post(
        f"/api/v1/tickets/{ticket.pk}/swarms", {"message": "BGP?", "agents": [specialist.pk]}
    )
    swarm_id = asked.json()["id"]
    mine = helper.get("/api/v1/swarm-requests").json()
    before_join = helper.get(f"/api/v1/tickets/{ticket.pk}")
    joined = helper.post(f"/api/v1/swarms/{swarm_id}/join")
    note = helper.post(f"/api/v1/swarms/{swarm_id}/notes", {"body": "Hold timer"})
    closed = client.post(f"/api/v1/swarms/{swarm_id}/close", {"summary": "Fixed on the PE"})

    assert asked.status_code == 201
    assert [(r["swarm"], r["ticket"]["number"]) for r in mine] == [(swarm_id, ticket.number)]
    assert before_join.status_code == 404
    assert joined.status_code == 200 and joined.json()["invitations"][0]["state"] == "joined"
    assert helper.get(f"/api/v1/tickets/{ticket.pk}").status_code == 200
    assert note.status_code == 201
    assert closed.json()["summary"] == "Fixed on the PE"
    assert helper.get("/api/v1/swarm-requests").json() == []


def test_declining_a_swarm(api_as, owner, specialist, ticket):
    swarm = tickets.request_swarm(ticket.pk, actor=owner, message="BGP?", agents=[specialist])

    response = api_as(specialist).post(f"/api/v1/swarms/{swarm.pk}/decline")

    assert response.status_code == 200
    assert SwarmInvitation.objects.get().state == "declined"


def _outside_and_missing(client, method, path_for, body):
    """The answers for a real id out of scope and a missing one, and whether anything was
    written in between."""
    before = TicketEvent.objects.count()
    refused = client._call(method, path_for(True), json=body)
    missing = client._call(method, path_for(False), json=body)
    return refused, missing, TicketEvent.objects.count() == before


def test_work_items_out_of_scope_answer_like_missing_ones(
    api_as, owner, specialist, outsider, ticket
):
    item = tickets.escalate_ticket(ticket.pk, actor=owner, reason="L2")
    swarm = tickets.request_swarm(ticket.pk, actor=owner, message="?", agents=[specialist])
    client = api_as(outsider)
    cases = [
        (
            "post",
            lambda real: f"/api/v1/tickets/{ticket.pk if real else 987654}/deescalate",
            {"reason": "x"},
        ),
        (
            "post",
            lambda real: f"/api/v1/escalations/{item.pk if real else 987654}/notes",
            {"body": "x"},
        ),
        (
            "post",
            lambda real: f"/api/v1/escalations/{item.pk if real else 987654}/assignee",
            {"agent": None},
        ),
        ("post", lambda real: f"/api/v1/swarms/{swarm.pk if real else 987654}/join", None),
        ("post", lambda real: f"/api/v1/swarms/{swarm.pk if real else 987654}/decline", None),
        (
            "post",
            lambda real: f"/api/v1/swarms/{swarm.pk if real else 987654}/notes",
            {"body": "x"},
        ),
        (
            "post",
            lambda real: f"/api/v1/swarms/{swarm.pk if real else 987654}/close",
            {"summary": "x"},
        ),
    ]
    for method, path_for, body in cases:
        refused, missing, unchanged = _outside_and_missing(client, method, path_for, body)
        assert refused.status_code == missing.status_code == 404, path_for(True)
        assert refused.json() == missing.json()
        assert unchanged
    assert client.get("/api/v1/escalations").json() == []
    assert client.get("/api/v1/swarm-requests").json() == []
