"""The routing rules' API: admins add, change, list and preview rules; a ticket opened through the
API is routed and its events say by which rule. (Who may call what: tests/test_access.py.)"""

import pytest

from sampark.customers.services import save_organization
from sampark.routing.models import RoutingRule
from sampark.team.models import AgentProfile


@pytest.fixture
def admin_api(api_as, make_agent, default_group):
    return api_as(make_agent(role=AgentProfile.Role.ADMIN, groups=[default_group]))


@pytest.fixture
def network(make_group):
    return make_group(name="Network")


def test_an_admin_adds_a_rule_and_the_next_ticket_follows_it(admin_api, network):
    created = admin_api.post(
        "/api/v1/routing-rules",
        {
            "name": "Outages",
            "keywords": ["internet down", "नेटवर्क"],
            "group": network.pk,
            "skills": ["fibre"],
            "tags": ["Outage"],
            "priority": "P1",
        },
    )
    ticket = admin_api.post(
        "/api/v1/tickets",
        {"subject": "नेटवर्क बंद है", "requester": {"email": "asha@example.in"}},
    ).json()
    events = admin_api.get(f"/api/v1/tickets/{ticket['id']}/events").json()["items"]

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["group"], body["priority"], body["tags"]) == (network.pk, "P1", ["outage"])
    assert ticket["group"]["id"] == network.pk
    assert ticket["priority"] == "P1"
    [opened] = [e for e in events if e["kind"] == "created"]
    assert opened["data"]["routing"]["rule_name"] == "Outages"
    assert opened["data"]["routing"]["matches"][0]["reasons"] == [["keyword", "नेटवर्क"]]


def test_rules_are_listed_in_position_order(admin_api, network):
    for name, position in (("Second", 20), ("First", 10)):
        admin_api.post(
            "/api/v1/routing-rules", {"name": name, "position": position, "group": network.pk}
        )

    listed = admin_api.get("/api/v1/routing-rules").json()

    assert [r["name"] for r in listed] == ["First", "Second"]


def test_patch_changes_only_what_it_names_and_null_clears_an_action(admin_api, network):
    tata = save_organization(name="Tata Motors")
    rule = admin_api.post(
        "/api/v1/routing-rules",
        {"name": "Tata", "organizations": [tata.pk], "group": network.pk, "tags": ["vip"]},
    ).json()

    changed = admin_api.patch(f"/api/v1/routing-rules/{rule['id']}", {"group": None})

    assert changed.status_code == 200, changed.content
    assert changed.json()["group"] is None
    assert changed.json()["organizations"] == [tata.pk]
    assert changed.json()["tags"] == ["vip"]


def test_a_patch_that_leaves_the_rule_doing_nothing_is_refused(admin_api, network):
    rule = admin_api.post("/api/v1/routing-rules", {"name": "Only", "group": network.pk}).json()

    refused = admin_api.patch(f"/api/v1/routing-rules/{rule['id']}", {"group": None})

    assert refused.status_code == 422
    assert refused.json()["field"] == "group"
    assert RoutingRule.objects.get(pk=rule["id"]).group_id == network.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"group": 987654}, "group"),
        ({"organizations": [987654]}, "organizations"),
        ({"priority": "P9"}, "priority"),
        ({"calendar": 987654}, "calendar"),
        ({"custom_fields": {"nope": "x"}}, "custom_fields"),
        ({"keywords": ["..."]}, "keywords"),
    ],
)
def test_unknown_references_and_unmatchable_rules_get_a_422_naming_the_field(
    admin_api, network, body, field
):
    refused = admin_api.post("/api/v1/routing-rules", {"name": "Bad", "tags": ["x"], **body})

    assert refused.status_code == 422, refused.content
    assert refused.json().get("field") == field
    assert not RoutingRule.objects.exists()


def test_a_missing_rule_is_404(admin_api):
    assert admin_api.get("/api/v1/routing-rules/987654").status_code == 404
    assert admin_api.get("/api/v1/routing-rules/987654/preview").status_code == 404


def test_preview_of_a_saved_rule_lists_the_recent_tickets_it_would_have_matched(
    admin_api, make_ticket, network
):
    jam = make_ticket(subject="Printer jam", channel="phone")
    make_ticket(subject="Password reset", channel="phone")
    rule = admin_api.post(
        "/api/v1/routing-rules",
        {"name": "Printers", "keywords": ["printer"], "group": network.pk, "active": False},
    ).json()

    preview = admin_api.get(f"/api/v1/routing-rules/{rule['id']}/preview").json()

    assert preview["matched"] == 1
    assert preview["examined"] == 2
    assert [(t["id"], t["reasons"]) for t in preview["tickets"]] == [
        (jam.pk, [{"condition": "keyword", "value": "printer"}])
    ]


def test_preview_of_a_draft_saves_nothing(admin_api, make_ticket, network):
    make_ticket(subject="Printer jam", channel="phone")

    preview = admin_api.post(
        "/api/v1/routing-rules/preview",
        {"name": "Draft", "channels": ["phone"], "group": network.pk},
    )

    assert preview.status_code == 200, preview.content
    assert preview.json()["matched"] == 1
    assert not RoutingRule.objects.exists()
