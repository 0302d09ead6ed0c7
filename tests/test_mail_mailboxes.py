"""Mailboxes: the rules of saving and deleting one (sampark.mail.services.mailboxes), and the
API's contract for them, persona by persona."""

import pytest
from django.contrib.auth import get_user_model

from sampark.core.errors import Conflict, InvalidInput
from sampark.mail import secrets
from sampark.mail.models import Mailbox
from sampark.mail.services.mailboxes import delete_mailbox, save_mailbox
from sampark.team.models import AgentProfile
from sampark.team.services import issue_token
from tests.conftest import ApiClient
from tests.mail_sink import free_port


@pytest.fixture
def default_mailbox(db):
    return Mailbox.objects.get(is_default=True)


@pytest.fixture
def sales(db):
    return save_mailbox(address="sales@sampark.test", display_name="Sales")


@pytest.fixture
def admin(make_agent):
    return make_agent(role=AgentProfile.Role.ADMIN)


@pytest.fixture
def admin_api(api_as, admin):
    return api_as(admin)


def imap_settings(**extra):
    return {
        "imap_host": "imap.sampark.test",
        "imap_username": "support",
        "imap_password": "s3cret-imap",
        **extra,
    }


# --- the service ----------------------------------------------------------------------------


def test_a_fresh_instance_has_one_default_mailbox(default_mailbox):
    assert Mailbox.objects.count() == 1
    assert default_mailbox.address == "support@sampark.localhost"


def test_a_new_mailbox_keeps_its_address_in_lower_case_and_is_named_after_it(db):
    mailbox = save_mailbox(address="  Billing@Sampark.TEST ")

    assert mailbox.address == "billing@sampark.test"
    assert mailbox.name == "billing@sampark.test"
    assert not mailbox.is_default


@pytest.mark.parametrize("address", ["", "not an address", "a@b@c", "x" * 250 + "@a.in"])
def test_an_address_must_be_an_email_address(db, address):
    with pytest.raises(InvalidInput) as refused:
        save_mailbox(address=address)

    assert refused.value.field == "address"


def test_an_address_belongs_to_one_mailbox_whatever_its_case(default_mailbox):
    with pytest.raises(Conflict) as refused:
        save_mailbox(address="SUPPORT@sampark.localhost")

    assert refused.value.field == "address"
    assert Mailbox.objects.count() == 1


def test_making_a_mailbox_the_default_takes_the_mark_from_the_other(default_mailbox, sales):
    save_mailbox(sales, is_default=True)

    assert list(Mailbox.objects.filter(is_default=True)) == [sales]
    default_mailbox.refresh_from_db()
    assert not default_mailbox.is_default


def test_a_new_default_mailbox_takes_the_mark_too(default_mailbox):
    added = save_mailbox(address="help@sampark.test", is_default=True)

    assert list(Mailbox.objects.filter(is_default=True)) == [added]


def test_the_default_stops_being_the_default_only_by_another_taking_its_place(default_mailbox):
    with pytest.raises(Conflict) as refused:
        save_mailbox(default_mailbox, is_default=False)

    assert refused.value.field == "is_default"
    default_mailbox.refresh_from_db()
    assert default_mailbox.is_default


def test_the_first_mailbox_is_the_default(default_mailbox):
    default_mailbox.delete()

    first = save_mailbox(address="only@sampark.test")

    assert first.is_default


def test_the_default_mailbox_cannot_be_deleted(default_mailbox, sales):
    with pytest.raises(Conflict):
        delete_mailbox(default_mailbox)

    assert Mailbox.objects.filter(pk=default_mailbox.pk).exists()


def test_the_last_mailbox_cannot_be_deleted(default_mailbox):
    Mailbox.objects.filter(pk=default_mailbox.pk).update(is_default=False)

    with pytest.raises(Conflict):
        delete_mailbox(default_mailbox)

    assert Mailbox.objects.count() == 1


def test_another_mailbox_is_deleted(default_mailbox, sales):
    delete_mailbox(sales)

    assert list(Mailbox.objects.all()) == [default_mailbox]


def test_passwords_are_kept_sealed(sales):
    save_mailbox(sales, **imap_settings(), smtp_host="smtp.sampark.test", smtp_username="u")
    save_mailbox(sales, smtp_password="s3cret-smtp")

    sales.refresh_from_db()
    assert "s3cret" not in sales.imap_password + sales.smtp_password
    assert secrets.unseal(sales.imap_password) == "s3cret-imap"
    assert secrets.unseal(sales.smtp_password) == "s3cret-smtp"


@pytest.mark.parametrize("blank", ["", None])
def test_a_blank_password_on_a_change_keeps_the_stored_one(sales, blank):
    save_mailbox(sales, **imap_settings())

    save_mailbox(sales, imap_username="support2", imap_password=blank)

    sales.refresh_from_db()
    assert sales.imap_username == "support2"
    assert secrets.unseal(sales.imap_password) == "s3cret-imap"


def test_clearing_a_server_clears_its_credentials(sales):
    save_mailbox(sales, **imap_settings())

    save_mailbox(sales, imap_host="")

    sales.refresh_from_db()
    assert (sales.imap_username, sales.imap_password) == ("", "")


@pytest.mark.parametrize("port", [0, 65536, -1, True, "25"])
def test_a_port_is_a_number_from_1_to_65535(sales, port):
    with pytest.raises(InvalidInput) as refused:
        save_mailbox(sales, smtp_host="smtp.sampark.test", smtp_port=port)

    assert refused.value.field == "smtp_port"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (imap_settings(imap_port=993, imap_security="starttls"), "imap_security"),
        (imap_settings(imap_port=143, imap_security="tls"), "imap_security"),
        (
            {"smtp_host": "smtp.sampark.test", "smtp_port": 465, "smtp_security": "none"},
            "smtp_security",
        ),
        (
            {"smtp_host": "smtp.sampark.test", "smtp_port": 587, "smtp_security": "tls"},
            "smtp_security",
        ),
        ({"smtp_host": "smtp.sampark.test", "smtp_security": "ssl"}, "smtp_security"),
    ],
)
def test_the_port_and_the_security_must_agree(sales, fields, field):
    with pytest.raises(InvalidInput) as refused:
        save_mailbox(sales, **fields)

    assert refused.value.field == field


def test_imap_needs_a_user_name(sales):
    with pytest.raises(InvalidInput) as refused:
        save_mailbox(sales, imap_host="imap.sampark.test")

    assert refused.value.field == "imap_username"


def test_credentials_need_a_server(sales):
    with pytest.raises(InvalidInput) as refused:
        save_mailbox(sales, smtp_username="me", smtp_password="pw")

    assert refused.value.field == "smtp_host"


def test_a_password_needs_a_user_name(sales):
    with pytest.raises(InvalidInput) as refused:
        save_mailbox(sales, smtp_host="smtp.sampark.test", smtp_password="pw")

    assert refused.value.field == "smtp_username"


@pytest.mark.parametrize(
    "change", [{"imap_host": "imap2.sampark.test"}, {"imap_username": "b"}, {"imap_folder": "Sup"}]
)
def test_another_imap_server_user_or_folder_starts_polling_afresh(sales, change):
    save_mailbox(sales, **imap_settings())
    Mailbox.objects.filter(pk=sales.pk).update(
        imap_last_uid=812, imap_uidvalidity=7, last_error="IMAP down"
    )

    save_mailbox(sales, **change)

    sales.refresh_from_db()
    assert (sales.imap_last_uid, sales.imap_uidvalidity, sales.last_error) == (0, None, "")


def test_other_changes_keep_the_polling_place(sales):
    save_mailbox(sales, **imap_settings())
    Mailbox.objects.filter(pk=sales.pk).update(imap_last_uid=812, imap_uidvalidity=7)

    save_mailbox(sales, display_name="Sales team", imap_host="imap.sampark.test", auto_reply=False)

    sales.refresh_from_db()
    assert (sales.imap_last_uid, sales.imap_uidvalidity) == (812, 7)
    assert sales.display_name == "Sales team"


def test_a_blank_folder_means_the_inbox(sales):
    save_mailbox(sales, **imap_settings(imap_folder=" "))

    sales.refresh_from_db()
    assert sales.imap_folder == "INBOX"


@pytest.mark.parametrize("undo", [-1, 601, True])
def test_the_undo_window_is_zero_to_ten_minutes(sales, undo):
    with pytest.raises(InvalidInput) as refused:
        save_mailbox(sales, undo_seconds=undo)

    assert refused.value.field == "undo_seconds"


# --- the API --------------------------------------------------------------------------------


def test_the_api_lists_mailboxes_without_their_passwords(admin_api, default_mailbox, sales):
    save_mailbox(sales, **imap_settings())

    listed = admin_api.get("/api/v1/mailboxes").json()

    assert [m["address"] for m in listed] == [default_mailbox.address, sales.address]
    assert listed[1]["imap_password_set"] is True
    assert listed[1]["smtp_password_set"] is False
    assert "imap_password" not in listed[1]
    assert "s3cret" not in str(listed)


def test_the_api_adds_a_mailbox_with_its_group(admin_api, make_group):
    group = make_group(name="Billing")

    response = admin_api.post(
        "/api/v1/mailboxes",
        {
            "address": "billing@sampark.test",
            "display_name": "Billing",
            "group": group.pk,
            "auto_reply": False,
            **imap_settings(),
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["group"], body["auto_reply"], body["imap_password_set"]) == (group.pk, False, True)
    stored = Mailbox.objects.get(pk=body["id"])
    assert secrets.unseal(stored.imap_password) == "s3cret-imap"


def test_the_api_changes_only_what_is_given(admin_api, sales):
    save_mailbox(sales, **imap_settings())

    response = admin_api.patch(f"/api/v1/mailboxes/{sales.pk}", {"imap_folder": "Support"})

    assert response.status_code == 200, response.content
    sales.refresh_from_db()
    assert (sales.imap_folder, sales.display_name) == ("Support", "Sales")
    assert secrets.unseal(sales.imap_password) == "s3cret-imap"


def test_the_api_clears_the_group_with_an_explicit_null(admin_api, sales, default_group):
    save_mailbox(sales, group=default_group)

    body = admin_api.patch(f"/api/v1/mailboxes/{sales.pk}", {"group": None}).json()

    assert body["group"] is None


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"address": "support@sampark.localhost"}, 409, "address"),
        ({"address": "nope"}, 422, "address"),
        ({"address": "x@sampark.test", "group": 987654}, 422, "group"),
        ({"address": "x@sampark.test", "smtp_port": 0}, 422, None),
        ({"address": "x@sampark.test", "imap_host": "imap.test"}, 422, "imap_username"),
    ],
)
def test_the_api_refuses_bad_mailboxes_with_a_clear_error(
    admin_api, default_mailbox, body, status, field
):
    response = admin_api.post("/api/v1/mailboxes", body)

    assert response.status_code == status, response.content
    if field:
        assert response.json()["field"] == field
    assert Mailbox.objects.count() == 1


def test_the_api_deletes_a_mailbox_but_not_the_default(admin_api, default_mailbox, sales):
    refused = admin_api.delete(f"/api/v1/mailboxes/{default_mailbox.pk}")
    deleted = admin_api.delete(f"/api/v1/mailboxes/{sales.pk}")
    again = admin_api.delete(f"/api/v1/mailboxes/{sales.pk}")

    assert refused.status_code == 409
    assert deleted.status_code == 204
    assert again.status_code == 404


def test_the_api_tests_only_the_servers_a_mailbox_has(admin_api, sales):
    response = admin_api.post(f"/api/v1/mailboxes/{sales.pk}/test")

    assert response.status_code == 200
    assert response.json() == {"imap": None, "smtp": None}


def test_the_api_reports_a_server_that_does_not_answer(admin_api, sales, unused_port):
    save_mailbox(
        sales, **imap_settings(imap_host="127.0.0.1", imap_port=unused_port, imap_security="none")
    )

    body = admin_api.post(f"/api/v1/mailboxes/{sales.pk}/test").json()

    assert body["smtp"] is None
    assert body["imap"]["ok"] is False
    assert f"127.0.0.1:{unused_port}" in body["imap"]["error"]


@pytest.fixture
def unused_port():
    return free_port()


@pytest.mark.parametrize("role", [AgentProfile.Role.AGENT, AgentProfile.Role.SUPERVISOR])
def test_agents_and_supervisors_are_refused_every_mailbox_endpoint(api_as, make_agent, sales, role):
    client = api_as(make_agent(role=role))
    calls = [
        client.get("/api/v1/mailboxes"),
        client.post("/api/v1/mailboxes", {"address": "x@sampark.test"}),
        client.get(f"/api/v1/mailboxes/{sales.pk}"),
        client.patch(f"/api/v1/mailboxes/{sales.pk}", {"display_name": "Mine"}),
        client.delete(f"/api/v1/mailboxes/{sales.pk}"),
        client.post(f"/api/v1/mailboxes/{sales.pk}/test"),
    ]

    assert [c.status_code for c in calls] == [403] * 6
    sales.refresh_from_db()
    assert sales.display_name == "Sales"


def test_a_token_of_someone_who_is_no_agent_is_refused(db, sales):
    customer = get_user_model().objects.create_user("kavita", "kavita@example.org")
    _token, secret = issue_token(customer, name="portal")
    client = ApiClient(secret)

    responses = [client.get("/api/v1/mailboxes"), client.delete(f"/api/v1/mailboxes/{sales.pk}")]

    assert [r.status_code for r in responses] == [401, 401]
    assert Mailbox.objects.filter(pk=sales.pk).exists()


# --- the Django admin -----------------------------------------------------------------------


@pytest.fixture
def admin_browser(client, admin):
    client.force_login(admin)
    return client


def admin_form(**fields):
    form = {
        "address": "desk@sampark.test",
        "display_name": "Desk",
        "name": "",
        "group": "",
        "auto_reply": "on",
        "active": "on",
        "undo_seconds": "10",
        "imap_security": "tls",
        "imap_folder": "INBOX",
        "smtp_security": "starttls",
    }
    form.update(fields)
    return form


def test_the_admin_adds_a_mailbox_through_the_service_with_a_sealed_password(
    admin_browser, default_mailbox
):
    response = admin_browser.post(
        "/admin/mail/mailbox/add/",
        admin_form(
            address="Desk@Sampark.test",
            smtp_host="smtp.sampark.test",
            smtp_username="desk",
            smtp_password="pw-admin",
            skip_test="on",
        ),
    )

    assert response.status_code == 302, response.content.decode()
    saved = Mailbox.objects.get(address="desk@sampark.test")
    assert secrets.unseal(saved.smtp_password) == "pw-admin"


def test_the_admin_page_never_shows_a_stored_password(admin_browser, sales):
    save_mailbox(sales, **imap_settings())
    sales.refresh_from_db()

    page = admin_browser.get(f"/admin/mail/mailbox/{sales.pk}/change/").content.decode()

    assert "s3cret-imap" not in page
    assert sales.imap_password not in page


def test_the_admin_tests_a_changed_server_and_shows_its_error(admin_browser, sales, unused_port):
    form = admin_form(
        address="sales@sampark.test",
        imap_host="127.0.0.1",
        imap_port=str(unused_port),
        imap_security="none",
        imap_username="sales",
        imap_password="pw",
    )

    response = admin_browser.post(f"/admin/mail/mailbox/{sales.pk}/change/", form)

    assert response.status_code == 200
    assert f"IMAP 127.0.0.1:{unused_port}" in response.content.decode()
    sales.refresh_from_db()
    assert sales.imap_host == ""


def test_the_admin_refuses_a_second_default_being_unset(admin_browser, default_mailbox):
    form = admin_form(address=default_mailbox.address)  # is_default left unticked

    response = admin_browser.post(f"/admin/mail/mailbox/{default_mailbox.pk}/change/", form)

    assert response.status_code == 200
    assert "Exactly one mailbox is the default" in response.content.decode()
    default_mailbox.refresh_from_db()
    assert default_mailbox.is_default


def test_received_and_sent_mail_are_read_only_in_the_admin(admin_browser, default_mailbox):
    from sampark.mail.models import InboundMessage
    from sampark.mail.services.ingest import ingest

    result = ingest(b"From: ravi@example.in\r\nTo: x@y\r\nSubject: hi\r\n\r\nhello", via="pipe")

    listed = admin_browser.get("/admin/mail/inboundmessage/?needs_attention__exact=0")
    opened = admin_browser.get(f"/admin/mail/inboundmessage/{result.inbound_id}/change/")
    added = admin_browser.get("/admin/mail/inboundmessage/add/")
    sent = admin_browser.get("/admin/mail/outboundmessage/")

    assert listed.status_code == 200
    assert listed.context["cl"].result_count == InboundMessage.objects.count() == 1
    assert opened.status_code == 200
    assert added.status_code == 403
    assert sent.status_code == 200
