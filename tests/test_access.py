"""Ticket access over the whole API, persona by persona.

Five people work the desk: an admin and a supervisor (scope ``all``), an agent of group A
and one of group B (``groups``), and an agent of group A narrowed to ``own``. Every
operation of the OpenAPI document is classified in :data:`OPERATIONS`; an operation missing
from it fails the suite, so a new endpoint cannot arrive without its access decided. Then:

- a ticket outside someone's scope answers every ticket path exactly like a missing id (the
  same status and body), and a refused write changes nothing;
- a ticket inside the scope answers with success;
- every list, queue and timeline holds exactly the tickets in scope, page after page;
- configuration stays admin-only, and reads that hold no ticket data are open to every agent.

The expected visibility is worked out here from the tickets' groups, owners and collaborators
(:func:`sees`), not by asking sampark.tickets.access.
"""

from dataclasses import dataclass, field

import pytest

from sampark.api import v1 as sampark_api
from sampark.core.errors import Forbidden, InvalidInput, NotFound
from sampark.notifications.models import Notification
from sampark.notifications.services import notify
from sampark.team.models import AgentProfile
from sampark.tickets import access
from sampark.tickets import services as tickets
from sampark.tickets.models import Ticket, TicketEvent

ADMIN, SUPERVISOR, AGENT_A, AGENT_B, OWN = "admin", "supervisor", "agent_a", "agent_b", "own"
PERSONAS = (ADMIN, SUPERVISOR, AGENT_A, AGENT_B, OWN)
SCOPED = (AGENT_A, AGENT_B, OWN)
MISSING = 987654


@dataclass(frozen=True)
class Spec:
    group: str
    owner: str | None = None
    collaborators: tuple[str, ...] = ()


# Unowned tickets first: the single-point-of-contact rule would give later ones an owner.
TICKETS = {
    "a_unowned": Spec("A"),
    "b_unowned": Spec("B"),
    "a_owned_by_a": Spec("A", owner=AGENT_A),
    "b_owned_by_b": Spec("B", owner=AGENT_B),
    "b_owned_by_own": Spec("B", owner=OWN),
    "b_shared_with_own": Spec("B", owner=AGENT_B, collaborators=(OWN,)),
    "a_shared_with_b": Spec("A", owner=AGENT_A, collaborators=(AGENT_B,)),
}
GROUPS_OF = {ADMIN: ("A",), SUPERVISOR: ("B",), AGENT_A: ("A",), AGENT_B: ("B",), OWN: ("A",)}
SCOPE_OF = {ADMIN: "all", SUPERVISOR: "all", AGENT_A: "groups", AGENT_B: "groups", OWN: "own"}
# For each persona: a ticket they may work on as its customer-facing agent, one more they may
# see (a merge target), and one outside their scope.
INSIDE = {
    ADMIN: "b_unowned",
    SUPERVISOR: "a_unowned",
    AGENT_A: "a_unowned",
    AGENT_B: "b_unowned",
    OWN: "b_owned_by_own",
}
ALSO_INSIDE = {
    ADMIN: "a_unowned",
    SUPERVISOR: "b_unowned",
    AGENT_A: "a_owned_by_a",
    AGENT_B: "b_owned_by_b",
    OWN: "b_shared_with_own",
}
OUTSIDE = {AGENT_A: "b_unowned", AGENT_B: "a_unowned", OWN: "a_unowned"}


def sees(persona: str, spec: Spec) -> bool:
    if SCOPE_OF[persona] == "all":
        return True
    if spec.owner == persona or persona in spec.collaborators:
        return True
    return SCOPE_OF[persona] == "groups" and spec.group in GROUPS_OF[persona]


@dataclass
class World:
    people: dict
    groups: dict
    tickets: dict
    customer: object
    helper: object
    clients: dict = field(default_factory=dict)

    def ticket(self, name: str) -> Ticket:
        return self.tickets[name]

    def visible(self, persona: str) -> set[int]:
        return {self.tickets[n].pk for n, spec in TICKETS.items() if sees(persona, spec)}


@pytest.fixture
def desk(make_agent, make_group, make_contact, api_as, monkeypatch):
    """The people, their groups and their API clients; no tickets yet."""
    monkeypatch.setattr(sampark_api, "_API_RATE", None)
    groups = {"A": make_group(name="Group A"), "B": make_group(name="Group B")}
    groups["L2"] = make_group(name="Specialists", tier="L2")
    people = {
        ADMIN: make_agent(role="admin", groups=[groups["A"]]),
        SUPERVISOR: make_agent(role="supervisor", groups=[groups["B"]]),
        AGENT_A: make_agent(groups=[groups["A"]]),
        AGENT_B: make_agent(groups=[groups["B"]]),
        OWN: make_agent(groups=[groups["A"]], ticket_access="own"),
    }
    helper = make_agent(groups=[groups["L2"]])
    customer = make_contact(name="Kavita")
    clients = {persona: api_as(user) for persona, user in people.items()}
    return World(people, groups, {}, customer, helper, clients)


@pytest.fixture
def world(desk, make_ticket):
    """The desk with the tickets of :data:`TICKETS`, each with a customer message and the
    helper as a collaborator (so that one can be taken off)."""
    people, groups, customer = desk.people, desk.groups, desk.customer
    for name, spec in TICKETS.items():
        owner = people[spec.owner] if spec.owner else None
        ticket = make_ticket(requester=customer, group=groups[spec.group], owner=owner)
        assert ticket.owner_id == (owner.pk if owner else None)
        tickets.add_message(ticket.pk, body="The printer jams again.", contact=customer)
        for persona in spec.collaborators:
            tickets.add_collaborator(ticket.pk, agent=people[persona], actor=people[ADMIN])
        tickets.add_collaborator(ticket.pk, agent=desk.helper, actor=people[ADMIN])
        desk.tickets[name] = Ticket.objects.get(pk=ticket.pk)
    return desk


def state() -> tuple:
    """Everything a refused write must leave as it was."""
    rows = Ticket.objects.order_by("id").values_list(
        "id", "version", "status", "owner_id", "group_id", "merged_into_id"
    )
    links = Ticket.collaborators.through.objects.order_by("id").values_list("ticket_id", "user_id")
    return (list(rows), list(links), TicketEvent.objects.count(), Notification.objects.count())


# --- the operations -------------------------------------------------------------------------


def _message_id(world: World, ticket_id: int) -> int:
    event = TicketEvent.objects.filter(ticket_id=ticket_id, kind="message_in").first()
    return event.pk if event else MISSING


# Ticket paths: a valid request for a ticket id, as (body builder). ``w`` is the World,
# ``t`` the ticket id in the path, ``p`` the persona.
TICKET_PATHS = {
    ("get", "/api/v1/tickets/{ticket_id}"): None,
    ("patch", "/api/v1/tickets/{ticket_id}"): lambda w, t, p: {
        "version": Ticket.objects.filter(pk=t).values_list("version", flat=True).first() or 1,
        "category": "Printers",
    },
    ("get", "/api/v1/tickets/{ticket_id}/events"): None,
    ("get", "/api/v1/tickets/{ticket_id}/messages"): None,
    ("post", "/api/v1/tickets/{ticket_id}/messages"): lambda w, t, p: {
        "body": "Checked the roller.",
        "public": False,
    },
    ("get", "/api/v1/tickets/{ticket_id}/calls"): None,
    ("post", "/api/v1/tickets/{ticket_id}/calls"): lambda w, t, p: {
        "direction": "outbound",
        "duration_seconds": 120,
        "summary": "Walked the customer through clearing the jam.",
    },
    ("post", "/api/v1/tickets/{ticket_id}/split"): lambda w, t, p: {
        "event_ids": [_message_id(w, t)],
        "subject": "Second printer",
    },
    ("post", "/api/v1/tickets/{ticket_id}/merge"): lambda w, t, p: {
        "into": w.ticket(ALSO_INSIDE[p]).pk
    },
    ("post", "/api/v1/tickets/{ticket_id}/escalate"): lambda w, t, p: {
        "group": w.groups["L2"].pk,
        "reason": "Needs a field engineer.",
    },
    ("get", "/api/v1/tickets/{ticket_id}/collaborators"): None,
    ("post", "/api/v1/tickets/{ticket_id}/collaborators"): lambda w, t, p: {
        "agent": w.people[SUPERVISOR].pk
    },
    ("delete", "/api/v1/tickets/{ticket_id}/collaborators/{agent_id}"): None,
    ("get", "/api/v1/tickets/{ticket_id}/metrics"): None,
    ("get", "/api/v1/tickets/{ticket_id}/escalations"): None,
    ("get", "/api/v1/tickets/{ticket_id}/swarms"): None,
    ("get", "/api/v1/tickets/{ticket_id}/outbound"): None,
    ("post", "/api/v1/tickets/{ticket_id}/swarms"): lambda w, t, p: {
        "message": "Has anyone seen this jam before?",
        "agents": [w.people[ADMIN].pk, w.people[AGENT_B].pk],
    },
}
# Lists of tickets or of their events, with the tickets each may hold at most.
TICKET_LISTS = {
    ("get", "/api/v1/tickets"),
    ("get", "/api/v1/groups/{group_id}/queue"),
    ("get", "/api/v1/contacts/{contact_id}/timeline"),
    ("get", "/api/v1/contacts/{contact_id}/tickets"),
}
# Changes only admins make, each with a valid body; ``w`` holds the ids the paths name.
CONFIGURATION = {
    ("post", "/api/v1/agents"): lambda w: {"email": "new.agent@sampark.test"},
    ("patch", "/api/v1/agents/{agent_id}"): lambda w: {"tier": "L2"},
    ("post", "/api/v1/groups"): lambda w: {"name": "Night shift"},
    ("patch", "/api/v1/groups/{group_id}"): lambda w: {"description": "Printers"},
    ("post", "/api/v1/priorities"): lambda w: {"code": "P5", "name": "Someday", "rank": 5},
    ("patch", "/api/v1/priorities/{code}"): lambda w: {"name_hi": "तुरंत"},
    ("post", "/api/v1/fields"): lambda w: {"key": "circle", "label": "Circle"},
    ("patch", "/api/v1/fields/{key}"): lambda w: {"label": "Region (new)"},
    ("post", "/api/v1/priority-rules"): lambda w: {
        "name": "Outages first",
        "keywords": ["down"],
        "priority": "P1",
    },
    ("patch", "/api/v1/priority-rules/{rule_id}"): lambda w: {"position": 5},
    ("put", "/api/v1/priority-matrix"): lambda w: [
        {"impact": "high", "urgency": "high", "priority": "P1"}
    ],
    ("post", "/api/v1/calendars"): lambda w: {"name": "Pune office"},
    ("patch", "/api/v1/calendars/{calendar_id}"): lambda w: {"name": "Head office"},
    ("post", "/api/v1/calendars/{calendar_id}/holidays"): lambda w: {
        "date": "2027-01-26",
        "name": "Republic Day",
    },
    ("delete", "/api/v1/calendars/{calendar_id}/holidays/{holiday_id}"): None,
    ("get", "/api/v1/routing-rules"): None,
    ("post", "/api/v1/routing-rules"): lambda w: {
        "name": "Phones",
        "channels": ["phone"],
        "group": w["group_id"],
    },
    ("post", "/api/v1/routing-rules/preview"): lambda w: {
        "name": "Draft",
        "keywords": ["printer"],
        "group": w["group_id"],
    },
    ("get", "/api/v1/routing-rules/{routing_rule_id}"): None,
    ("patch", "/api/v1/routing-rules/{routing_rule_id}"): lambda w: {"position": 5},
    ("get", "/api/v1/routing-rules/{routing_rule_id}/preview"): None,
    ("post", "/api/v1/sla-policies"): lambda w: {"name": "Gold", "first_response_minutes": 30},
    ("patch", "/api/v1/sla-policies/{policy_id}"): lambda w: {"position": 7},
    ("put", "/api/v1/groups/{group_id}/strategy"): lambda w: {"method": "round_robin"},
    # Mailboxes hold server passwords: even reading them is configuration.
    ("get", "/api/v1/mailboxes"): None,
    ("post", "/api/v1/mailboxes"): lambda w: {"address": "sales@sampark.test"},
    ("get", "/api/v1/mailboxes/{mailbox_id}"): None,
    ("patch", "/api/v1/mailboxes/{mailbox_id}"): lambda w: {"display_name": "Billing desk"},
    ("delete", "/api/v1/mailboxes/{mailbox_id}"): None,
    ("post", "/api/v1/mailboxes/{mailbox_id}/test"): None,
}
# Reads that hold no ticket data: every agent reads them whatever their scope.
OPEN_READS = {
    ("get", "/api/v1/contacts"),
    ("get", "/api/v1/contacts/{contact_id}"),
    ("get", "/api/v1/organizations"),
    ("get", "/api/v1/organizations/{org_id}"),
    ("get", "/api/v1/assets"),
    ("get", "/api/v1/assets/{asset_id}"),
    ("get", "/api/v1/agents"),
    ("get", "/api/v1/agents/{agent_id}"),
    ("get", "/api/v1/groups"),
    ("get", "/api/v1/groups/{group_id}"),
    ("get", "/api/v1/priorities"),
    ("get", "/api/v1/fields"),
    ("get", "/api/v1/priority-rules"),
    ("get", "/api/v1/priority-matrix"),
    ("get", "/api/v1/calendars"),
    ("get", "/api/v1/calendars/{calendar_id}"),
    ("get", "/api/v1/calendars/{calendar_id}/holidays"),
    ("get", "/api/v1/sla-policies"),
    ("get", "/api/v1/escalation-chains"),
    ("get", "/api/v1/groups/{group_id}/strategy"),
    ("get", "/api/v1/agents/{agent_id}/workload"),
}
# Escalation work items and requests for help: reached through their ticket, 404 outside the
# scope (a request for help also answers the agents it asks); tests/test_escalation_api.py.
ESCALATION_WORK = {
    ("post", "/api/v1/tickets/{ticket_id}/deescalate"),
    ("get", "/api/v1/escalations"),
    ("post", "/api/v1/escalations/{escalation_id}/assignee"),
    ("post", "/api/v1/escalations/{escalation_id}/notes"),
    ("get", "/api/v1/swarm-requests"),
    ("post", "/api/v1/swarms/{swarm_id}/join"),
    ("post", "/api/v1/swarms/{swarm_id}/decline"),
    ("post", "/api/v1/swarms/{swarm_id}/notes"),
    ("post", "/api/v1/swarms/{swarm_id}/close"),
}
# Customer records: no ticket data, and rules of their own (tests/test_api_customers.py).
CUSTOMER_RECORDS = {
    ("post", "/api/v1/contacts"): "agents",
    ("patch", "/api/v1/contacts/{contact_id}"): "agents",
    ("post", "/api/v1/contacts/{contact_id}/identities"): "agents",
    ("post", "/api/v1/contacts/{contact_id}/merge"): "supervisors",
    ("post", "/api/v1/organizations"): "supervisors",
    ("patch", "/api/v1/organizations/{org_id}"): "supervisors",
    ("post", "/api/v1/assets"): "agents",
    ("patch", "/api/v1/assets/{asset_id}"): "agents",
}
OPERATIONS = {
    ("post", "/api/v1/tickets"): "opens a ticket: any agent, into any group",
    **{op: "a ticket path: 404 outside the scope" for op in TICKET_PATHS},
    **{op: "a list: only tickets in scope" for op in TICKET_LISTS},
    **{op: "configuration: admins only" for op in CONFIGURATION},
    **{op: "no ticket data: every agent" for op in OPEN_READS},
    **{op: "customer records: their own rules" for op in CUSTOMER_RECORDS},
    **{op: "escalation and swarm work: through their ticket" for op in ESCALATION_WORK},
    ("get", "/api/v1/notifications"): "own notifications, of tickets in scope",
    ("post", "/api/v1/notifications/{notification_id}/read"): "own notification, in scope",
    # Leave: one's own, and the leave one stands in for; anyone's for supervisors and admins
    # (tests/test_api_assignment.py).
    ("get", "/api/v1/leaves"): "own leave and delegations; all for supervisors",
    ("post", "/api/v1/leaves"): "own leave; anyone's for supervisors",
    ("get", "/api/v1/leaves/{leave_id}"): "own leave and delegations; all for supervisors",
    ("post", "/api/v1/leaves/{leave_id}/end"): "own leave; anyone's for supervisors",
    ("post", "/api/v1/tickets/take-next"): "takes only a ticket in scope",
    # Undo send names an email of the ticket: 404 outside the scope like a missing ticket,
    # and only the reply's author within its window (tests/test_mail_outbound.py).
    ("post", "/api/v1/tickets/{ticket_id}/outbound/{outbound_id}/undo"): "through its ticket",
}


def _documented_operations() -> set[tuple[str, str]]:
    document = sampark_api.api.get_openapi_schema(path_prefix="/api/v1/")
    return {(method, path) for path, methods in document["paths"].items() for method in methods}


def test_every_operation_of_the_api_has_its_ticket_access_decided():
    documented = _documented_operations()

    assert sorted(documented - set(OPERATIONS)) == [], "classify new operations in OPERATIONS"
    assert sorted(set(OPERATIONS) - documented) == [], "OPERATIONS names a removed operation"


def _call(client, method: str, path: str, body=None):
    return client._call(method, path, json=body)


def _ticket_request(world: World, key, ticket_id: int, persona: str):
    method, template = key
    path = template.format(ticket_id=ticket_id, agent_id=world.helper.pk)
    build = TICKET_PATHS[key]
    return method, path, build(world, ticket_id, persona) if build else None


# --- ticket paths ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", SCOPED)
@pytest.mark.parametrize("key", list(TICKET_PATHS), ids=lambda k: f"{k[0].upper()} {k[1]}")
def test_a_ticket_outside_the_scope_answers_like_a_missing_one(world, persona, key):
    client = world.clients[persona]
    outside = world.ticket(OUTSIDE[persona]).pk
    before = state()

    method, path, body = _ticket_request(world, key, outside, persona)
    refused = _call(client, method, path, body)
    method, path, body = _ticket_request(world, key, MISSING, persona)
    missing = _call(client, method, path, body)

    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json()
    assert state() == before


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("key", list(TICKET_PATHS), ids=lambda k: f"{k[0].upper()} {k[1]}")
def test_a_ticket_inside_the_scope_answers_with_success(world, persona, key):
    method, path, body = _ticket_request(world, key, world.ticket(INSIDE[persona]).pk, persona)

    response = _call(world.clients[persona], method, path, body)

    assert 200 <= response.status_code < 300, response.content


@pytest.mark.parametrize("persona", SCOPED)
def test_merging_into_a_ticket_outside_the_scope_answers_like_a_missing_one(world, persona):
    client = world.clients[persona]
    path = f"/api/v1/tickets/{world.ticket(INSIDE[persona]).pk}/merge"
    before = state()

    refused = client.post(path, {"into": world.ticket(OUTSIDE[persona]).pk})
    missing = client.post(path, {"into": MISSING})

    assert refused.status_code == missing.status_code == 422
    assert refused.json()["detail"].replace(str(world.ticket(OUTSIDE[persona]).pk), "N") == (
        missing.json()["detail"].replace(str(MISSING), "N")
    )
    assert refused.json()["field"] == missing.json()["field"] == "into"
    assert state() == before


def test_a_collaborator_sees_the_ticket_only_while_they_collaborate(world):
    client = world.clients[OWN]
    shared = world.ticket("b_shared_with_own")
    assert client.get(f"/api/v1/tickets/{shared.pk}").status_code == 200

    tickets.remove_collaborator(shared.pk, agent=world.people[OWN], actor=world.people[AGENT_B])

    assert client.get(f"/api/v1/tickets/{shared.pk}").status_code == 404


def test_an_escalation_out_of_the_group_takes_the_ticket_out_of_the_agents_scope(world):
    client = world.clients[AGENT_A]
    ticket = world.ticket("a_unowned")

    escalated = client.post(
        f"/api/v1/tickets/{ticket.pk}/escalate",
        {"group": world.groups["L2"].pk, "reason": "Needs a field engineer."},
    )

    assert escalated.status_code == 200
    assert escalated.json()["group"]["id"] == world.groups["L2"].pk
    assert client.get(f"/api/v1/tickets/{ticket.pk}").status_code == 404


# --- lists ----------------------------------------------------------------------------------


def _walk(client, path: str, params: dict) -> list[dict]:
    items, cursor = [], None
    while True:
        page = client.get(path, {**params, "limit": 2, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.content
        body = page.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items


LIST_CASES = [
    ("/api/v1/tickets", {}, lambda spec: True),
    ("/api/v1/tickets", {"order": "oldest"}, lambda spec: True),
    ("/api/v1/tickets", {"order": "queue", "active": "true"}, lambda spec: True),
    ("/api/v1/tickets", {"status": ["new", "open"]}, lambda spec: True),
    ("/api/v1/tickets", {"group": "{A}"}, lambda spec: spec.group == "A"),
    ("/api/v1/tickets", {"group": "{B}", "order": "queue"}, lambda spec: spec.group == "B"),
    ("/api/v1/tickets", {"requester": "{customer}"}, lambda spec: True),
    ("/api/v1/groups/{A}/queue", {}, lambda spec: spec.group == "A"),
    ("/api/v1/groups/{B}/queue", {}, lambda spec: spec.group == "B"),
    ("/api/v1/contacts/{customer}/tickets", {}, lambda spec: True),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("path", "params", "listed"),
    LIST_CASES,
    ids=[f"{path} {params}" for path, params, _listed in LIST_CASES],
)
def test_lists_and_queues_hold_exactly_the_tickets_in_scope(world, persona, path, params, listed):
    names = {"A": world.groups["A"].pk, "B": world.groups["B"].pk, "customer": world.customer.pk}
    params = {k: v.format(**names) if isinstance(v, str) else v for k, v in params.items()}

    found = _walk(world.clients[persona], path.format(**names), params)

    expected = {
        world.ticket(name).pk
        for name, spec in TICKETS.items()
        if listed(spec) and sees(persona, spec)
    }
    assert sorted(t["id"] for t in found) == sorted(expected)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_customer_timeline_holds_only_events_of_tickets_in_scope(world, persona):
    found = _walk(world.clients[persona], f"/api/v1/contacts/{world.customer.pk}/timeline", {})

    assert {event["ticket"] for event in found} == world.visible(persona)


@pytest.mark.parametrize("persona", SCOPED)
def test_an_agent_changed_to_all_sees_every_ticket_at_once(world, persona, api_as):
    from sampark.team.services import update_agent

    update_agent(world.people[persona].agent, ticket_access="all")

    found = _walk(world.clients[persona], "/api/v1/tickets", {})

    assert {t["id"] for t in found} == {t.pk for t in world.tickets.values()}


# --- notifications --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", SCOPED)
def test_notifications_of_tickets_outside_the_scope_are_hidden(world, persona):
    user = world.people[persona]
    [inside] = notify(
        [user], kind="sla_warning", title="Due soon", ticket=world.ticket(INSIDE[persona])
    )
    [outside] = notify(
        [user], kind="sla_warning", title="Elsewhere", ticket=world.ticket(OUTSIDE[persona])
    )
    [general] = notify([user], kind="digest", title="Your day")
    client = world.clients[persona]

    listed = client.get("/api/v1/notifications").json()["items"]
    refused = client.post(f"/api/v1/notifications/{outside.pk}/read")

    assert sorted(n["id"] for n in listed) == sorted([inside.pk, general.pk])
    assert refused.status_code == 404
    assert refused.json() == client.post(f"/api/v1/notifications/{MISSING}/read").json()
    assert Notification.objects.get(pk=outside.pk).read_at is None
    assert client.post(f"/api/v1/notifications/{inside.pk}/read").status_code == 200


# --- configuration and records without ticket data ------------------------------------------


@pytest.fixture
def config_ids(desk):
    from sampark.calendars.models import BusinessCalendar, Holiday
    from sampark.mail.services.mailboxes import save_mailbox
    from sampark.sla.models import SLAPolicy

    admin = desk.clients[ADMIN]
    field = admin.post("/api/v1/fields", {"key": "region", "label": "Region"}).json()
    rule = admin.post(
        "/api/v1/priority-rules", {"name": "VIP", "keywords": ["vip"], "priority": "P2"}
    ).json()
    routing_rule = admin.post(
        "/api/v1/routing-rules",
        {"name": "Printers", "keywords": ["printer"], "group": desk.groups["A"].pk},
    ).json()
    calendar = BusinessCalendar.objects.first()
    holiday = Holiday.objects.create(calendar=calendar, date="2027-08-15", name="Independence")
    policy = SLAPolicy.objects.first()
    mailbox = save_mailbox(address="billing@sampark.test")
    return {
        "agent_id": desk.helper.pk,
        "group_id": desk.groups["A"].pk,
        "code": "P1",
        "key": field["key"],
        "rule_id": rule["id"],
        "routing_rule_id": routing_rule["id"],
        "calendar_id": calendar.pk,
        "holiday_id": holiday.pk,
        "policy_id": policy.pk,
        "mailbox_id": mailbox.pk,
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("key", list(CONFIGURATION), ids=lambda k: f"{k[0].upper()} {k[1]}")
def test_only_admins_change_the_configuration_whatever_their_ticket_access(
    desk, config_ids, persona, key
):
    method, template = key
    build = CONFIGURATION[key]

    response = _call(
        desk.clients[persona], method, template.format(**config_ids), build and build(config_ids)
    )

    if persona == ADMIN:
        assert 200 <= response.status_code < 300, response.content
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("key", sorted(OPEN_READS), ids=lambda k: k[1])
def test_reads_without_ticket_data_are_open_to_every_agent(desk, config_ids, persona, key):
    from sampark.customers.services import save_asset, save_organization

    organization = save_organization(name="Tata Motors")
    asset = save_asset(contact=desk.customer, serial_number="SN-7")
    ids = {**config_ids, "contact_id": desk.customer.pk, "org_id": organization.pk}
    ids["asset_id"] = asset.pk

    response = desk.clients[persona].get(key[1].format(**ids))

    assert response.status_code == 200, response.content


@pytest.mark.parametrize("persona", (AGENT_A, OWN))
@pytest.mark.parametrize("key", sorted(CUSTOMER_RECORDS), ids=lambda k: f"{k[0].upper()} {k[1]}")
def test_customer_records_keep_their_own_rules_for_scoped_agents(desk, persona, key):
    from sampark.customers.services import save_asset, save_organization

    organization = save_organization(name="Infosys")
    asset = save_asset(contact=desk.customer, serial_number="SN-9")
    other = desk.customer.__class__.objects.exclude(pk=desk.customer.pk).first()
    ids = {"contact_id": desk.customer.pk, "org_id": organization.pk, "asset_id": asset.pk}
    bodies = {
        "/api/v1/contacts": {"name": "Ravi"},
        "/api/v1/contacts/{contact_id}": {"name": "Kavita S."},
        "/api/v1/contacts/{contact_id}/identities": {"kind": "phone", "value": "+91 98100 00001"},
        "/api/v1/contacts/{contact_id}/merge": {"into": other.pk if other else MISSING},
        "/api/v1/organizations": {"name": "Wipro"},
        "/api/v1/organizations/{org_id}": {"notes": "Key account"},
        "/api/v1/assets": {"contact": desk.customer.pk, "serial_number": "SN-10"},
        "/api/v1/assets/{asset_id}": {"location": "Pune"},
    }
    method, template = key

    response = _call(
        desk.clients[persona], method, template.format(**ids), bodies.get(template, {})
    )

    if CUSTOMER_RECORDS[key] == "supervisors":
        assert response.status_code == 403
    else:
        assert response.status_code != 403


# --- the predicates -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", list(TICKETS))
def test_can_see_follows_groups_owners_and_collaborators(world, persona, name):
    assert access.can_see(world.people[persona], world.ticket(name)) is sees(persona, TICKETS[name])


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_queryset_narrowing_agrees_with_can_see(world, persona):
    user = world.people[persona]

    narrowed = set(access.visible(user, Ticket.objects.all()).values_list("pk", flat=True))

    assert narrowed == {t.pk for t in world.tickets.values() if access.can_see(user, t)}


@pytest.mark.parametrize("persona", PERSONAS)
def test_events_narrow_to_the_tickets_in_scope(world, persona):
    user = world.people[persona]

    shown = set(
        access.visible(user, TicketEvent.objects.all(), via="ticket").values_list(
            "ticket_id", flat=True
        )
    )

    assert shown == world.visible(persona)


def test_changing_replying_and_reassigning(world):
    agent_a, agent_b, supervisor = (world.people[p] for p in (AGENT_A, AGENT_B, SUPERVISOR))
    theirs = world.ticket("a_shared_with_b")  # owned by agent A, agent B collaborates

    assert access.can_change(agent_b, theirs)
    assert not access.can_reply(agent_b, theirs)
    assert not access.can_reassign(agent_b, theirs)
    assert access.can_reply(agent_a, theirs) and access.can_reassign(agent_a, theirs)
    assert access.can_reply(supervisor, theirs) and access.can_reassign(supervisor, theirs)
    assert access.can_reply(agent_a, world.ticket("a_unowned"))


def test_merging_needs_both_tickets_in_scope(world):
    agent_a = world.people[AGENT_A]

    assert access.can_merge(agent_a, world.ticket("a_unowned"), world.ticket("a_owned_by_a"))
    assert not access.can_merge(agent_a, world.ticket("a_unowned"), world.ticket("b_unowned"))
    assert not access.can_merge(agent_a, world.ticket("b_unowned"), world.ticket("a_unowned"))


def test_escalating_collaborating_and_splitting_need_the_ticket_in_scope(world):
    own = world.people[OWN]
    for predicate in (access.can_escalate, access.can_collaborate, access.can_split):
        assert predicate(own, world.ticket("b_shared_with_own"))
        assert not predicate(own, world.ticket("a_unowned"))


def test_someone_who_is_not_an_active_agent_sees_no_ticket(world):
    user = world.people[AGENT_A]
    user.is_active = False

    assert access.scope_of(user) is None
    assert not access.can_see(user, world.ticket("a_unowned"))
    assert not access.visible(user, Ticket.objects.all()).exists()


def test_an_all_scope_adds_no_condition_to_a_query(world):
    assert access.ticket_condition(world.people[SUPERVISOR]) is None
    assert access.ticket_condition(world.people[ADMIN], via="ticket") is None


def test_a_groups_scope_reads_the_agents_groups_once_per_configuration(
    world, django_assert_num_queries
):
    user = world.people[AGENT_A]
    access.scope_of(user)

    with django_assert_num_queries(1):  # the configuration generation, nothing else
        scope = access.scope_of(user)

    assert scope.group_ids == {world.groups["A"].pk}


def test_a_new_group_counts_at_once(world):
    from sampark.team.services import update_agent

    user = world.people[AGENT_A]
    update_agent(user.agent, groups=[world.groups["A"], world.groups["B"]])

    assert access.can_see(user, world.ticket("b_unowned"))


def test_require_visible_refuses_an_out_of_scope_id_like_a_missing_one(world):
    user = world.people[AGENT_B]

    with pytest.raises(access.NotFound) as outside:
        access.require_visible(user, world.ticket("a_unowned").pk)
    with pytest.raises(access.NotFound) as missing:
        access.require_visible(user, MISSING)

    assert outside.value.message == missing.value.message
    assert access.visible_ticket(user, world.ticket("b_unowned").pk) == world.ticket("b_unowned")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (AgentProfile.Role.ADMIN, "all"),
        (AgentProfile.Role.SUPERVISOR, "all"),
        (AgentProfile.Role.AGENT, "groups"),
    ],
)
def test_new_agents_get_their_roles_ticket_access(make_agent, role, expected):
    assert make_agent(role=role).agent.ticket_access == expected


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickets",
        "/api/v1/tickets?order=queue&active=true",
        "/api/v1/groups/{A}/queue",
        "/api/v1/groups/{B}/queue",
        "/api/v1/contacts/{customer}/timeline",
    ],
)
def test_a_scoped_list_costs_no_more_queries_than_an_unscoped_one(world, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = path.format(A=world.groups["A"].pk, B=world.groups["B"].pk, customer=world.customer.pk)
    counts = {}
    for persona in (ADMIN, AGENT_A, OWN):
        client = world.clients[persona]
        assert client.get(path).status_code == 200  # the token is now known to this process
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts[persona] = len(queries)

    assert counts[AGENT_A] <= counts[ADMIN] and counts[OWN] <= counts[ADMIN]


# --- the services ask the same layer ---------------------------------------------------------
# The API checks first; these call the services directly, as the workspace and the channels
# will, and find the same answers.

SERVICE_WRITES = {
    "note": lambda t, who: tickets.add_message(t.pk, agent=who, body="Checked.", public=False),
    "reply": lambda t, who: tickets.add_message(t.pk, agent=who, body="On it."),
    "call": lambda t, who: tickets.log_call(
        t.pk, agent=who, direction="outbound", duration_seconds=60, summary="Called."
    ),
    "change": lambda t, who: tickets.update_ticket(
        t.pk, actor=who, expected_version=t.version, category="printers"
    ),
    "stale change": lambda t, who: tickets.update_ticket(
        t.pk, actor=who, expected_version=t.version - 1, category="printers"
    ),
    "escalate": lambda t, who: tickets.escalate_ticket(
        t.pk, actor=who, group=t.group.__class__.objects.get(name="Specialists"), reason="Hw"
    ),
    "collaborate": lambda t, who: tickets.add_collaborator(t.pk, agent=who, actor=who),
    "split": lambda t, who: tickets.split_ticket(
        t.pk, actor=who, event_ids=[t.events.filter(kind="message_in").first().pk], subject="S"
    ),
}


@pytest.mark.parametrize("write", SERVICE_WRITES)
def test_a_service_refuses_a_ticket_outside_the_scope_like_a_missing_one(world, write):
    outside = world.ticket("b_unowned")
    before = state()

    with pytest.raises(NotFound) as refused:
        SERVICE_WRITES[write](outside, world.people[AGENT_A])

    assert str(refused.value.message) == str(access.ticket_not_found().message)
    assert state() == before


def test_merging_into_a_ticket_outside_the_scope_is_refused_by_the_service(world):
    before = state()

    with pytest.raises(InvalidInput) as refused:
        tickets.merge_tickets(
            world.ticket("a_unowned").pk,
            into_id=world.ticket("b_unowned").pk,
            actor=world.people[AGENT_A],
        )

    assert refused.value.field == "into"
    assert state() == before


def test_a_collaborator_writes_notes_but_the_owner_replies(world):
    theirs = world.ticket("a_shared_with_b")  # owned by agent A, agent B collaborates

    tickets.add_message(theirs.pk, agent=world.people[AGENT_B], body="Seen.", public=False)
    with pytest.raises(Forbidden):
        tickets.add_message(theirs.pk, agent=world.people[AGENT_B], body="Hello")
