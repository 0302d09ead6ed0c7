"""Email out (sampark.mail.services.outbound): replies threaded so the customer's client keeps
the conversation, acknowledgements that never start a loop, undo send, and delivery that
retries and is never silently lost. Every message goes through a real SMTP server (an aiosmtpd
sink on a loopback port, tests/mail_sink.py)."""

from __future__ import annotations

import email.utils
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings

from sampark.core import clock
from sampark.core.errors import Conflict, Forbidden, NotFound
from sampark.customers.models import Identity
from sampark.customers.services import mark_bounced
from sampark.mail.models import InboundMessage, Mailbox, MailReference, OutboundMessage, Security
from sampark.mail.services import matching, outbound
from sampark.mail.services.ingest import ingest
from sampark.notifications.models import Notification
from sampark.tickets import services as tickets
from sampark.tickets.models import Ticket, TicketEvent
from tests.mail_sink import MailSink
from tests.test_mail_ingest import mail, message_id_of

Kind = TicketEvent.Kind
Status = OutboundMessage.Status
SUPPORT = "support@sampark.localhost"


@pytest.fixture
def sink():
    server = MailSink().start()
    yield server
    server.stop()


@pytest.fixture
def support(db, sink):
    """The default mailbox, sending through the sink."""
    mailbox = Mailbox.objects.get(is_default=True)
    mailbox.display_name = "Acme Support"
    mailbox.smtp_host, mailbox.smtp_port = "127.0.0.1", sink.port
    mailbox.smtp_security = Security.NONE
    mailbox.save()
    return mailbox


@pytest.fixture
def agent(make_agent):
    return make_agent(role="admin", name="Priya Sharma")


def later(seconds: float):
    return clock.now() + timedelta(seconds=seconds)


def open_by_mail(*body, **kwargs) -> tuple[Ticket, bytes]:
    raw = mail(*body, **kwargs)
    result = ingest(raw, via="pipe")
    assert result.outcome == InboundMessage.Outcome.CREATED, result
    return Ticket.objects.get(number=result.ticket_number), raw


def reply(ticket, agent, body="Please restart the router and tell us what the lights show."):
    return tickets.add_message(ticket.pk, body=body, agent=agent)


def sent_reply(ticket) -> OutboundMessage:
    return OutboundMessage.objects.get(ticket=ticket, kind=OutboundMessage.Kind.REPLY)


# --- replies ------------------------------------------------------------------------------


def test_a_public_reply_is_queued_with_the_reply_and_waits_its_undo_window(support, agent):
    ticket, _raw = open_by_mail()
    event = reply(ticket, agent)

    row = sent_reply(ticket)
    assert row.event_id == event.pk and row.author_id == agent.pk
    assert row.status == Status.QUEUED and row.attempts == 0
    assert row.next_attempt_at == event.created_at + timedelta(seconds=support.undo_seconds)


def test_nothing_leaves_before_the_undo_window_ends(support, agent, sink):
    ticket, _raw = open_by_mail()
    reply(ticket, agent)

    outbound.deliver_due()
    assert [m["Auto-Submitted"] for m in sink.messages] == ["auto-replied"]  # the ack only
    assert sent_reply(ticket).status == Status.QUEUED

    outbound.deliver_due(now=later(support.undo_seconds + 1))
    assert len(sink.messages) == 2 and sent_reply(ticket).status == Status.SENT


def test_a_reply_goes_out_from_the_mailbox_threaded_to_the_customers_message(
    support, agent, sink, make_contact
):
    ticket, raw = open_by_mail(cc="Sunil Rao <sunil@example.in>")
    customer_id = message_id_of(raw)
    reply(ticket, agent)
    outbound.deliver_due(now=later(11))

    row = sent_reply(ticket)
    message = sink.messages[-1]
    assert message["From"] == f'"Acme Support" <{SUPPORT}>' or message["From"] == (
        f"Acme Support <{SUPPORT}>"
    )
    assert message["To"] == "ravi.verma@example.in"
    assert message["Cc"] == "sunil@example.in"
    assert message["Reply-To"] == matching.reply_address(support, ticket)
    assert message["Subject"] == f"Re: Router restarts every hour [#{ticket.number}]"
    assert message["Message-ID"] == f"<{row.message_id}>"
    assert message["In-Reply-To"] == f"<{customer_id}>"
    assert f"<{customer_id}>" in message["References"].split()
    assert message["Auto-Submitted"] is None
    assert sink.received[-1].mail_from == SUPPORT
    assert sorted(sink.received[-1].rcpt_tos) == ["ravi.verma@example.in", "sunil@example.in"]
    assert MailReference.objects.filter(
        digest=matching.reference_digest(row.message_id), ticket=ticket, outbound=True
    ).exists()


def test_the_customers_answer_to_our_reply_goes_on_the_same_ticket(support, agent, sink):
    ticket, _raw = open_by_mail()
    reply(ticket, agent)
    outbound.deliver_due(now=later(11))
    ours = sink.messages[-1]

    answer = mail(
        "Lights are all green now, thanks!",
        subject="Different words entirely",
        headers={"In-Reply-To": ours["Message-ID"], "References": ours["References"]},
    )
    result = ingest(answer, via="pipe")

    assert result.outcome == InboundMessage.Outcome.APPENDED
    assert result.ticket_number == ticket.number
    last = ticket.events.filter(kind=Kind.MESSAGE_IN).order_by("-id").first()
    assert last.body.startswith("Lights are all green now")


def test_the_signed_reply_to_finds_the_ticket_when_the_client_drops_the_headers(
    support, agent, sink
):
    ticket, _raw = open_by_mail()
    reply(ticket, agent)
    outbound.deliver_due(now=later(11))
    reply_to = sink.messages[-1]["Reply-To"]

    result = ingest(mail("Still broken.", to=reply_to, subject="hello"), via="pipe")
    assert result.ticket_number == ticket.number


def test_the_quoted_history_is_in_the_contacts_language_and_time_zone(support, agent, sink):
    ticket, _raw = open_by_mail(
        "मेरा राउटर हर घंटे बंद हो जाता है। कृपया मदद करें।",
        subject="राउटर बार-बार बंद हो रहा है",
    )
    assert ticket.requester.language == "hi"
    reply(ticket, agent, body="कृपया राउटर को दोबारा चालू करें।")
    outbound.deliver_due(now=later(11))

    text = sink.messages[-1].get_body(("plain",)).get_content()
    assert text.startswith("कृपया राउटर को दोबारा चालू करें।")
    assert "Ravi Verma ने लिखा:" in text
    assert "> मेरा राउटर हर घंटे बंद हो जाता है।" in text
    assert sink.messages[-1]["Content-Language"] == "hi"


def test_the_quoted_history_is_newest_first_and_leaves_out_the_reply_itself(support, agent):
    ticket, _raw = open_by_mail("First message.")
    reply(ticket, agent, body="First answer.")
    tickets.add_message(ticket.pk, body="Second message.", contact=ticket.requester)
    reply(ticket, agent, body="Second answer.")

    body = OutboundMessage.objects.filter(kind="reply").order_by("id").last().body
    assert body.index("Second answer.") < body.index("> Second message.")
    assert body.index("> Second message.") < body.index("> First answer.")
    assert body.index("> First answer.") < body.index("> First message.")
    assert "Priya Sharma (Acme Support) wrote:" in body
    assert body.count("Second answer.") == 1


def test_a_reply_carries_its_attachments(support, agent, sink):
    ticket, _raw = open_by_mail()
    tickets.add_message(
        ticket.pk,
        body="The manual is attached.",
        agent=agent,
        attachments=[tickets.NewAttachment("manual.txt", "text/plain", b"Step 1: unplug.")],
    )
    outbound.deliver_due(now=later(11))

    parts = list(sink.messages[-1].iter_attachments())
    assert [(p.get_filename(), p.get_content()) for p in parts] == [
        ("manual.txt", "Step 1: unplug.")
    ]


def test_a_bounced_follower_is_left_out_of_cc(support, agent, sink):
    ticket, _raw = open_by_mail(cc="sunil@example.in, meera@example.in")
    mark_bounced("meera@example.in", reason="5.1.1 no such user", at=clock.now())
    reply(ticket, agent)
    assert sent_reply(ticket).cc == ["sunil@example.in"]


def test_a_reply_on_a_ticket_that_never_saw_email_sends_nothing(db, support, agent, make_ticket):
    ticket = make_ticket(channel="phone")
    reply(ticket, agent)
    assert not OutboundMessage.objects.filter(ticket=ticket).exists()


def test_internal_notes_send_nothing(support, agent):
    ticket, _raw = open_by_mail()
    tickets.add_message(ticket.pk, body="Customer sounds upset.", agent=agent, public=False)
    assert not OutboundMessage.objects.filter(ticket=ticket, kind="reply").exists()


def test_queueing_a_reply_costs_a_bounded_number_of_queries(
    support, agent, django_assert_max_num_queries
):
    ticket, _raw = open_by_mail()
    for n in range(8):
        tickets.add_message(ticket.pk, body=f"Message {n}", contact=ticket.requester)
        reply(ticket, agent, body=f"Answer {n}")
    event = tickets.add_message(ticket.pk, body="One more.", agent=agent, public=False)
    last = reply(ticket, agent, body="Last answer.")
    OutboundMessage.objects.filter(event=last).delete()

    with django_assert_max_num_queries(12):
        outbound.queue_reply(last.pk)
    assert event.pk < last.pk


# --- acknowledgements ---------------------------------------------------------------------


def test_a_new_ticket_from_email_is_acknowledged_in_english(support, sink):
    ticket, raw = open_by_mail(sender="Ravi Verma <ravi@example.com>", body="My router restarts.")
    outbound.deliver_due()

    [message] = sink.messages
    assert message["Subject"] == (
        f"We received your request [#{ticket.number}]: Router restarts every hour"
    )
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["In-Reply-To"] == f"<{message_id_of(raw)}>"
    text = message.get_body(("plain",)).get_content()
    assert f"opened ticket #{ticket.number}" in text and "Hello Ravi Verma" in text


def test_a_hindi_writer_is_acknowledged_in_hindi(support, sink):
    ticket, _raw = open_by_mail(
        "मेरा राउटर हर घंटे बंद हो जाता है। कृपया मदद करें।", subject="राउटर बंद हो रहा है"
    )
    outbound.deliver_due()

    [message] = sink.messages
    assert message["Subject"].strip().startswith(f"हमें आपका अनुरोध मिल गया है [#{ticket.number}]")
    text = message.get_body(("plain",)).get_content()
    assert f"टिकट #{ticket.number}" in text and "नमस्ते" in text


@pytest.mark.parametrize(
    ("sender", "headers"),
    [
        ("Ravi <ravi@example.in>", {"Auto-Submitted": "auto-generated"}),
        ("Ravi <ravi@example.in>", {"X-Auto-Response-Suppress": "All"}),
        ("Ravi <ravi@example.in>", {"Precedence": "bulk"}),
        ("Ravi <ravi@example.in>", {"Precedence": "list"}),
        ("Ravi <ravi@example.in>", {"Precedence": "junk"}),
        ("Ravi <ravi@example.in>", {"List-Id": "<routers.lists.example.in>"}),
        ("Ravi <ravi@example.in>", {"Return-Path": "<>"}),
        ("Mail Delivery <mailer-daemon@example.in>", {}),
        ("Alerts <noreply@example.in>", {}),
    ],
    ids=[
        "auto-submitted",
        "x-auto-response-suppress",
        "precedence-bulk",
        "precedence-list",
        "precedence-junk",
        "list-id",
        "null-return-path",
        "mailer-daemon",
        "noreply",
    ],
)
def test_automatic_and_bulk_mail_is_never_acknowledged(support, sender, headers):
    result = ingest(mail(sender=sender, headers=headers), via="pipe")
    assert result.ticket_number, result
    assert not OutboundMessage.objects.filter(kind="ack").exists()


def test_mail_from_our_own_address_is_never_acknowledged(support, make_group):
    other = Mailbox.objects.create(name="Sales", address="sales@sampark.localhost")
    result = ingest(mail(sender=f"Sales <{other.address}>"), via="pipe")
    assert not OutboundMessage.objects.exists()
    assert result.outcome == InboundMessage.Outcome.REJECTED


def test_a_mailbox_without_acknowledgements_sends_none(support):
    support.auto_reply = False
    support.save()
    open_by_mail()
    assert not OutboundMessage.objects.exists()


@override_settings(SAMPARK_MAIL_AUTO_REPLIES_PER_SENDER="3/h")
def test_one_sender_gets_at_most_the_allowed_acknowledgements(support):
    for n in range(5):
        open_by_mail(subject=f"Problem {n}")
    assert OutboundMessage.objects.filter(kind="ack").count() == 3
    open_by_mail(sender="Someone Else <else@example.in>")
    assert OutboundMessage.objects.filter(kind="ack").count() == 4


# --- delivery -----------------------------------------------------------------------------


@override_settings(SAMPARK_MAIL_RETRY_MINUTES=(1, 5, 15))
def test_a_send_that_fails_retries_with_growing_pauses_until_the_server_is_back(
    support, agent, sink
):
    ticket, _raw = open_by_mail()
    row = OutboundMessage.objects.get(ticket=ticket, kind="ack")
    sink.stop()

    start = clock.now()
    outbound.deliver_due(now=start)
    row.refresh_from_db()
    assert row.status == Status.RETRYING and row.attempts == 1 and row.last_error
    first_pause = row.next_attempt_at - start
    assert timedelta(seconds=59) < first_pause <= timedelta(minutes=1, seconds=5)

    outbound.deliver_due(now=row.next_attempt_at)
    row.refresh_from_db()
    assert row.attempts == 2
    assert timedelta(minutes=4) < row.next_attempt_at - clock.now() <= timedelta(minutes=5)

    outbound.deliver_due(now=row.next_attempt_at - timedelta(seconds=1))  # not due yet
    row.refresh_from_db()
    assert row.attempts == 2

    sink.start()
    outbound.deliver_due(now=row.next_attempt_at)
    row.refresh_from_db()
    assert row.status == Status.SENT and row.last_error == "" and row.attempts == 3
    assert len(sink.messages) == 1


@override_settings(SAMPARK_MAIL_RETRY_MINUTES=(1,))
def test_a_send_given_up_after_the_last_try_shows_on_the_ticket(support, agent, sink):
    ticket, _raw = open_by_mail()
    sink.stop()
    outbound.deliver_due()
    row = OutboundMessage.objects.get(ticket=ticket)
    outbound.deliver_due(now=row.next_attempt_at)
    row.refresh_from_db()
    assert row.status == Status.FAILED and row.attempts == 2
    assert ticket.events.filter(kind=Kind.BOUNCE, data__outbound=row.pk).exists()


def test_a_permanent_refusal_fails_at_once_and_tells_the_owner(support, agent, sink):
    ticket, _raw = open_by_mail()
    outbound.deliver_due()  # the acknowledgement
    reply(ticket, agent)
    sink.refuse = "550 5.1.1 <ravi.verma@example.in>: No such user"
    outbound.deliver_due(now=later(11))

    row = sent_reply(ticket)
    assert row.status == Status.FAILED and row.attempts == 1
    assert "550" in row.last_error and "No such user" in row.last_error
    notice = ticket.events.get(kind=Kind.BOUNCE)
    assert notice.data["outbound"] == row.pk and "No such user" in notice.body
    assert Notification.objects.filter(recipient=agent, ticket=ticket, kind="mail_failed").exists()


def test_a_worker_that_dies_after_sending_sends_again_after_the_lease(support, sink):
    """At least once: the claim is durable before the send, the mark comes after it."""
    ticket, _raw = open_by_mail()
    [claimed] = outbound._claim(clock.now(), 10)  # ... sent, and the worker dies here
    assert claimed.attempts == 1

    outbound.deliver_due(now=later(60))
    assert sink.messages == []  # still leased
    outbound.deliver_due(now=later(outbound.LEASE.total_seconds() + 1))
    assert len(sink.messages) == 1
    assert OutboundMessage.objects.get(ticket=ticket).status == Status.SENT


def test_two_workers_never_send_the_same_row(support, sink):
    open_by_mail()
    first = outbound._claim(clock.now(), 10)
    second = outbound._claim(clock.now(), 10)
    assert len(first) == 1 and second == []


# --- undo send ----------------------------------------------------------------------------


def test_undo_within_the_window_takes_the_reply_back(support, agent, sink):
    ticket, _raw = open_by_mail()
    event = reply(ticket, agent, body="Oops, wrong customer.")
    row = sent_reply(ticket)

    withdrawn = outbound.undo_send(agent, row.pk)

    assert withdrawn.text == "Oops, wrong customer." and withdrawn.ticket_id == ticket.pk
    row.refresh_from_db()
    assert row.status == Status.CANCELLED and row.next_attempt_at is None
    marker = ticket.events.get(kind=Kind.REPLY_WITHDRAWN)
    assert marker.data == {"event": event.pk, "reply_at": event.created_at.isoformat()}
    assert marker.actor_id == agent.pk
    outbound.deliver_due(now=later(3600))
    assert all(m["Auto-Submitted"] == "auto-replied" for m in sink.messages)


def test_a_withdrawn_reply_is_not_quoted_in_the_next_one(support, agent):
    ticket, _raw = open_by_mail()
    reply(ticket, agent, body="Oops, wrong customer.")
    outbound.undo_send(agent, sent_reply(ticket).pk)
    reply(ticket, agent, body="The right answer.")
    body = OutboundMessage.objects.filter(kind="reply").order_by("id").last().body
    assert "Oops" not in body


def test_undo_after_the_window_says_it_has_left(support, agent):
    ticket, _raw = open_by_mail()
    reply(ticket, agent)
    row = sent_reply(ticket)
    with time_machine.travel(later(support.undo_seconds + 1)), pytest.raises(Conflict):
        outbound.undo_send(agent, row.pk)
    row.refresh_from_db()
    assert row.status == Status.QUEUED
    assert not ticket.events.filter(kind=Kind.REPLY_WITHDRAWN).exists()


def test_undo_once_the_worker_claimed_it_says_it_has_left(support, agent):
    ticket, _raw = open_by_mail()
    reply(ticket, agent)
    row = sent_reply(ticket)
    outbound._claim(later(11), 10)
    with pytest.raises(Conflict):
        outbound.undo_send(agent, row.pk)


def test_only_the_author_may_take_a_reply_back(support, agent, make_agent):
    ticket, _raw = open_by_mail()
    reply(ticket, agent)
    with pytest.raises(Forbidden):
        outbound.undo_send(make_agent(role="admin"), sent_reply(ticket).pk)


def test_an_agent_who_cannot_see_the_ticket_is_told_it_is_missing(
    support, agent, make_agent, make_group
):
    ticket, _raw = open_by_mail()
    reply(ticket, agent)
    outsider = make_agent(groups=[make_group(name="Elsewhere")])
    with pytest.raises(NotFound):
        outbound.undo_send(outsider, sent_reply(ticket).pk)


def test_mail_to_an_address_that_became_unknown_still_has_a_requester_address(support, agent):
    """The identity the requester wrote from is the one we answer, even after a merge left
    the contact with several addresses."""
    ticket, _raw = open_by_mail()
    Identity.objects.create(contact=ticket.requester, kind="email", value="ravi@work.example.in")
    reply(ticket, agent)
    assert sent_reply(ticket).recipients == ["ravi.verma@example.in"]
    assert email.utils.parseaddr(sent_reply(ticket).from_address)[1] == SUPPORT


# --- the API ------------------------------------------------------------------------------


def test_the_api_lists_a_tickets_email_with_its_delivery_state(support, agent, api_as, sink):
    ticket, _raw = open_by_mail()
    reply(ticket, agent)
    outbound.deliver_due()

    response = api_as(agent).get(f"/api/v1/tickets/{ticket.pk}/outbound")

    assert response.status_code == 200
    held, ack = response.json()
    assert (
        ack["kind"] == "ack" and ack["state"] == "sent" and ack["to"] == ["ravi.verma@example.in"]
    )
    assert held["kind"] == "reply" and held["state"] == "holding"
    assert 0 < held["seconds_left"] <= support.undo_seconds and held["author"] == agent.pk


def test_the_api_takes_a_reply_back_for_its_author_only_and_in_time(
    support, agent, api_as, make_agent
):
    ticket, _raw = open_by_mail()
    reply(ticket, agent, body="Not this one.")
    row = sent_reply(ticket)
    url = f"/api/v1/tickets/{ticket.pk}/outbound/{row.pk}/undo"

    assert api_as(make_agent(role="admin")).post(url).status_code == 403
    response = api_as(agent).post(url)
    assert response.status_code == 200, response.content
    assert response.json()["text"] == "Not this one."
    assert response.json()["outbound"]["state"] == "withdrawn"
    assert api_as(agent).post(url).status_code == 409


def test_the_api_says_a_reply_that_left_can_no_longer_be_taken_back(support, agent, api_as):
    ticket, _raw = open_by_mail()
    reply(ticket, agent)
    row = sent_reply(ticket)
    outbound.deliver_due(now=later(11))
    response = api_as(agent).post(f"/api/v1/tickets/{ticket.pk}/outbound/{row.pk}/undo")
    assert response.status_code == 409
    assert "already been sent" in response.json()["detail"]


def test_the_api_answers_an_email_of_a_ticket_out_of_scope_like_a_missing_ticket(
    support, agent, api_as, make_agent, make_group
):
    ticket, _raw = open_by_mail()
    reply(ticket, agent)
    row = sent_reply(ticket)
    outsider = api_as(make_agent(groups=[make_group(name="Elsewhere")]))

    refused = outsider.post(f"/api/v1/tickets/{ticket.pk}/outbound/{row.pk}/undo")
    missing = outsider.post(f"/api/v1/tickets/999999/outbound/{row.pk}/undo")
    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json()
    assert outsider.get(f"/api/v1/tickets/{ticket.pk}/outbound").status_code == 404
    row.refresh_from_db()
    assert row.status == Status.QUEUED


def test_the_api_does_not_reach_an_email_through_another_ticket(
    support, agent, api_as, make_ticket
):
    ticket, _raw = open_by_mail()
    reply(ticket, agent)
    other = make_ticket()
    response = api_as(agent).post(
        f"/api/v1/tickets/{other.pk}/outbound/{sent_reply(ticket).pk}/undo"
    )
    assert response.status_code == 404


def test_the_worker_sends_what_is_due_every_round(support, sink):
    from sampark.serving.worker import Worker

    open_by_mail()
    Worker(poll_seconds=0, sweep_seconds=3600).send_mail()
    assert len(sink.messages) == 1
    assert OutboundMessage.objects.get().status == Status.SENT


def test_a_reply_whose_email_failed_to_queue_is_queued_after_commit(
    support, agent, monkeypatch, django_capture_on_commit_callbacks
):
    """Never silently lost: the reply commits, and its email is queued right after."""
    ticket, _raw = open_by_mail()
    real = outbound._thread_of
    calls = []

    def fails_once(ticket):
        calls.append(ticket.pk)
        if len(calls) == 1:
            raise RuntimeError("the database hiccupped")
        return real(ticket)

    monkeypatch.setattr(outbound, "_thread_of", fails_once)
    with django_capture_on_commit_callbacks(execute=True):
        event = reply(ticket, agent)
    assert len(calls) == 2
    assert sent_reply(ticket).event_id == event.pk


def test_a_follow_up_ticket_from_email_is_acknowledged_too(support, agent):
    ticket, raw = open_by_mail()
    for status in ("solved", "closed"):
        version = Ticket.objects.get(pk=ticket.pk).version
        tickets.update_ticket(ticket.pk, actor=agent, expected_version=version, status=status)
    answer = mail("It broke again.", headers={"In-Reply-To": f"<{message_id_of(raw)}>"})
    result = ingest(answer, via="pipe")
    assert result.outcome == InboundMessage.Outcome.FOLLOW_UP
    acks = OutboundMessage.objects.filter(kind="ack").order_by("id")
    assert [a.ticket.number for a in acks] == [ticket.number, result.ticket_number]


def test_a_withdrawn_reply_is_no_response(support, agent):
    from sampark.sla.services import HISTORY_KINDS, history_of

    ticket, _raw = open_by_mail()
    reply(ticket, agent)
    assert Ticket.objects.get(pk=ticket.pk).first_responded_at is not None

    outbound.undo_send(agent, sent_reply(ticket).pk)

    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.first_responded_at is None
    rows = ticket.events.filter(kind__in=HISTORY_KINDS).order_by("created_at", "id")
    history = history_of(ticket, rows.values_list("kind", "created_at", "data"))
    assert history.responses == []


def test_withdrawing_a_later_reply_keeps_the_first_response(support, agent):
    ticket, _raw = open_by_mail()
    first = reply(ticket, agent, body="First answer.")
    reply(ticket, agent, body="Second answer.")
    second = OutboundMessage.objects.get(event__body="Second answer.")
    outbound.undo_send(agent, second.pk)
    assert Ticket.objects.get(pk=ticket.pk).first_responded_at == first.created_at


def test_a_round_with_nothing_due_is_one_read(support, agent, django_assert_num_queries):
    ticket, _raw = open_by_mail()
    outbound.deliver_due()
    reply(ticket, agent)  # waits in its undo window
    with django_assert_num_queries(1):
        assert not outbound.deliver_due()


@pytest.mark.django_db(transaction=True)
@override_settings(SAMPARK_MAIL_AUTO_REPLIES_PER_SENDER="off")
def test_two_workers_at_once_send_every_message_exactly_once(support, sink):
    import threading

    from django.db import connection

    for n in range(12):
        open_by_mail(sender=f"Customer {n} <customer{n}@example.in>")
    start = threading.Barrier(2, timeout=30)
    problems = []

    def work() -> None:
        try:
            start.wait()
            while outbound.deliver_due(limit=3):
                pass
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            problems.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    assert problems == []
    ids = sorted(m["Message-ID"] for m in sink.messages)
    assert len(ids) == 12 and len(set(ids)) == 12
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {Status.SENT}
