"""How the API refuses what it cannot do: authentication, rate limits and bad input.

Every refusal is a JSON body with a "detail", and no input, however malformed, gets a 500.
"""

import itertools
import json

import pytest
from django.conf import settings

from sampark.api import v1 as sampark_api
from sampark.team.models import ApiToken
from sampark.team.services import revoke_token

_seq = itertools.count(1)
TOO_BIG_ID = 2**63


def ticket_payload(**overrides) -> dict:
    payload = {
        "subject": "Printer shows a paper jam",
        "description": "It stops after every page.",
        "requester": {"name": "Priya", "email": f"priya{next(_seq)}@example.org"},
    }
    payload.update(overrides)
    return payload


def assert_refused(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"]
    return body


def error_locations(body: dict) -> list[list[str]]:
    """Where a validation error says the problems are; none for a domain error's message."""
    if isinstance(body["detail"], str):
        return []
    return [error["loc"] for error in body["detail"]]


@pytest.fixture
def admin_api(api_as, make_agent, default_group):
    return api_as(make_agent(role="admin", groups=[default_group]))


@pytest.fixture
def ticket(make_ticket, agent):
    return make_ticket(owner=agent)


# --- authentication -------------------------------------------------------------------------


def _every_operation(client) -> list[tuple[str, str]]:
    document = client.get("/api/v1/openapi.json").json()
    operations = []
    for template, methods in document["paths"].items():
        path = template
        for name in ("{code}", "{key}"):
            path = path.replace(name, "x")
        while "{" in path:
            start, end = path.index("{"), path.index("}")
            path = path[:start] + "1" + path[end + 1 :]
        operations += [(method, path) for method in methods]
    return operations


def test_every_operation_needs_a_token(client, db, monkeypatch):
    monkeypatch.setattr(sampark_api, "_AUTH_FAILURES", None)
    operations = _every_operation(client)
    assert len(operations) > 40

    for method, path in operations:
        response = getattr(client, method)(path, data={}, content_type="application/json")

        assert response.status_code == 401, (method, path, response.status_code)
        assert "token" in response.json()["detail"], (method, path)


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer ", "Token spk_abc", "Basic dXNlcjpwYXNz", "bearer", "Bearer a b"],
    ids=["empty", "scheme-only", "scheme-space", "other-scheme", "basic", "lowercase", "spaces"],
)
def test_a_malformed_authorization_header_gets_401(client, db, authorization):
    response = client.get("/api/v1/tickets", headers={"Authorization": authorization})

    assert_refused(response, 401)


def test_an_unknown_token_gets_401(client, db):
    response = client.get("/api/v1/tickets", headers={"Authorization": "Bearer spk_" + "x" * 43})

    assert_refused(response, 401)


def test_an_overlong_token_gets_401(client, db):
    response = client.get("/api/v1/tickets", headers={"Authorization": "Bearer " + "x" * 5000})

    assert_refused(response, 401)


def test_a_revoked_token_gets_401(api, agent):
    assert api.get("/api/v1/tickets").status_code == 200

    revoke_token(ApiToken.objects.get(user=agent))

    assert_refused(api.get("/api/v1/tickets"), 401)


def test_a_deactivated_agents_token_gets_401(api, agent):
    agent.is_active = False
    agent.save(update_fields=["is_active"])

    assert_refused(api.get("/api/v1/tickets"), 401)


def test_openapi_and_docs_need_no_token(client, db):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200


# --- rate limits ----------------------------------------------------------------------------


def test_repeated_bad_tokens_from_one_address_get_429_with_retry_after(client, db, monkeypatch):
    monkeypatch.setattr(sampark_api, "_AUTH_FAILURES", (3, 60))
    bad = {"Authorization": "Bearer spk_wrong"}
    for _attempt in range(3):
        assert client.get("/api/v1/tickets", headers=bad).status_code == 401

    response = client.get("/api/v1/tickets", headers=bad)

    assert_refused(response, 429)
    assert response["Retry-After"] == "60"


def test_bad_tokens_from_one_address_do_not_slow_down_another(client, db, monkeypatch):
    monkeypatch.setattr(sampark_api, "_AUTH_FAILURES", (3, 60))
    bad = {"Authorization": "Bearer spk_wrong"}
    for _attempt in range(4):
        client.get("/api/v1/tickets", headers=bad, REMOTE_ADDR="10.0.0.1")

    response = client.get("/api/v1/tickets", headers=bad, REMOTE_ADDR="10.0.0.2")

    assert_refused(response, 401)


def test_a_token_over_its_request_rate_gets_429(api, monkeypatch):
    monkeypatch.setattr(sampark_api, "_API_RATE", (2, 60))
    assert api.get("/api/v1/groups").status_code == 200
    assert api.get("/api/v1/groups").status_code == 200

    response = api.get("/api/v1/groups")

    assert_refused(response, 429)
    assert response["Retry-After"] == "60"


# --- malformed requests ---------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["{", '{"subject": "x",}', "not json", "\xff"])
def test_malformed_json_is_400(api, raw):
    response = api.post("/api/v1/tickets", raw=raw.encode("latin-1"))

    assert_refused(response, 400)


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        (ticket_payload(subject=123), "subject"),
        (ticket_payload(tags="printer"), "tags"),
        (ticket_payload(channel="fax"), "channel"),
        (ticket_payload(group="front desk"), "group"),
        (ticket_payload(custom_fields=[1, 2]), "custom_fields"),
    ],
    ids=["subject", "tags", "channel", "group", "custom_fields"],
)
def test_wrong_types_are_422_naming_the_field(api, payload, where):
    body = assert_refused(api.post("/api/v1/tickets", payload), 422)

    assert any(where in loc for loc in error_locations(body))


def test_a_stale_version_of_the_wrong_type_is_422(api, ticket):
    response = api.patch(f"/api/v1/tickets/{ticket.pk}", {"version": "latest"})

    assert_refused(response, 422)


@pytest.mark.parametrize("missing", ["subject", "requester"])
def test_missing_required_fields_are_422(api, missing):
    payload = ticket_payload()
    del payload[missing]

    body = assert_refused(api.post("/api/v1/tickets", payload), 422)

    assert ["body", "payload", missing] in error_locations(body)


def test_a_patch_without_a_version_is_422(api, ticket):
    body = assert_refused(api.patch(f"/api/v1/tickets/{ticket.pk}", {"priority": "P1"}), 422)

    assert ["body", "payload", "version"] in error_locations(body)


@pytest.mark.parametrize("raw", ["42", '"name"', "[]", "null"])
def test_a_body_that_is_not_a_json_object_is_422(admin_api, default_group, raw):
    response = admin_api.patch(f"/api/v1/groups/{default_group.pk}", raw=raw)

    assert_refused(response, 422)


@pytest.mark.parametrize(
    ("field", "value"),
    [("requester", "priya@example.org"), ("asset", "SN-1"), ("asset", 42)],
    ids=["requester-string", "asset-string", "asset-number"],
)
def test_a_nested_object_of_the_wrong_type_is_422(api, field, value):
    payload = ticket_payload(**{field: value})

    body = assert_refused(api.post("/api/v1/tickets", payload), 422)

    assert ["body", "payload", field] in error_locations(body)


def test_an_unknown_api_path_is_a_json_404(api):
    assert_refused(api.get("/api/v1/no-such-thing"), 404)


def test_an_unsupported_method_is_a_json_405(api, ticket):
    response = api.delete(f"/api/v1/tickets/{ticket.pk}")

    assert_refused(response, 405)
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}


# --- unknown ids ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/tickets/999999"),
        ("patch", "/api/v1/tickets/999999"),
        ("get", "/api/v1/tickets/999999/events"),
        ("get", "/api/v1/tickets/999999/messages"),
        ("post", "/api/v1/tickets/999999/messages"),
        ("get", "/api/v1/tickets/999999/calls"),
        ("post", "/api/v1/tickets/999999/calls"),
        ("post", "/api/v1/tickets/999999/escalate"),
        ("post", "/api/v1/tickets/999999/split"),
        ("get", "/api/v1/tickets/999999/collaborators"),
        ("get", "/api/v1/contacts/999999"),
        ("patch", "/api/v1/contacts/999999"),
        ("get", "/api/v1/contacts/999999/tickets"),
        ("post", "/api/v1/contacts/999999/identities"),
        ("get", "/api/v1/organizations/999999"),
        ("patch", "/api/v1/organizations/999999"),
        ("get", "/api/v1/assets/999999"),
        ("patch", "/api/v1/assets/999999"),
        ("get", "/api/v1/agents/999999"),
        ("patch", "/api/v1/agents/999999"),
        ("get", "/api/v1/groups/999999"),
        ("patch", "/api/v1/groups/999999"),
        ("patch", "/api/v1/priorities/P9"),
        ("patch", "/api/v1/fields/no_such_field"),
    ],
)
def test_an_unknown_id_in_the_path_is_404(admin_api, make_group, method, path):
    escalate_to = make_group(name="Specialists", tier="L2")
    bodies = {
        "/messages": {"body": "Hello"},
        "/calls": {"direction": "inbound", "duration_seconds": 5, "summary": "Call"},
        "/escalate": {"group": escalate_to.pk, "reason": "Hard"},
        "/split": {"event_ids": [1], "subject": "Other"},
        "/identities": {"kind": "email", "value": "x@example.org"},
        "/tickets/999999": {"version": 1},
    }
    body = next((b for suffix, b in bodies.items() if path.endswith(suffix)), {})
    call = getattr(admin_api, method)
    response = call(path) if method == "get" else call(path, body)

    assert_refused(response, 404)


def test_merging_an_unknown_ticket_is_404(api, ticket):
    response = api.post("/api/v1/tickets/999999/merge", {"into": ticket.pk})

    assert_refused(response, 404)


@pytest.mark.parametrize(
    ("field", "request_for"),
    [
        ("group", lambda t: ("post", "/api/v1/tickets", ticket_payload(group=999999))),
        ("owner", lambda t: ("post", "/api/v1/tickets", ticket_payload(owner=999999))),
        (
            "owner",
            lambda t: ("patch", f"/api/v1/tickets/{t.pk}", {"version": t.version, "owner": 999999}),
        ),
        (
            "group",
            lambda t: ("patch", f"/api/v1/tickets/{t.pk}", {"version": t.version, "group": 999999}),
        ),
        ("into", lambda t: ("post", f"/api/v1/tickets/{t.pk}/merge", {"into": 999999})),
        (
            "group",
            lambda t: (
                "post",
                f"/api/v1/tickets/{t.pk}/escalate",
                {"group": 999999, "reason": "x"},
            ),
        ),
        ("agent", lambda t: ("post", f"/api/v1/tickets/{t.pk}/collaborators", {"agent": 999999})),
        (
            "event_ids",
            lambda t: (
                "post",
                f"/api/v1/tickets/{t.pk}/split",
                {"event_ids": [999999], "subject": "x"},
            ),
        ),
        (
            "into",
            lambda t: ("post", f"/api/v1/contacts/{t.requester_id}/merge", {"into": 999999}),
        ),
        (
            "organization",
            lambda t: ("post", "/api/v1/contacts", {"name": "Anil", "organization": 999999}),
        ),
        (
            "account_manager",
            lambda t: (
                "post",
                "/api/v1/organizations",
                {"name": "Wipro", "account_manager": 999999},
            ),
        ),
        (
            "groups",
            lambda t: ("post", "/api/v1/agents", {"email": "new@x.org", "groups": [999999]}),
        ),
        ("contact", lambda t: ("post", "/api/v1/assets", {"name": "Router", "contact": 999999})),
    ],
    ids=[
        "ticket-group",
        "ticket-owner",
        "patch-owner",
        "patch-group",
        "merge-into",
        "escalate-group",
        "collaborator-agent",
        "split-event",
        "contact-merge-into",
        "contact-organization",
        "account-manager",
        "agent-groups",
        "asset-contact",
    ],
)
def test_an_unknown_id_in_the_body_is_422_naming_the_field(admin_api, ticket, field, request_for):
    method, path, payload = request_for(ticket)

    body = assert_refused(getattr(admin_api, method)(path, payload), 422)

    assert body["field"] == field
    assert "999999" in body["detail"] or field == "event_ids"


def test_an_agent_who_is_a_plain_user_cannot_be_an_owner(api, ticket, django_user_model):
    outsider = django_user_model.objects.create_user(username="outsider", email="o@example.org")

    response = api.patch(f"/api/v1/tickets/{ticket.pk}", {"version": 1, "owner": outsider.pk})

    body = assert_refused(response, 422)
    assert body["field"] == "owner"


# --- out-of-range and over-long input -------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("get", f"/api/v1/tickets/{TOO_BIG_ID}", None),
        ("get", f"/api/v1/contacts/{TOO_BIG_ID}/timeline", None),
        ("get", f"/api/v1/tickets?owner={TOO_BIG_ID}", None),
        ("post", "/api/v1/tickets", ticket_payload(group=TOO_BIG_ID)),
        ("post", "/api/v1/tickets/1/merge", {"into": TOO_BIG_ID}),
        ("patch", "/api/v1/tickets/1", {"version": TOO_BIG_ID}),
        ("post", "/api/v1/tickets/1/collaborators", {"agent": 2**100}),
    ],
    ids=["path", "timeline-path", "query", "body", "merge-into", "version", "huge"],
)
def test_ids_beyond_64_bits_are_422(api, method, path, payload):
    response = api.get(path) if method == "get" else getattr(api, method)(path, payload)

    assert_refused(response, 422)


def test_a_boolean_is_not_a_version(api, ticket):
    assert ticket.version == 1

    response = api.patch(f"/api/v1/tickets/{ticket.pk}", {"version": True, "priority": "P1"})

    assert_refused(response, 422)


def test_a_number_is_not_a_boolean(api, ticket):
    response = api.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "Note", "public": 0})

    assert_refused(response, 422)


def test_a_boolean_is_not_a_number(api, ticket):
    response = api.post(
        f"/api/v1/tickets/{ticket.pk}/messages",
        {"body": "Note", "public": False, "time_spent": True},
    )

    assert_refused(response, 422)


def test_a_number_is_not_a_date(admin_api):
    calendar = admin_api.get("/api/v1/calendars").json()[0]

    response = admin_api.post(
        f"/api/v1/calendars/{calendar['id']}/holidays", {"date": 0, "name": "Epoch"}
    )

    assert_refused(response, 422)


def test_a_number_is_not_a_time_of_day(admin_api):
    response = admin_api.post(
        "/api/v1/calendars",
        {"name": "Pune office", "hours": [{"weekday": 0, "start": 32400, "end": "18:00"}]},
    )

    assert_refused(response, 422)


def test_a_negative_id_in_the_path_is_refused(api):
    response = api.get("/api/v1/tickets/-1")

    assert response.status_code in (404, 422)
    assert response.json()["detail"]


def test_a_subject_of_256_characters_is_422(api):
    body = assert_refused(api.post("/api/v1/tickets", ticket_payload(subject="x" * 256)), 422)

    assert ["body", "payload", "subject"] in error_locations(body)


def test_a_subject_of_255_characters_is_accepted(api):
    assert api.post("/api/v1/tickets", ticket_payload(subject="x" * 255)).status_code == 201


def test_a_description_of_70k_characters_is_422(api):
    response = api.post("/api/v1/tickets", ticket_payload(description="क" * 70_000))

    body = assert_refused(response, 422)
    assert ["body", "payload", "description"] in error_locations(body)


@pytest.mark.parametrize(
    "raw",
    [
        '{"subject": "a\\u0000b", "requester": {"email": "nul@example.org"}}',
        '{"subject": "a\\ud800b", "requester": {"email": "lone@example.org"}}',
        '{"subject": "ok", "requester": {"name": "\\udfff", "email": "low@example.org"}}',
        '{"subject": "ok", "tags": ["a\\u0000"], "requester": {"email": "tag@example.org"}}',
    ],
    ids=["nul", "lone-high-surrogate", "lone-low-surrogate", "nul-in-tag"],
)
def test_nul_characters_and_lone_surrogates_are_422(api, raw):
    assert_refused(api.post("/api/v1/tickets", raw=raw), 422)


def test_a_lone_surrogate_in_a_message_is_422(api, ticket):
    raw = '{"body": "\\ud83d", "public": false}'

    assert_refused(api.post(f"/api/v1/tickets/{ticket.pk}/messages", raw=raw), 422)


@pytest.mark.parametrize("value", ["a\\u0000b", "a\\ud800b"], ids=["nul", "lone-surrogate"])
def test_nul_and_lone_surrogates_in_a_custom_field_value_are_422(admin_api, value):
    admin_api.post("/api/v1/fields", {"key": "circle", "label": "Circle"})
    raw = (
        '{"subject": "Line down", "requester": {"email": "cf@example.org"}, '
        f'"custom_fields": {{"circle": "{value}"}}}}'
    )

    response = admin_api.post("/api/v1/tickets", raw=raw)

    assert_refused(response, 422)
    assert admin_api.get("/api/v1/tickets").status_code == 200


def test_a_body_over_the_upload_limit_is_413(api):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    raw = '{"subject": "big", "description": "' + "x" * limit + '"}'

    response = api.post("/api/v1/tickets", raw=raw)

    body = assert_refused(response, 413)
    assert "large" in body["detail"]


def test_a_duplicate_sla_policy_name_is_409(admin_api):
    assert admin_api.post("/api/v1/sla-policies", {"name": "Enterprise"}).status_code == 201

    assert_refused(admin_api.post("/api/v1/sla-policies", {"name": "Enterprise"}), 409)


def test_renaming_an_sla_policy_to_a_taken_name_is_409(admin_api):
    admin_api.post("/api/v1/sla-policies", {"name": "Enterprise"})
    other = admin_api.post("/api/v1/sla-policies", {"name": "Standard"}).json()

    response = admin_api.patch(f"/api/v1/sla-policies/{other['id']}", {"name": "Enterprise"})

    assert_refused(response, 409)


# --- domain rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requester", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "priya@"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"phone": "call me maybe"}, "phone"),
        ({"name": "Nobody"}, "requester"),
    ],
    ids=["email", "email-no-domain", "phone-short", "phone-words", "neither"],
)
def test_an_invalid_requester_is_422_naming_the_field(api, requester, field):
    response = api.post("/api/v1/tickets", ticket_payload(requester=requester))

    body = assert_refused(response, 422)
    assert body["field"] == field


def test_an_invalid_language_is_422(api):
    response = api.post(
        "/api/v1/tickets", ticket_payload(requester={"email": "l@example.org", "language": "fr"})
    )

    assert_refused(response, 422)


def test_an_invalid_status_transition_is_409(api, make_ticket):
    ticket = make_ticket()
    assert ticket.status == "new"

    response = api.patch(f"/api/v1/tickets/{ticket.pk}", {"version": 1, "status": "closed"})

    assert_refused(response, 409)


def test_a_closed_ticket_cannot_be_changed(api, make_ticket, agent):
    source, target = make_ticket(owner=agent), make_ticket(owner=agent)
    api.post(f"/api/v1/tickets/{source.pk}/merge", {"into": target.pk})
    source.refresh_from_db()

    response = api.patch(
        f"/api/v1/tickets/{source.pk}", {"version": source.version, "priority": "P1"}
    )

    assert_refused(response, 409)


def test_an_unknown_priority_code_is_422(api):
    body = assert_refused(api.post("/api/v1/tickets", ticket_payload(priority="P9")), 422)

    assert body["field"] == "priority"


def test_an_unknown_priority_code_on_patch_is_422(api, ticket):
    response = api.patch(f"/api/v1/tickets/{ticket.pk}", {"version": 1, "priority": "URGENT"})

    body = assert_refused(response, 422)
    assert body["field"] == "priority"


def test_an_unknown_custom_field_is_422(api):
    response = api.post("/api/v1/tickets", ticket_payload(custom_fields={"nope": "x"}))

    body = assert_refused(response, 422)
    assert body["field"] == "custom_fields"


def test_a_custom_field_of_the_wrong_type_is_422(admin_api):
    admin_api.post("/api/v1/fields", {"key": "seats", "label": "Seats", "kind": "number"})

    response = admin_api.post("/api/v1/tickets", ticket_payload(custom_fields={"seats": "many"}))

    body = assert_refused(response, 422)
    assert body["field"] == "custom_fields"
    assert "seats" in body["detail"]


def test_a_missing_required_custom_field_is_422(admin_api):
    admin_api.post("/api/v1/fields", {"key": "circle", "label": "Circle", "required": True})

    response = admin_api.post("/api/v1/tickets", ticket_payload())

    body = assert_refused(response, 422)
    assert "circle" in body["detail"]


def test_a_null_status_on_patch_is_422(api, ticket):
    body = assert_refused(
        api.patch(f"/api/v1/tickets/{ticket.pk}", {"version": 1, "status": None}), 422
    )

    assert body["field"] == "status"


def test_merging_a_ticket_into_itself_is_422(api, ticket):
    body = assert_refused(api.post(f"/api/v1/tickets/{ticket.pk}/merge", {"into": ticket.pk}), 422)

    assert body["field"] == "into"


def test_escalating_to_the_same_tier_is_refused(api, ticket, make_group):
    same_tier = make_group(name="Also front line", tier="L1")

    response = api.post(
        f"/api/v1/tickets/{ticket.pk}/escalate", {"group": same_tier.pk, "reason": "Stuck"}
    )

    body = assert_refused(response, 422)
    assert body["field"] == "group"


def test_adding_the_owner_as_a_collaborator_is_422(api, ticket, agent):
    response = api.post(f"/api/v1/tickets/{ticket.pk}/collaborators", {"agent": agent.pk})

    body = assert_refused(response, 422)
    assert body["field"] == "agent"


def test_an_unknown_time_zone_is_422(api):
    response = api.post("/api/v1/contacts", {"name": "Anil", "time_zone": "Mars/Olympus"})

    body = assert_refused(response, 422)
    assert body["field"] == "time_zone"


@pytest.mark.parametrize("zone", ["", "/etc/passwd", "../../etc/passwd", "Asia", "."])
def test_odd_time_zone_names_are_refused_not_500(api, zone):
    response = api.post("/api/v1/contacts", {"name": "Anil", "time_zone": zone})

    assert_refused(response, 422)


def test_a_limit_above_200_is_422(api):
    assert_refused(api.get("/api/v1/tickets", {"limit": 201}), 422)


def test_an_unknown_order_is_422(api):
    assert_refused(api.get("/api/v1/tickets", {"order": "random"}), 422)


def test_openapi_document_lists_the_error_responses_and_real_numeric_bounds(client):
    document = client.get("/api/v1/openapi.json").json()

    assert document["components"]["schemas"]["Error"]["required"] == ["detail"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "429"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= codes, (method, path)
    # Bounds are JSON Schema's minimum/maximum, not pydantic's ge/le that clients ignore.
    text = json.dumps(document)
    assert '"ge":' not in text and '"le":' not in text
    assert '"minimum": 1' in text
