"""The team and configuration API: agents, groups, the priority scheme and custom fields.
Every agent reads them; only admins change them, except an agent's own presence."""

import pytest


@pytest.fixture
def admin(make_agent, default_group):
    return make_agent(role="admin", groups=[default_group])


@pytest.fixture
def admin_api(api_as, admin):
    return api_as(admin)


CONFIGURATION_CHANGES = [
    ("post", "/api/v1/agents", lambda w: {"email": "new.agent@sampark.test"}),
    ("patch", "/api/v1/agents/{other}", lambda w: {"role": "admin"}),
    ("post", "/api/v1/groups", lambda w: {"name": "Night shift"}),
    ("patch", "/api/v1/groups/{group}", lambda w: {"name": "Renamed"}),
    ("post", "/api/v1/priorities", lambda w: {"code": "P5", "name": "Someday", "rank": 5}),
    ("patch", "/api/v1/priorities/P1", lambda w: {"name": "Everything is on fire"}),
    ("post", "/api/v1/fields", lambda w: {"key": "circle", "label": "Circle"}),
    ("patch", "/api/v1/fields/{field}", lambda w: {"label": "Renamed"}),
]


@pytest.fixture
def config_world(admin_api, make_agent, default_group):
    field = admin_api.post("/api/v1/fields", {"key": "region", "label": "Region"}).json()
    return {"other": make_agent().pk, "group": default_group.pk, "field": field["key"]}


@pytest.mark.parametrize("role", ["agent", "supervisor"])
@pytest.mark.parametrize(
    ("method", "path", "payload"),
    CONFIGURATION_CHANGES,
    ids=[f"{m.upper()} {p}" for m, p, _b in CONFIGURATION_CHANGES],
)
def test_only_admins_change_the_configuration(
    api_as, make_agent, config_world, role, method, path, payload
):
    client = api_as(make_agent(role=role))

    response = getattr(client, method)(path.format(**config_world), payload(config_world))

    assert response.status_code == 403
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "payload", "status"),
    [(m, p, b, 201 if m == "post" else 200) for m, p, b in CONFIGURATION_CHANGES],
    ids=[f"{m.upper()} {p}" for m, p, _b in CONFIGURATION_CHANGES],
)
def test_an_admin_changes_the_configuration(admin_api, config_world, method, path, payload, status):
    response = getattr(admin_api, method)(path.format(**config_world), payload(config_world))

    assert response.status_code == status, response.content


@pytest.mark.parametrize(
    "path", ["/api/v1/agents", "/api/v1/groups", "/api/v1/priorities", "/api/v1/fields"]
)
def test_every_agent_reads_the_configuration(api, path):
    response = api.get(path)

    assert response.status_code == 200
    assert isinstance(response.json(), list)


# --- agents ---------------------------------------------------------------------------------


def test_agent_list_filters_by_email_case_insensitively(api, make_agent):
    wanted = make_agent(email="Arjun.Rao@Sampark.test")

    found = api.get("/api/v1/agents", {"email": "ARJUN.RAO@sampark.TEST"}).json()

    assert [a["id"] for a in found] == [wanted.pk]
    assert found[0]["email"] == "arjun.rao@sampark.test"


def test_agent_list_filters_by_group_and_tier(api, make_agent, make_group):
    network = make_group(name="Network")
    wanted = make_agent(groups=[network], tier="L2")
    make_agent(groups=[network], tier="L1")
    make_agent(tier="L2")

    found = api.get("/api/v1/agents", {"group": network.pk, "tier": "L2"}).json()

    assert [a["id"] for a in found] == [wanted.pk]


def test_an_unknown_email_finds_no_agent(api):
    assert api.get("/api/v1/agents", {"email": "nobody@sampark.test"}).json() == []


def test_an_agent_is_shown_with_role_tier_and_groups(api, make_agent, make_group):
    network = make_group(name="Network")
    someone = make_agent(role="supervisor", tier="L2", groups=[network], name="Sunita Rao")

    body = api.get(f"/api/v1/agents/{someone.pk}").json()

    assert body["name"] == "Sunita Rao"
    assert (body["role"], body["tier"], body["groups"]) == ("supervisor", "L2", [network.pk])
    assert body["is_active"] is True


def test_an_admin_adds_an_agent_with_a_normalised_email(admin_api, make_group):
    network = make_group(name="Network")

    response = admin_api.post(
        "/api/v1/agents",
        {"email": " Neha.Gupta@Sampark.TEST ", "name": "Neha Gupta", "groups": [network.pk]},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "neha.gupta@sampark.test"
    assert body["groups"] == [network.pk]
    assert body["role"] == "agent"


def test_adding_an_agent_with_a_taken_email_is_409(admin_api, make_agent):
    make_agent(email="taken@sampark.test")

    response = admin_api.post("/api/v1/agents", {"email": "TAKEN@sampark.test"})

    assert response.status_code == 409


def test_adding_an_agent_with_an_invalid_email_is_422(admin_api):
    response = admin_api.post("/api/v1/agents", {"email": "not an email"})

    assert response.status_code == 422
    assert response.json()["field"] == "email"


def test_an_admin_promotes_an_agent(admin_api, make_agent):
    someone = make_agent()

    response = admin_api.patch(f"/api/v1/agents/{someone.pk}", {"role": "supervisor"})

    assert response.status_code == 200
    assert response.json()["role"] == "supervisor"


def test_an_agent_is_shown_with_their_ticket_access(api, make_agent):
    someone = make_agent(ticket_access="own")

    assert api.get(f"/api/v1/agents/{someone.pk}").json()["ticket_access"] == "own"


@pytest.mark.parametrize(
    ("role", "given", "expected"),
    [("agent", None, "groups"), ("supervisor", None, "all"), ("agent", "own", "own")],
)
def test_an_admin_adds_an_agent_with_the_roles_ticket_access_or_a_chosen_one(
    admin_api, role, given, expected
):
    body = {"email": "new.agent@sampark.test", "role": role}
    if given:
        body["ticket_access"] = given

    response = admin_api.post("/api/v1/agents", body)

    assert response.status_code == 201
    assert response.json()["ticket_access"] == expected


def test_an_admin_narrows_an_agents_ticket_access(admin_api, make_agent):
    someone = make_agent()

    response = admin_api.patch(f"/api/v1/agents/{someone.pk}", {"ticket_access": "own"})

    assert response.status_code == 200
    assert response.json()["ticket_access"] == "own"


def test_an_agent_cannot_widen_their_own_ticket_access(api, agent):
    response = api.patch(f"/api/v1/agents/{agent.pk}", {"ticket_access": "all"})

    assert response.status_code == 403
    assert api.get(f"/api/v1/agents/{agent.pk}").json()["ticket_access"] == "groups"


def test_an_unknown_ticket_access_is_422(admin_api, make_agent):
    response = admin_api.patch(f"/api/v1/agents/{make_agent().pk}", {"ticket_access": "everything"})

    assert response.status_code == 422


@pytest.mark.parametrize(
    ("role", "access", "new_role", "expected"),
    [
        ("agent", "groups", "supervisor", "all"),  # the role's default follows the role
        ("supervisor", "all", "agent", "groups"),
        ("admin", "all", "agent", "groups"),
        ("agent", "own", "supervisor", "own"),  # a narrowed agent stays narrowed
        ("agent", "all", "supervisor", "all"),
        ("supervisor", "groups", "admin", "groups"),
        ("supervisor", "own", "agent", "own"),
    ],
)
def test_a_role_change_keeps_a_chosen_ticket_access(
    admin_api, make_agent, role, access, new_role, expected
):
    someone = make_agent(role=role, ticket_access=access)

    response = admin_api.patch(f"/api/v1/agents/{someone.pk}", {"role": new_role})

    assert response.json()["ticket_access"] == expected


def test_a_ticket_access_given_with_a_role_change_wins(admin_api, make_agent):
    someone = make_agent()

    response = admin_api.patch(
        f"/api/v1/agents/{someone.pk}", {"role": "supervisor", "ticket_access": "groups"}
    )

    assert (response.json()["role"], response.json()["ticket_access"]) == ("supervisor", "groups")


def test_the_migration_gives_existing_agents_their_roles_ticket_access(make_agent):
    import importlib

    from django.apps import apps

    from sampark.team.models import AgentProfile

    migration = importlib.import_module("sampark.team.migrations.0006_agentprofile_ticket_access")
    admin, supervisor, agent = (make_agent(role=r) for r in ("admin", "supervisor", "agent"))
    AgentProfile.objects.update(ticket_access="own")

    migration.backfill_by_role(apps, None)

    assert [AgentProfile.objects.get(user=u).ticket_access for u in (admin, supervisor, agent)] == [
        "all",
        "all",
        "groups",
    ]


def test_an_admin_sets_an_agents_groups(admin_api, make_agent, make_group):
    someone, billing = make_agent(), make_group(name="Billing")

    response = admin_api.patch(f"/api/v1/agents/{someone.pk}", {"groups": [billing.pk]})

    assert response.json()["groups"] == [billing.pk]


def test_an_agent_sets_their_own_presence(api, agent):
    response = api.patch(f"/api/v1/agents/{agent.pk}", {"presence": "online"})

    assert response.status_code == 200
    assert response.json()["presence"] == "online"


def test_an_agent_cannot_set_someone_elses_presence(api, make_agent):
    colleague = make_agent()

    response = api.patch(f"/api/v1/agents/{colleague.pk}", {"presence": "offline"})

    assert response.status_code == 403
    assert api.get(f"/api/v1/agents/{colleague.pk}").json()["presence"] == "offline"


def test_an_agent_cannot_change_their_own_role(api, agent):
    response = api.patch(f"/api/v1/agents/{agent.pk}", {"presence": "online", "role": "admin"})

    assert response.status_code == 403
    body = api.get(f"/api/v1/agents/{agent.pk}").json()
    assert (body["role"], body["presence"]) == ("agent", "offline")


def test_an_unknown_presence_is_422(api, agent):
    assert api.patch(f"/api/v1/agents/{agent.pk}", {"presence": "busy"}).status_code == 422


# --- groups ---------------------------------------------------------------------------------


def test_an_admin_creates_a_bilingual_group(admin_api):
    response = admin_api.post(
        "/api/v1/groups", {"name": "Billing", "name_hi": "बिलिंग", "tier": "L2"}
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["name_hi"], body["tier"]) == ("Billing", "बिलिंग", "L2")
    assert response.content.decode("utf-8").count("बिलिंग") == 1


def test_a_duplicate_group_name_is_409(admin_api, make_group):
    make_group(name="Billing")

    assert admin_api.post("/api/v1/groups", {"name": "Billing"}).status_code == 409


def test_making_a_group_the_default_unsets_the_previous_default(admin_api, default_group):
    response = admin_api.post("/api/v1/groups", {"name": "Reception", "is_default": True})

    groups = {g["id"]: g["is_default"] for g in admin_api.get("/api/v1/groups").json()}
    assert groups == {default_group.pk: False, response.json()["id"]: True}


def test_groups_are_listed_by_tier_then_name(api, make_group, default_group):
    make_group(name="Zeta", tier="L1")
    make_group(name="Alpha", tier="L2")

    names = [g["name"] for g in api.get("/api/v1/groups").json()]

    assert names == [default_group.name, "Zeta", "Alpha"]


# --- the priority scheme --------------------------------------------------------------------


def test_the_seeded_priority_scheme_is_p1_to_p4_by_rank(api):
    body = api.get("/api/v1/priorities").json()

    assert [p["code"] for p in body] == ["P1", "P2", "P3", "P4"]
    assert [p["is_default"] for p in body] == [False, False, True, False]
    assert all(p["name_hi"] for p in body)


def test_a_new_priority_can_be_used_on_tickets(admin_api):
    admin_api.post("/api/v1/priorities", {"code": "P5", "name": "Someday", "rank": 5})

    response = admin_api.post(
        "/api/v1/tickets",
        {"subject": "Paint the lobby", "requester": {"email": "f@example.org"}, "priority": "P5"},
    )

    assert response.status_code == 201
    assert response.json()["priority"] == "P5"


def test_a_priority_with_a_taken_rank_is_409(admin_api):
    response = admin_api.post("/api/v1/priorities", {"code": "PX", "name": "Clash", "rank": 1})

    assert response.status_code == 409


def test_a_priority_with_a_taken_code_is_409(admin_api):
    response = admin_api.post("/api/v1/priorities", {"code": "P1", "name": "Clash", "rank": 9})

    assert response.status_code == 409


def test_making_a_priority_the_default_unsets_the_previous_default(admin_api):
    admin_api.patch("/api/v1/priorities/P4", {"is_default": True})

    defaults = [p["code"] for p in admin_api.get("/api/v1/priorities").json() if p["is_default"]]
    assert defaults == ["P4"]


# --- custom fields --------------------------------------------------------------------------


def test_a_choice_field_needs_choices(admin_api):
    response = admin_api.post(
        "/api/v1/fields", {"key": "state", "label": "State", "kind": "choice"}
    )

    assert response.status_code == 422
    assert response.json()["field"] == "choices"


def test_a_field_key_with_spaces_is_422(admin_api):
    response = admin_api.post("/api/v1/fields", {"key": "my field", "label": "Mine"})

    assert response.status_code == 422
    assert response.json()["field"] == "key"


def test_a_duplicate_field_key_is_409(admin_api):
    admin_api.post("/api/v1/fields", {"key": "circle", "label": "Circle"})

    assert admin_api.post("/api/v1/fields", {"key": "circle", "label": "Again"}).status_code == 409


def test_a_choice_field_accepts_only_its_choices_on_tickets(admin_api):
    admin_api.post(
        "/api/v1/fields",
        {"key": "state", "label": "State", "kind": "choice", "choices": ["MH", "KA"]},
    )
    base = {"subject": "Line down", "requester": {"email": "c@example.org"}}

    ok = admin_api.post("/api/v1/tickets", {**base, "custom_fields": {"state": "KA"}})
    bad = admin_api.post("/api/v1/tickets", {**base, "custom_fields": {"state": "TN"}})

    assert ok.status_code == 201
    assert ok.json()["custom_fields"] == {"state": "KA"}
    assert bad.status_code == 422
    assert bad.json()["field"] == "custom_fields"


def test_a_deactivated_field_is_no_longer_accepted(admin_api):
    admin_api.post("/api/v1/fields", {"key": "circle", "label": "Circle"})
    admin_api.patch("/api/v1/fields/circle", {"active": False})

    response = admin_api.post(
        "/api/v1/tickets",
        {"subject": "x", "requester": {"email": "d@example.org"}, "custom_fields": {"circle": "A"}},
    )

    assert response.status_code == 422
