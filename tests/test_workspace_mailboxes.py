"""The mailbox screen (admins) and the page of mail waiting for a person (supervisors and
admins): who may open them, that saving tests the servers first against real servers (an
in-process aiosmtpd for SMTP; a refused port for IMAP), and taking flagged mail in again or
dismissing it."""

import email.utils
from email.message import EmailMessage

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from sampark.mail import secrets
from sampark.mail.models import InboundMessage, Mailbox
from sampark.mail.services.ingest import ingest
from sampark.mail.services.mailboxes import save_mailbox
from sampark.team.models import AgentProfile
from sampark.tickets.models import Ticket
from tests.mail_sink import SMTP_PASSWORD, SMTP_USER, running_smtp_server
from tests.mail_sink import free_port as unused_port


@pytest.fixture(autouse=True)
def in_english():
    """Reasons are stored in the language active when mail comes in; a Hindi page requested
    by an earlier test must not leave its language behind."""
    with translation.override("en"):
        yield


@pytest.fixture
def asha(make_agent, default_group):
    return make_agent(email="asha@sampark.test", name="Asha Rao", groups=[default_group])


@pytest.fixture
def meenakshi(make_agent, default_group):
    return make_agent(
        email="meenakshi@sampark.test", role=AgentProfile.Role.SUPERVISOR, groups=[default_group]
    )


@pytest.fixture
def admin(make_agent, default_group):
    return make_agent(
        email="admin@sampark.test", role=AgentProfile.Role.ADMIN, groups=[default_group]
    )


@pytest.fixture
def default_mailbox(db):
    return Mailbox.objects.get(is_default=True)


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


def smtp_form(server, password=SMTP_PASSWORD):
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": str(server.port),
        "smtp_security": "none",
        "smtp_username": SMTP_USER,
        "smtp_password": password,
    }


def mailbox_form(**fields):
    form = {
        "address": "sales@sampark.test",
        "display_name": "Sales",
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


# --- who may open the screens ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/mailboxes/", "/mailboxes/new/", "/mail/attention/"])
def test_an_agent_is_refused_both_screens_and_not_offered_them(signed_in, asha, path):
    client = signed_in(asha)

    response = client.get(path)

    assert response.status_code == 403
    home = client.get("/home/").content.decode()
    assert 'href="/mailboxes/"' not in home
    assert 'href="/mail/attention/"' not in home


def test_a_supervisor_handles_flagged_mail_but_not_mailboxes(signed_in, meenakshi):
    client = signed_in(meenakshi)

    refused = client.get("/mailboxes/")
    page = client.get("/mail/attention/")

    assert refused.status_code == 403
    assert "configured by admins" in refused.content.decode()
    assert page.status_code == 200
    assert 'href="/mailboxes/"' not in page.content.decode()


def test_an_admin_finds_both_in_the_navigation(signed_in, admin):
    page = signed_in(admin).get("/mailboxes/").content.decode()

    assert 'href="/mailboxes/" aria-current="page"' in page
    assert 'href="/mail/attention/"' in page


def test_a_signed_out_visitor_is_sent_to_sign_in(client, default_mailbox):
    for path in ("/mailboxes/", f"/mailboxes/{default_mailbox.pk}/", "/mail/attention/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")


# --- the list and the form ------------------------------------------------------------------


def test_the_list_shows_each_mailbox_with_its_settings_and_last_error(
    signed_in, admin, default_mailbox, django_assert_max_num_queries
):
    save_mailbox(
        address="sales@sampark.test",
        imap_host="imap.sampark.test",
        imap_username="sales",
        auto_reply=False,
    )
    Mailbox.objects.filter(address="sales@sampark.test").update(last_error="LOGIN failed")
    client = signed_in(admin)

    with django_assert_max_num_queries(12):
        page = client.get("/mailboxes/").content.decode()

    assert "support@sampark.localhost" in page
    assert "imap.sampark.test" in page
    assert "LOGIN failed" in page
    assert "s3cret" not in page


def test_the_list_costs_the_same_queries_for_many_mailboxes(
    signed_in, admin, make_group, django_assert_num_queries
):
    client = signed_in(admin)
    client.get("/mailboxes/")
    with CaptureQueriesContext(connection) as few:
        client.get("/mailboxes/")
    for n in range(5):
        save_mailbox(address=f"desk{n}@sampark.test", group=make_group())

    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/mailboxes/")


def test_the_form_never_shows_a_stored_password(signed_in, admin, default_mailbox):
    save_mailbox(
        default_mailbox, smtp_host="smtp.example.in", smtp_username="u", smtp_password="pw-77"
    )
    default_mailbox.refresh_from_db()

    page = signed_in(admin).get(f"/mailboxes/{default_mailbox.pk}/").content.decode()

    assert "pw-77" not in page
    assert default_mailbox.smtp_password[:20] not in page
    assert "A password is stored" in page


def test_saving_with_a_good_smtp_server_tests_it_then_saves(signed_in, admin, smtp_server):
    response = signed_in(admin).post("/mailboxes/new/", mailbox_form(**smtp_form(smtp_server)))

    assert response.status_code == 302, response.content.decode()
    saved = Mailbox.objects.get(address="sales@sampark.test")
    assert secrets.unseal(saved.smtp_password) == SMTP_PASSWORD
    assert saved.smtp_port == smtp_server.port


def test_a_wrong_smtp_password_shows_the_servers_words_and_saves_nothing(
    signed_in, admin, smtp_server
):
    response = signed_in(admin).post(
        "/mailboxes/new/", mailbox_form(**smtp_form(smtp_server, password="wrong"))
    )

    assert response.status_code == 200
    assert "535, b&#x27;5.7.8 Authentication credentials invalid" in response.content.decode()
    assert not Mailbox.objects.filter(address="sales@sampark.test").exists()


def test_an_imap_server_that_refuses_shows_the_error_and_saves_nothing(signed_in, admin):
    port = unused_port()
    form = mailbox_form(
        imap_host="127.0.0.1",
        imap_port=str(port),
        imap_security="none",
        imap_username="sales",
        imap_password="pw",
    )

    response = signed_in(admin).post("/mailboxes/new/", form)

    assert response.status_code == 200
    assert f"IMAP 127.0.0.1:{port}" in response.content.decode()
    assert not Mailbox.objects.filter(address="sales@sampark.test").exists()


def test_save_without_testing_saves_a_server_that_is_not_up_yet(signed_in, admin):
    form = mailbox_form(
        imap_host="127.0.0.1",
        imap_port=str(unused_port()),
        imap_security="none",
        imap_username="sales",
        imap_password="pw",
        skip_test="on",
    )

    response = signed_in(admin).post("/mailboxes/new/", form)

    assert response.status_code == 302
    assert Mailbox.objects.get(address="sales@sampark.test").imap_host == "127.0.0.1"


def test_test_connection_reports_and_saves_nothing(signed_in, admin, smtp_server):
    form = {**mailbox_form(**smtp_form(smtp_server)), "_test": "1"}

    response = signed_in(admin).post("/mailboxes/new/", form)

    assert response.status_code == 200
    assert "SMTP: the settings work." in response.content.decode()
    assert not Mailbox.objects.filter(address="sales@sampark.test").exists()


def test_a_change_that_leaves_the_servers_alone_does_not_test_them(signed_in, admin):
    mailbox = save_mailbox(
        address="sales@sampark.test",
        imap_host="127.0.0.1",
        imap_port=unused_port(),
        imap_security="none",
        imap_username="sales",
        imap_password="pw",
    )
    form = mailbox_form(
        display_name="Sales team",
        imap_host="127.0.0.1",
        imap_port=str(mailbox.imap_port),
        imap_security="none",
        imap_username="sales",
    )

    response = signed_in(admin).post(f"/mailboxes/{mailbox.pk}/", form)

    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.display_name == "Sales team"
    assert secrets.unseal(mailbox.imap_password) == "pw"


def test_a_refusal_of_the_service_shows_on_its_field(signed_in, admin, default_mailbox):
    response = signed_in(admin).post(
        "/mailboxes/new/", mailbox_form(address="support@sampark.localhost")
    )

    assert response.status_code == 200
    assert "Another mailbox has this address." in response.content.decode()
    assert Mailbox.objects.count() == 1


def test_the_default_mailbox_is_not_offered_for_deletion_and_cannot_be_deleted(
    signed_in, admin, default_mailbox
):
    client = signed_in(admin)

    page = client.get(f"/mailboxes/{default_mailbox.pk}/").content.decode()
    response = client.post(f"/mailboxes/{default_mailbox.pk}/delete/", follow=True)

    assert "/delete/" not in page
    assert "cannot be deleted" in response.content.decode()
    assert Mailbox.objects.filter(pk=default_mailbox.pk).exists()


def test_another_mailbox_is_deleted_after_a_confirmation(signed_in, admin, default_mailbox):
    sales = save_mailbox(address="sales@sampark.test")
    client = signed_in(admin)

    confirm = client.get(f"/mailboxes/{sales.pk}/delete/")
    response = client.post(f"/mailboxes/{sales.pk}/delete/")

    assert confirm.status_code == 200
    assert response.status_code == 302
    assert not Mailbox.objects.filter(pk=sales.pk).exists()


def test_an_agent_cannot_delete_a_mailbox(signed_in, asha, default_mailbox):
    sales = save_mailbox(address="sales@sampark.test")

    response = signed_in(asha).post(f"/mailboxes/{sales.pk}/delete/")

    assert response.status_code == 403
    assert Mailbox.objects.filter(pk=sales.pk).exists()


def test_the_screen_speaks_hindi(signed_in, admin, default_mailbox):
    client = signed_in(admin)

    page = client.get(
        f"/mailboxes/{default_mailbox.pk}/", headers={"accept-language": "hi"}
    ).content.decode()

    assert "मेलबॉक्स" in page
    assert "Test connection" not in page


# --- mail needing attention -----------------------------------------------------------------


def message(sender="Ravi <ravi@example.in>", subject="Router down", to="support@sampark.localhost"):
    built = EmailMessage()
    if sender:
        built["From"] = sender
    built["To"] = to
    built["Subject"] = subject
    built["Message-ID"] = email.utils.make_msgid(domain="example.in")
    built.set_content("Kripya madad karein.")
    return bytes(built)


@pytest.fixture
def looped(default_mailbox):
    """Mail from an address that was one of ours when it came (rejected as a loop)."""
    sales = save_mailbox(address="sales@sampark.test")
    result = ingest(message(sender="sales@sampark.test"), via="pipe")
    assert result.outcome == InboundMessage.Outcome.REJECTED
    return InboundMessage.objects.get(pk=result.inbound_id), sales


def test_the_attention_page_lists_flagged_mail_newest_first(signed_in, meenakshi, default_mailbox):
    ingest(message(sender="", subject="First"), via="pipe")
    ingest(message(sender="", subject="Second"), via="pipe")
    ingest(message(subject="Taken in"), via="pipe")

    page = signed_in(meenakshi).get("/mail/attention/").content.decode()

    assert page.index("Second") < page.index("First")
    assert "Taken in" not in page
    assert "no usable sender address" in page
    assert '<span class="count">2</span>' in page


def test_the_attention_page_pages_by_cursor(signed_in, admin, default_mailbox, monkeypatch):
    from sampark.mail import queries

    monkeypatch.setattr(queries, "ATTENTION_PAGE", 2)
    for n in range(5):
        ingest(message(sender="", subject=f"Broken {n}"), via="pipe")
    client = signed_in(admin)
    seen, path = [], "/mail/attention/"
    while path:
        response = client.get(path)
        text = response.content.decode()
        seen += sorted(
            (n for n in range(5) if f"Broken {n}" in text), key=lambda n: text.index(f"Broken {n}")
        )
        cursor = response.context["page"].next_cursor
        path = f"/mail/attention/?after={cursor}" if cursor else None

    assert seen == [4, 3, 2, 1, 0]


def test_a_bad_cursor_shows_the_first_page(signed_in, admin, default_mailbox):
    response = signed_in(admin).get("/mail/attention/?after=not-ours")

    assert response.status_code == 200


def test_the_attention_page_costs_the_same_queries_for_many_messages(
    signed_in, admin, default_mailbox, django_assert_num_queries
):
    client = signed_in(admin)
    ingest(message(sender=""), via="pipe")
    with CaptureQueriesContext(connection) as few:
        client.get("/mail/attention/")
    for n in range(5):
        ingest(message(sender="", subject=f"Broken {n}"), via="pipe")

    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/mail/attention/")


def test_the_original_downloads_as_an_attachment(signed_in, meenakshi, looped):
    record, _sales = looped

    response = signed_in(meenakshi).get(f"/mail/attention/{record.pk}/original/")

    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"From: sales@sampark.test" in response.content


def test_an_agent_cannot_download_the_original(signed_in, asha, looped):
    record, _sales = looped

    response = signed_in(asha).get(f"/mail/attention/{record.pk}/original/")

    assert response.status_code == 403


def test_mail_not_waiting_has_no_original_here(signed_in, admin, default_mailbox):
    taken = ingest(message(), via="pipe")

    response = signed_in(admin).get(f"/mail/attention/{taken.inbound_id}/original/")

    assert response.status_code == 404


def test_trying_again_after_the_fix_takes_the_message_in_once(signed_in, admin, looped):
    record, sales = looped
    save_mailbox(sales, address="sales-old@sampark.test")  # the fix: no longer our address

    response = signed_in(admin).post(f"/mail/attention/{record.pk}/retry/", follow=True)

    assert "The message is taken in: ticket #" in response.content.decode()
    [stored] = InboundMessage.objects.filter(key=record.key)
    assert stored.outcome == InboundMessage.Outcome.CREATED
    assert not stored.needs_attention
    assert Ticket.objects.filter(subject="Router down").count() == 1
    assert signed_in(admin).post(f"/mail/attention/{record.pk}/retry/").status_code == 404


def test_trying_again_without_a_fix_flags_it_again_once(signed_in, admin, looped):
    record, _sales = looped

    response = signed_in(admin).post(f"/mail/attention/{record.pk}/retry/", follow=True)

    assert "still cannot be taken in" in response.content.decode()
    [stored] = InboundMessage.objects.filter(key=record.key)
    assert stored.needs_attention
    assert stored.outcome == InboundMessage.Outcome.REJECTED
    assert stored.received_at == record.received_at


def test_dismissing_clears_the_flag_and_records_who(signed_in, meenakshi, looped):
    record, _sales = looped

    response = signed_in(meenakshi).post(f"/mail/attention/{record.pk}/dismiss/")

    assert response.status_code == 302
    record.refresh_from_db()
    assert not record.needs_attention
    assert record.dismissed_by == meenakshi
    assert record.dismissed_at is not None


@pytest.mark.parametrize("action", ["retry", "dismiss"])
def test_an_agent_can_neither_retry_nor_dismiss(signed_in, asha, looped, action):
    record, _sales = looped

    response = signed_in(asha).post(f"/mail/attention/{record.pk}/{action}/")

    assert response.status_code == 403
    record.refresh_from_db()
    assert record.needs_attention


def test_actions_need_a_post(signed_in, admin, looped):
    record, _sales = looped

    response = signed_in(admin).get(f"/mail/attention/{record.pk}/dismiss/")

    assert response.status_code == 405


def test_a_message_whose_original_is_gone_stays_flagged(signed_in, admin, looped):
    from django.core.files.storage import default_storage

    record, _sales = looped
    default_storage.delete(record.raw.name)

    response = signed_in(admin).post(f"/mail/attention/{record.pk}/retry/", follow=True)

    assert "The stored original of this message is missing." in response.content.decode()
    record.refresh_from_db()
    assert record.needs_attention
