"""The customers API: contacts (one person across channels), organizations and assets."""

import pytest

from sampark.customers.services import save_organization


@pytest.fixture
def supervisor_api(api_as, make_agent, default_group):
    return api_as(make_agent(role="supervisor", groups=[default_group]))


def create_contact(client, **fields) -> dict:
    response = client.post("/api/v1/contacts", {"name": "Anil Kumar", **fields})
    assert response.status_code == 201, response.content
    return response.json()


# --- contacts -------------------------------------------------------------------------------


def test_a_new_contact_keeps_its_identities_normalised(api):
    body = create_contact(
        api,
        language="hi",
        identities=[
            {"kind": "email", "value": " Anil.Kumar@Example.ORG "},
            {"kind": "phone", "value": "098765 43210"},
            {"kind": "chat", "value": "visitor-42"},
        ],
    )

    assert body["language"] == "hi"
    assert body["time_zone"] == "Asia/Kolkata"
    assert sorted((i["kind"], i["value"]) for i in body["identities"]) == [
        ("chat", "visitor-42"),
        ("email", "anil.kumar@example.org"),
        ("phone", "+919876543210"),
    ]


def test_a_new_contact_joins_the_organization_of_its_email_domain(api):
    organization = save_organization(name="Wipro", domains=["wipro.example"])

    body = create_contact(api, identities=[{"kind": "email", "value": "anil@wipro.example"}])

    assert body["organization"]["id"] == organization.pk


def test_a_contact_with_an_invalid_phone_is_not_created(api):
    response = api.post(
        "/api/v1/contacts", {"name": "Anil", "identities": [{"kind": "phone", "value": "123"}]}
    )

    assert response.status_code == 422
    assert response.json()["field"] == "phone"
    assert api.get("/api/v1/contacts").json()["items"] == []


@pytest.mark.parametrize("query", ["+91 98765 43210", "09876543210", "9876543210"])
def test_a_contact_is_found_by_phone_in_any_format(api, make_contact, query):
    wanted = make_contact(phone="98765-43210")
    make_contact()

    found = api.get("/api/v1/contacts", {"phone": query}).json()["items"]

    assert [c["id"] for c in found] == [wanted.pk]


def test_a_contact_is_found_by_email_in_any_case(api, make_contact):
    wanted = make_contact(email="meera@example.org")

    found = api.get("/api/v1/contacts", {"email": "MEERA@Example.org"}).json()["items"]

    assert [c["id"] for c in found] == [wanted.pk]


def test_searching_contacts_by_an_invalid_email_is_422(api):
    response = api.get("/api/v1/contacts", {"email": "not-an-email"})

    assert response.status_code == 422
    assert response.json()["field"] == "email"


def test_contacts_page_by_cursor_without_gaps(api, make_contact):
    made = [make_contact().pk for _ in range(7)]
    seen, cursor = [], None
    while True:
        body = api.get("/api/v1/contacts", {"limit": 3, **({"cursor": cursor} if cursor else {})})
        seen += [c["id"] for c in body.json()["items"]]
        cursor = body.json()["next_cursor"]
        if cursor is None:
            break

    assert seen == sorted(made)


def test_patching_a_contact_changes_only_what_is_given(api, make_contact):
    contact = make_contact(name="Anil", language="en")

    response = api.patch(
        f"/api/v1/contacts/{contact.pk}", {"name": "अनिल कुमार", "time_zone": "Asia/Dubai"}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["time_zone"], body["language"]) == (
        "अनिल कुमार",
        "Asia/Dubai",
        "en",
    )


def test_an_identity_is_added_to_a_contact(api, make_contact):
    contact = make_contact(email="anil@example.org")

    response = api.post(
        f"/api/v1/contacts/{contact.pk}/identities", {"kind": "phone", "value": "+91 99887 76655"}
    )

    assert response.status_code == 201
    assert {"kind": "phone", "value": "+919988776655"} in response.json()["identities"]


def test_an_identity_of_another_contact_is_409(api, make_contact):
    make_contact(email="taken@example.org")
    contact = make_contact(email="anil@example.org")

    response = api.post(
        f"/api/v1/contacts/{contact.pk}/identities", {"kind": "email", "value": "TAKEN@example.org"}
    )

    assert response.status_code == 409
    assert "merge" in response.json()["detail"]


def test_a_contacts_tickets_are_listed(api, make_contact, make_ticket):
    contact = make_contact()
    mine = [make_ticket(requester=contact).pk for _ in range(2)]
    make_ticket()

    items = api.get(f"/api/v1/contacts/{contact.pk}/tickets").json()["items"]

    assert sorted(t["id"] for t in items) == sorted(mine)


# --- merging contacts -----------------------------------------------------------------------


def test_a_plain_agent_cannot_merge_contacts(api, make_contact):
    source, target = make_contact(), make_contact()

    response = api.post(f"/api/v1/contacts/{source.pk}/merge", {"into": target.pk})

    assert response.status_code == 403
    assert api.get(f"/api/v1/contacts/{source.pk}").json()["merged_into"] is None


def test_a_supervisor_merges_a_contact_with_its_identities_and_tickets(
    supervisor_api, make_contact, make_ticket
):
    source = make_contact(phone="+91 98765 43210")
    target = make_contact(email="ravi@example.org")
    ticket = make_ticket(requester=source)

    response = supervisor_api.post(f"/api/v1/contacts/{source.pk}/merge", {"into": target.pk})

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == target.pk
    assert {"kind": "phone", "value": "+919876543210"} in body["identities"]
    assert supervisor_api.get(f"/api/v1/contacts/{source.pk}").json()["merged_into"] == target.pk
    moved = supervisor_api.get(f"/api/v1/tickets/{ticket.pk}").json()
    assert moved["requester"]["id"] == target.pk


def test_a_merged_contact_is_left_out_of_the_contact_list(supervisor_api, make_contact):
    source, target = make_contact(), make_contact()
    supervisor_api.post(f"/api/v1/contacts/{source.pk}/merge", {"into": target.pk})

    listed = [c["id"] for c in supervisor_api.get("/api/v1/contacts").json()["items"]]

    assert listed == [target.pk]


def test_merging_an_already_merged_contact_is_409(supervisor_api, make_contact):
    source, target, other = make_contact(), make_contact(), make_contact()
    supervisor_api.post(f"/api/v1/contacts/{source.pk}/merge", {"into": target.pk})

    response = supervisor_api.post(f"/api/v1/contacts/{source.pk}/merge", {"into": other.pk})

    assert response.status_code == 409


def test_merging_a_contact_into_itself_is_422(supervisor_api, make_contact):
    contact = make_contact()

    response = supervisor_api.post(f"/api/v1/contacts/{contact.pk}/merge", {"into": contact.pk})

    assert response.status_code == 422


# --- organizations --------------------------------------------------------------------------


def test_a_plain_agent_cannot_create_an_organization(api):
    response = api.post("/api/v1/organizations", {"name": "Infosys"})

    assert response.status_code == 403
    assert api.get("/api/v1/organizations").json()["items"] == []


def test_a_plain_agent_cannot_change_an_organization(api):
    organization = save_organization(name="Infosys")

    response = api.patch(f"/api/v1/organizations/{organization.pk}", {"tier": "enterprise"})

    assert response.status_code == 403
    assert api.get(f"/api/v1/organizations/{organization.pk}").json()["tier"] == "standard"


def test_a_supervisor_creates_an_organization_with_normalised_domains(supervisor_api, make_agent):
    manager = make_agent(name="Kiran Shah")

    response = supervisor_api.post(
        "/api/v1/organizations",
        {
            "name": "Infosys",
            "tier": "enterprise",
            "account_manager": manager.pk,
            "domains": ["@Infosys.Example", "infosys.example"],
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["tier"] == "enterprise"
    assert body["account_manager"]["id"] == manager.pk
    assert body["domains"] == ["infosys.example"]


def test_a_supervisor_changes_an_organizations_account_manager(supervisor_api, make_agent):
    organization = save_organization(name="Infosys")
    manager = make_agent()

    response = supervisor_api.patch(
        f"/api/v1/organizations/{organization.pk}", {"account_manager": manager.pk}
    )

    assert response.status_code == 200
    assert response.json()["account_manager"]["id"] == manager.pk


def test_organizations_are_found_by_domain(api):
    wanted = save_organization(name="Infosys", domains=["infosys.example"])
    save_organization(name="Wipro", domains=["wipro.example"])

    found = api.get("/api/v1/organizations", {"domain": "INFOSYS.example"}).json()["items"]

    assert [o["id"] for o in found] == [wanted.pk]


def test_a_duplicate_organization_name_is_409(supervisor_api):
    save_organization(name="Infosys")

    assert supervisor_api.post("/api/v1/organizations", {"name": "Infosys"}).status_code == 409


def test_a_domain_of_another_organization_is_409(supervisor_api):
    save_organization(name="Infosys", domains=["infosys.example"])

    response = supervisor_api.post(
        "/api/v1/organizations", {"name": "Impostor", "domains": ["infosys.example"]}
    )

    assert response.status_code == 409
    assert (
        supervisor_api.get("/api/v1/organizations", {"domain": "infosys.example"}).json()["items"][
            0
        ]["name"]
        == "Infosys"
    )


def test_an_invalid_domain_is_422(supervisor_api):
    response = supervisor_api.post("/api/v1/organizations", {"name": "X", "domains": ["nodot"]})

    assert response.status_code == 422
    assert response.json()["field"] == "domains"


# --- assets ---------------------------------------------------------------------------------


def test_an_asset_is_recorded_for_a_contact(api, make_contact):
    contact = make_contact()

    response = api.post(
        "/api/v1/assets",
        {"name": "Laser printer", "serial_number": " SN-77 ", "contact": contact.pk},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["serial_number"], body["contact"]) == ("SN-77", contact.pk)


def test_an_asset_without_any_description_is_422(api):
    assert api.post("/api/v1/assets", {"location": ""}).status_code == 422


def test_assets_are_found_by_serial_number(api):
    api.post("/api/v1/assets", {"name": "Router", "serial_number": "R-1"})
    wanted = api.post("/api/v1/assets", {"name": "Printer", "serial_number": "P-1"}).json()

    found = api.get("/api/v1/assets", {"serial_number": "P-1"}).json()["items"]

    assert [a["id"] for a in found] == [wanted["id"]]


def test_patching_an_asset_changes_only_what_is_given(api):
    asset = api.post("/api/v1/assets", {"name": "Printer", "location": "Pune"}).json()

    response = api.patch(f"/api/v1/assets/{asset['id']}", {"location": "Mumbai"})

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["location"]) == ("Printer", "Mumbai")


def test_a_ticket_intake_reuses_the_asset_with_the_same_serial_number(api):
    requester = {"name": "Ravi", "email": "ravi@example.org"}
    first = api.post(
        "/api/v1/tickets",
        {"subject": "Jam", "requester": requester, "asset": {"serial_number": "SN-9"}},
    ).json()

    second = api.post(
        "/api/v1/tickets",
        {
            "subject": "Jam again",
            "requester": requester,
            "asset": {"serial_number": "SN-9", "location": "Pune"},
        },
    ).json()

    assert second["asset"]["id"] == first["asset"]["id"]
    assert second["asset"]["location"] == "Pune"
