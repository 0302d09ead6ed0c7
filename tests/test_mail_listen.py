"""Mail in from an MTA (sampark.mail.listen): real SMTP and LMTP conversations through
``smtplib`` with the listener on a free loopback port. The listener says 250 only once the
message is stored, 451 when it cannot be stored (so the MTA retries), 552 when it is too
large, and refuses recipients that are none of our mailboxes."""

from __future__ import annotations

import os
import signal
import smtplib
import sqlite3
import subprocess
import sys

import pytest
from django.db import connection, connections

from sampark.mail.listen import Listener
from sampark.mail.models import InboundMessage, Mailbox
from sampark.tickets.models import Ticket
from tests.dovecot import free_port
from tests.test_mail_ingest import mail as message

pytestmark = pytest.mark.django_db(transaction=True)

SUPPORT = "support@sampark.localhost"
SENDER = "ravi.verma@example.in"


def mail(**fields) -> bytes:
    """A message as it travels over SMTP: lines end in CRLF (smtplib sends bytes as given)."""
    return message(**fields).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@pytest.fixture
def listen():
    """``listen(lmtp=False, accept_any=False)``: a running listener; its port."""
    running = []

    def start(**options) -> int:
        port = free_port()
        listener = Listener(host="127.0.0.1", port=port, **options)
        listener.start()
        running.append(listener)
        return port

    yield start
    for listener in running:
        listener.stop()


def test_an_smtp_delivery_is_stored_before_the_listener_says_250(listen):
    port = listen()
    raw = mail(subject="Invoice copy needed")

    with smtplib.SMTP("127.0.0.1", port) as smtp:
        refused = smtp.sendmail(SENDER, [SUPPORT], raw)

    assert refused == {}
    stored = InboundMessage.objects.get()  # no waiting: 250 came after the commit
    assert stored.via == InboundMessage.Via.LISTENER
    assert stored.mailbox.address == SUPPORT
    assert Ticket.objects.get(pk=stored.ticket_id).subject == "Invoice copy needed"


def test_the_envelope_recipient_chooses_the_mailbox(listen, make_group):
    billing = Mailbox.objects.create(
        name="Billing", address="billing@sampark.localhost", group=make_group()
    )
    port = listen()

    with smtplib.SMTP("127.0.0.1", port) as smtp:
        # The headers say support@; the MTA delivers it to billing+invoices@.
        smtp.sendmail(SENDER, ["billing+invoices@sampark.localhost"], mail(to=SUPPORT))

    assert InboundMessage.objects.get().mailbox == billing


def test_an_unknown_recipient_is_refused_and_the_others_still_get_the_mail(listen):
    port = listen()

    with smtplib.SMTP("127.0.0.1", port) as smtp:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            smtp.sendmail(SENDER, ["nobody@sampark.localhost"], mail())
        partly = smtp.sendmail(SENDER, ["nobody@sampark.localhost", SUPPORT], mail())

    assert refused.value.recipients["nobody@sampark.localhost"][0] == 550
    assert partly["nobody@sampark.localhost"][0] == 550
    assert InboundMessage.objects.count() == 1


def test_with_accept_any_mail_to_an_unknown_address_goes_to_the_default_mailbox(listen):
    port = listen(accept_any=True)

    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.sendmail(SENDER, ["sales@sampark.localhost"], mail(to="sales@sampark.localhost"))

    assert InboundMessage.objects.get().mailbox.is_default


def test_a_message_over_the_limit_is_refused_with_552(listen, settings):
    settings.SAMPARK_MAIL_MAX_BYTES = 2000
    port = listen()

    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.ehlo()
        smtp.mail(SENDER)  # without SIZE=, so that the limit is met at DATA
        smtp.rcpt(SUPPORT)
        code, _text = smtp.data(mail(body="बहुत लंबा संदेश।\n" * 200))

    assert code == 552
    assert not InboundMessage.objects.exists()


def test_lmtp_answers_once_per_recipient_and_stores_the_message_once(listen, make_group):
    Mailbox.objects.create(name="Billing", address="billing@sampark.localhost")
    port = listen(lmtp=True)

    with smtplib.LMTP("127.0.0.1", port) as lmtp:
        lmtp.ehlo()  # LHLO
        lmtp.mail(SENDER)
        assert lmtp.rcpt(SUPPORT)[0] == 250
        assert lmtp.rcpt("nobody@sampark.localhost")[0] == 550
        assert lmtp.rcpt("billing@sampark.localhost")[0] == 250
        first = lmtp.data(mail())
        second = lmtp.getreply()

    assert first[0] == 250 and second[0] == 250
    assert InboundMessage.objects.count() == 1


def test_a_message_twice_through_the_listener_is_stored_once(listen):
    port = listen()
    raw = mail()

    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.sendmail(SENDER, [SUPPORT], raw)
        smtp.mail(SENDER)
        smtp.rcpt(SUPPORT)
        code, text = smtp.data(raw)

    assert code == 250 and b"duplicate" in text
    assert InboundMessage.objects.count() == 1


def test_451_while_the_database_cannot_store_then_250_when_it_can(listen, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("the database is made unavailable by holding SQLite's write lock")
    # New connections (the listener's threads) give up on a locked database after 1 s.
    monkeypatch.setitem(connections.settings["default"]["OPTIONS"], "timeout", 1)
    port = listen()
    raw = mail()
    blocker = sqlite3.connect(connection.settings_dict["NAME"], timeout=1)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.ehlo()
            smtp.mail(SENDER)
            smtp.rcpt(SUPPORT)
            locked = smtp.data(raw)
    finally:
        blocker.rollback()
        blocker.close()

    with smtplib.SMTP("127.0.0.1", port) as smtp:
        refused = smtp.sendmail(SENDER, [SUPPORT], raw)

    assert locked[0] == 451
    assert refused == {}
    assert InboundMessage.objects.count() == 1


@pytest.mark.slow
def test_sampark_mail_listen_takes_mail_until_it_is_stopped(shared_database_url):
    port = free_port()
    env = {**os.environ, "SAMPARK_DATABASE_URL": shared_database_url}
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "sampark.cli", "mail", "listen", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout.readline().startswith(
            f"Sampark takes in mail by SMTP on 127.0.0.1:{port}"
        )
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            refused = smtp.sendmail(SENDER, [SUPPORT], mail(subject="From Postfix"))
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(30)

    assert refused == {} and code == 0
    assert InboundMessage.objects.get().subject == "From Postfix"
