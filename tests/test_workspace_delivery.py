"""An email reply's delivery state on the ticket page, and undo send, as the agent who wrote
it, another agent, and an agent who may not see the ticket find them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sampark.core import clock
from sampark.mail.models import Mailbox, OutboundMessage, Security
from sampark.mail.services import outbound
from sampark.mail.services.ingest import ingest
from sampark.team.services import set_workspace_preferences
from sampark.tickets import services as tickets
from sampark.tickets.models import Ticket, TicketEvent
from sampark.workspace.models import Draft
from tests.mail_sink import MailSink
from tests.test_mail_ingest import mail

Status = OutboundMessage.Status


@pytest.fixture
def sink():
    server = MailSink().start()
    yield server
    server.stop()


@pytest.fixture
def support(db, sink):
    mailbox = Mailbox.objects.get(is_default=True)
    mailbox.smtp_host, mailbox.smtp_port = "127.0.0.1", sink.port
    mailbox.smtp_security = Security.NONE
    mailbox.save()
    return mailbox


@pytest.fixture
def priya(make_agent):
    return make_agent(role="admin", name="Priya Sharma")


@pytest.fixture
def ticket(support):
    result = ingest(mail(), via="pipe")
    return Ticket.objects.get(number=result.ticket_number)


def page(ticket):
    return reverse("workspace:ticket", args=[ticket.pk])


def undo_url(row):
    return reverse("workspace:ticket_undo_send", args=[row.ticket_id, row.pk])


def state_url(row):
    return reverse("workspace:ticket_delivery", args=[row.ticket_id, row.pk])


def reply(ticket, agent, body="Please restart the router."):
    tickets.add_message(ticket.pk, body=body, agent=agent)
    return OutboundMessage.objects.get(ticket=ticket, kind="reply", event__body=body)


def test_the_author_sees_the_reply_waiting_with_undo(signed_in, priya, ticket):
    client = signed_in(priya)
    with time_machine.travel(clock.now(), tick=False):  # a slow machine must not count down
        row = reply(ticket, priya)
        html = client.get(page(ticket)).content.decode()
    assert f'id="delivery-{row.pk}"' in html
    assert "Sending in 10 s" in html
    assert undo_url(row) in html


def test_another_agent_sees_the_wait_but_no_undo(signed_in, priya, ticket, make_agent):
    row = reply(ticket, priya)
    html = signed_in(make_agent(role="admin")).get(page(ticket)).content.decode()
    assert "Sending in" in html and undo_url(row) not in html


def test_undo_puts_the_text_back_in_the_composer(signed_in, priya, ticket):
    row = reply(ticket, priya, body="Wrong customer, sorry.")
    client = signed_in(priya)
    response = client.post(undo_url(row))
    assert response.status_code == 302 and response["Location"].endswith("#composer")

    html = client.get(response["Location"]).content.decode()
    assert "Taken back; never sent" in html
    assert "The reply was taken back" in html
    composer = html[html.index('id="composer-body"') :]
    assert composer[: composer.index("</textarea>")].endswith("Wrong customer, sorry.")
    assert Draft.objects.get(user=priya, ticket=ticket).body == "Wrong customer, sorry."
    row.refresh_from_db()
    assert row.status == Status.CANCELLED


def test_undo_keeps_a_draft_begun_since(signed_in, priya, ticket):
    row = reply(ticket, priya, body="First try.")
    Draft.objects.create(user=priya, ticket=ticket, body="Second thoughts.")
    signed_in(priya).post(undo_url(row))
    assert Draft.objects.get(user=priya, ticket=ticket).body == "First try.\n\nSecond thoughts."


def test_undo_from_htmx_sends_the_page_to_the_composer(signed_in, priya, ticket):
    row = reply(ticket, priya)
    response = signed_in(priya).post(undo_url(row), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == page(ticket) + "#composer"


def test_undo_after_the_window_says_it_has_left(signed_in, priya, ticket):
    row = reply(ticket, priya)
    client = signed_in(priya)
    with time_machine.travel(clock.now() + timedelta(seconds=30)):
        response = client.post(undo_url(row), follow=True)
    assert "already been sent" in response.content.decode()
    row.refresh_from_db()
    assert row.status == Status.QUEUED
    assert not Draft.objects.filter(user=priya, ticket=ticket).exists()


def test_the_state_follows_the_delivery(signed_in, priya, ticket, sink):
    row = reply(ticket, priya)
    client = signed_in(priya)
    outbound.deliver_due(now=clock.now() + timedelta(seconds=11))
    fragment = client.get(state_url(row)).content.decode()
    assert "Sent" in fragment and "hx-get" not in fragment and "<html" not in fragment


def test_a_failure_shows_its_reason(signed_in, priya, ticket, sink):
    reply(ticket, priya)
    sink.refuse = "550 5.1.1 No such user"
    outbound.deliver_due(now=clock.now() + timedelta(seconds=11))
    html = signed_in(priya).get(page(ticket)).content.decode()
    assert "Failed: " in html and "No such user" in html


def test_a_retry_shows_the_attempt(signed_in, priya, ticket, sink):
    row = reply(ticket, priya)
    sink.stop()
    outbound.deliver_due(now=clock.now() + timedelta(seconds=11))
    fragment = signed_in(priya).get(state_url(row)).content.decode()
    assert "Not delivered yet: retrying, attempt 2" in fragment and "hx-get" in fragment


def test_the_page_speaks_hindi(signed_in, priya, ticket):
    set_workspace_preferences(priya.agent, language="hi")
    reply(ticket, priya)
    html = signed_in(priya).get(page(ticket)).content.decode()
    assert "सेकंड में भेजा जाएगा" in html and "भेजना रद्द करें" in html


def test_an_agent_who_may_not_see_the_ticket_gets_404(
    signed_in, priya, ticket, make_agent, make_group
):
    row = reply(ticket, priya)
    client = signed_in(make_agent(groups=[make_group(name="Elsewhere")]))
    assert client.get(state_url(row)).status_code == 404
    assert client.post(undo_url(row)).status_code == 404
    row.refresh_from_db()
    assert row.status == Status.QUEUED


def test_an_email_of_another_ticket_is_missing_here(signed_in, priya, ticket, make_ticket):
    row = reply(ticket, priya)
    other = make_ticket()
    url = reverse("workspace:ticket_undo_send", args=[other.pk, row.pk])
    assert signed_in(priya).post(url).status_code == 404


def test_undo_needs_a_post(signed_in, priya, ticket):
    row = reply(ticket, priya)
    assert signed_in(priya).get(undo_url(row)).status_code == 405


def test_the_page_reads_delivery_in_one_query_however_many_replies(
    signed_in, priya, ticket, django_assert_max_num_queries
):
    client = signed_in(priya)
    reply(ticket, priya, body="Answer 0")
    client.get(page(ticket))
    with CaptureQueriesContext(connection) as one:
        client.get(page(ticket))
    for n in range(1, 8):
        reply(ticket, priya, body=f"Answer {n}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(page(ticket))
    assert TicketEvent.objects.filter(ticket=ticket, kind="message_out").count() == 8


def test_sending_an_email_reply_says_how_long_it_can_be_taken_back(signed_in, priya, ticket):
    client = signed_in(priya)
    ticket.refresh_from_db()
    with time_machine.travel(clock.now(), tick=False):
        sent = client.post(
            reverse("workspace:ticket_send", args=[ticket.pk]),
            {"kind": "reply", "body": "Try a restart", "version": ticket.version},
            follow=True,
        )
    html = sent.content.decode()
    assert "The email leaves in 10 s: Undo under the reply takes it back." in html
    note = client.post(
        reverse("workspace:ticket_send", args=[ticket.pk]),
        {"kind": "note", "body": "Router model RX-2", "version": ticket.version + 1},
        follow=True,
    )
    assert "Sent." in note.content.decode() and "leaves in" not in note.content.decode()
