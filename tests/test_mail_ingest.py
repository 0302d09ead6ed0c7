"""Email into tickets (sampark.mail.services.ingest): every message stored once, threaded to
its ticket, and never dropped. The messages are built here; the parser has its own tests
(test_mail_parsing.py) and the real-world corpus test_mail_corpus.py."""

from __future__ import annotations

import email.utils
import hashlib
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sampark.cli import main as sampark
from sampark.customers.models import Identity
from sampark.customers.services import save_organization
from sampark.mail.models import InboundMessage, Mailbox, MailReference, OutboundMessage
from sampark.mail.services import matching
from sampark.mail.services.ingest import ingest
from sampark.tickets import services as tickets
from sampark.tickets.models import Attachment, Status, Ticket, TicketEvent
from tests.mail_sink import dsn

Kind = TicketEvent.Kind
Outcome = InboundMessage.Outcome
SUPPORT = "support@sampark.localhost"
# The smallest PNG there is: a 1×1 transparent pixel.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def mail(
    body="Mera router baar baar restart ho raha hai, kripya madad karein.",
    *,
    sender="Ravi Verma <ravi.verma@example.in>",
    to=SUPPORT,
    subject="Router restarts every hour",
    message_id: str | None = "",
    cc: str = "",
    headers: dict | None = None,
    attachments=(),
) -> bytes:
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = email.utils.format_datetime(email.utils.localtime())
    if message_id is not None:
        message["Message-ID"] = message_id or email.utils.make_msgid(domain="example.in")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for filename, maintype, subtype, data, cid in attachments:
        if cid:
            message.add_related(data, maintype=maintype, subtype=subtype, cid=f"<{cid}>")
        else:
            message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)


def message_id_of(raw: bytes) -> str:
    return email.message_from_bytes(raw)["Message-ID"].strip("<>")


@pytest.fixture
def support(db):
    return Mailbox.objects.get(is_default=True)


def test_a_new_message_opens_a_ticket_for_its_sender(support):
    raw = mail()
    result = ingest(raw, via="pipe")
    assert result.outcome == Outcome.CREATED and result.line().startswith("stored as ticket #")
    ticket = Ticket.objects.get(number=result.ticket_number)
    assert ticket.channel == "email" and ticket.subject == "Router restarts every hour"
    assert ticket.group_id == support.group_id
    assert ticket.requester.identities.get(kind="email").value == "ravi.verma@example.in"
    assert ticket.requester.name == "Ravi Verma"
    message = ticket.events.get(kind=Kind.MESSAGE_IN)
    assert message.body.startswith("Mera router") and message.data["mail"] == result.inbound_id
    assert message.data["language"] == "hinglish"
    stored = InboundMessage.objects.get(pk=result.inbound_id)
    assert (stored.outcome, stored.mailbox, stored.ticket, stored.event) == (
        Outcome.CREATED,
        support,
        ticket,
        message,
    )
    assert stored.raw.read() == raw and not stored.needs_attention
    assert MailReference.objects.filter(
        digest=matching.reference_digest(message_id_of(raw)), ticket=ticket
    ).exists()


def test_the_organization_comes_from_the_senders_domain(db):
    organization = save_organization(name="Verma Traders", domains=["vermatraders.in"])
    result = ingest(mail(sender="accounts@vermatraders.in"), via="pipe")
    assert Ticket.objects.get(number=result.ticket_number).organization == organization


def test_a_message_in_devanagari_makes_a_hindi_speaking_contact(db):
    result = ingest(
        mail("मेरा बिल दो बार कट गया है, कृपया पैसे वापस करें।", subject="बिल की समस्या"),
        via="pipe",
    )
    ticket = Ticket.objects.get(number=result.ticket_number)
    assert ticket.language == "hi" and ticket.requester.language == "hi"
    assert ticket.subject == "बिल की समस्या"


def test_the_same_message_twice_is_stored_once_whatever_the_path(db):
    raw = mail()
    first = ingest(raw, via="imap")
    again = ingest(raw, via="pipe")
    resent = ingest(raw.replace(b"restart", b"reboot"), via="listener")  # same Message-ID
    assert again.outcome == resent.outcome == "duplicate"
    assert again.ticket_number == first.ticket_number and again.line() == (
        f"duplicate (#{first.ticket_number})"
    )
    assert InboundMessage.objects.count() == 1 and Ticket.objects.count() == 1


def test_without_a_message_id_the_bytes_are_the_key(db):
    raw = mail(message_id=None)
    first = ingest(raw, via="pipe")
    assert InboundMessage.objects.get(pk=first.inbound_id).key.startswith("sha256:")
    assert ingest(raw, via="pipe").outcome == "duplicate"
    assert ingest(mail("Another question", message_id=None), via="pipe").outcome == "created"


def reply_to(raw: bytes, body="Still broken, please call me.", headers=None, **fields) -> bytes:
    original = message_id_of(raw)
    threading = {"In-Reply-To": f"<{original}>", "References": f"<{original}>"}
    return mail(
        body,
        subject="Re: Router restarts every hour",
        headers={**threading, **(headers or {})},
        **fields,
    )


def test_a_reply_threads_by_its_headers_and_reopens_a_solved_ticket(db, make_agent):
    first = mail()
    ticket = Ticket.objects.get(number=ingest(first, via="pipe").ticket_number)
    agent = make_agent(role="supervisor")
    tickets.update_ticket(
        ticket.pk, actor=agent, expected_version=ticket.version, status=Status.SOLVED
    )
    result = ingest(reply_to(first), via="imap")
    assert (result.outcome, result.ticket_number) == (Outcome.APPENDED, ticket.number)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.events.filter(kind=Kind.MESSAGE_IN).count() == 2


def test_a_reply_to_a_closed_ticket_opens_a_follow_up_linked_to_it(db, make_agent):
    first = mail()
    ticket = Ticket.objects.get(number=ingest(first, via="pipe").ticket_number)
    agent = make_agent(role="supervisor")
    for status in (Status.SOLVED, Status.CLOSED):
        ticket.refresh_from_db()
        tickets.update_ticket(
            ticket.pk, actor=agent, expected_version=ticket.version, status=status
        )
    result = ingest(reply_to(first, "It broke again after a week."), via="pipe")
    assert result.outcome == Outcome.FOLLOW_UP
    follow_up = Ticket.objects.get(number=result.ticket_number)
    assert follow_up.follow_up_of == ticket and follow_up.requester == ticket.requester
    assert follow_up.events.get(kind=Kind.FOLLOW_UP_OF).data["ticket"] == ticket.number
    assert ticket.events.get(kind=Kind.FOLLOW_UP_OPENED).data["ticket"] == follow_up.number
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_a_signed_reply_address_finds_the_ticket_and_a_forged_one_does_not(support):
    ticket = Ticket.objects.get(number=ingest(mail(), via="pipe").ticket_number)
    signed = matching.reply_address(support, ticket)
    assert signed.startswith(f"support+{ticket.number}.")
    found = ingest(mail("No headers kept by my phone.", to=signed, subject="hello"), via="pipe")
    assert (found.outcome, found.ticket_number) == (Outcome.APPENDED, ticket.number)
    forged = f"support+{ticket.number}.aaaaaaaaaa@sampark.localhost"
    other = ingest(mail("Trying my luck", to=forged, subject="hi"), via="pipe")
    assert other.outcome == Outcome.CREATED and other.ticket_number != ticket.number


def test_a_subject_token_counts_only_from_someone_the_ticket_knows(db):
    ticket = Ticket.objects.get(number=ingest(mail(), via="pipe").ticket_number)
    subject = f"Re: [#{ticket.number}] Router restarts every hour"
    same = ingest(mail("Any news?", subject=subject), via="pipe")
    assert (same.outcome, same.ticket_number) == (Outcome.APPENDED, ticket.number)
    stranger = ingest(mail("Add me", subject=subject, sender="x@elsewhere.example"), via="pipe")
    assert stranger.outcome == Outcome.CREATED
    assert Ticket.objects.get(number=stranger.ticket_number).subject.startswith("Re:  Router")


def test_a_merged_ticket_passes_its_mail_to_the_ticket_it_was_merged_into(db, make_agent):
    first, second = mail(), mail("Same router, another mail", subject="Router again")
    one = Ticket.objects.get(number=ingest(first, via="pipe").ticket_number)
    two = Ticket.objects.get(number=ingest(second, via="pipe").ticket_number)
    tickets.merge_tickets(one.pk, into_id=two.pk, actor=make_agent(role="supervisor"))
    result = ingest(reply_to(first), via="pipe")
    assert result.ticket_number == two.number


def test_cc_addresses_follow_the_ticket_but_our_own_addresses_do_not(db):
    raw = mail(cc=f"Sunita <sunita@example.in>, {SUPPORT}, ravi.verma@example.in")
    ticket = Ticket.objects.get(number=ingest(raw, via="pipe").ticket_number)
    followers = [c.identities.get().value for c in ticket.followers.all()]
    assert followers == ["sunita@example.in"]
    assert ticket.events.filter(kind=Kind.FOLLOWER_ADDED).count() == 1


def test_the_mailbox_is_the_one_the_mail_was_sent_to_else_the_default(support, make_group):
    billing_group = make_group("Billing")
    billing = Mailbox.objects.create(
        name="Billing", address="billing@sampark.localhost", group=billing_group
    )
    to_billing = ingest(mail(to="Billing <billing@sampark.localhost>"), via="pipe")
    assert Ticket.objects.get(number=to_billing.ticket_number).group == billing_group
    assert InboundMessage.objects.get(pk=to_billing.inbound_id).mailbox == billing
    by_envelope = ingest(
        mail(to="someone@else.example"), via="listener", recipients=("billing@sampark.localhost",)
    )
    assert InboundMessage.objects.get(pk=by_envelope.inbound_id).mailbox == billing
    elsewhere = ingest(mail(to="help@other.example"), via="pipe")
    assert InboundMessage.objects.get(pk=elsewhere.inbound_id).mailbox == support


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (mail(sender=SUPPORT), "own addresses"),
        (mail(sender=""), "no usable sender"),
    ],
    ids=["our-own-address", "no-sender"],
)
def test_mail_that_cannot_become_a_ticket_is_kept_and_flagged_with_its_reason(db, raw, reason):
    result = ingest(raw, via="pipe")
    assert result.outcome == Outcome.REJECTED and reason in result.reason
    stored = InboundMessage.objects.get(pk=result.inbound_id)
    assert stored.needs_attention and stored.raw.read() == raw and stored.ticket is None
    assert Ticket.objects.count() == 0
    assert ingest(raw, via="pipe").outcome == "duplicate"


@override_settings(SAMPARK_MAIL_MAX_BYTES=2000)
def test_a_message_over_the_size_limit_is_stored_raw_for_a_person(db):
    raw = mail("x" * 5000)
    result = ingest(raw, via="pipe")
    assert result.outcome == Outcome.FAILED and "limit is 2000" in result.reason
    stored = InboundMessage.objects.get(pk=result.inbound_id)
    assert stored.raw.read() == raw and stored.needs_attention and stored.size == len(raw)
    assert stored.subject == "Router restarts every hour"


def test_a_raw_file_cut_short_by_a_killed_writer_is_written_whole_by_the_next_delivery(db):
    raw = mail("The invoice PDF is attached to this message.")
    digest = hashlib.sha256(raw).hexdigest()
    path = Path(default_storage.path(f"mail/raw/{digest[:2]}/{digest}.eml"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw[: len(raw) // 2])  # what a process killed mid-write would leave

    result = ingest(raw, via="pipe")

    assert result.outcome == Outcome.CREATED
    assert InboundMessage.objects.get(pk=result.inbound_id).raw.read() == raw
    assert not list(path.parent.glob("*.part"))


def test_garbage_is_stored_and_reported_never_dropped(db):
    raw = b"\x00\xff\xfe not a mail at all \x80\x81"
    result = ingest(raw, via="pipe")
    assert result.stored and result.outcome in (Outcome.REJECTED, Outcome.FAILED)
    assert InboundMessage.objects.get(pk=result.inbound_id).raw.read() == raw


def test_attachments_and_inline_images_are_stored_with_the_message(db):
    raw = mail(
        attachments=[
            ("", "image", "png", PIXEL, "pixel@example.in"),  # related first, then mixed
            ("bill.pdf", "application", "pdf", b"%PDF-1.4\n%fake but sniffable\n", ""),
        ]
    )
    ticket = Ticket.objects.get(number=ingest(raw, via="pipe").ticket_number)
    message = ticket.events.get(kind=Kind.MESSAGE_IN)
    files = {a.filename: a for a in Attachment.objects.filter(event=message)}
    pdf = files["bill.pdf"]
    assert (pdf.content_type, pdf.ticket, pdf.file.read()) == (
        "application/pdf",
        ticket,
        b"%PDF-1.4\n%fake but sniffable\n",
    )
    inline = next(a for a in files.values() if a.content_id)
    assert inline.content_id == "pixel@example.in" and inline.content_type == "image/png"


def test_a_bounce_is_recorded_on_the_ticket_whose_reply_bounced(support, make_agent):
    ticket = Ticket.objects.get(number=ingest(mail(), via="pipe").ticket_number)
    sent = OutboundMessage.objects.create(
        mailbox=support,
        ticket=ticket,
        kind="reply",
        recipients=["ravi.verma@example.in"],
        subject="Re: Router restarts every hour",
        message_id="reply-1@sampark.localhost",
        body="Please restart it once more.",
        status="sent",
    )
    MailReference.objects.create(
        digest=matching.reference_digest(sent.message_id), ticket=ticket, outbound=True
    )
    result = ingest(dsn(sent.message_id, "ravi.verma@example.in"), via="pipe")
    assert (result.outcome, result.ticket_number) == (Outcome.BOUNCE, ticket.number)
    notice = ticket.events.get(kind=Kind.BOUNCE)
    assert notice.data["recipients"] == ["ravi.verma@example.in"] and notice.data["permanent"]
    assert "User unknown" in notice.body
    identity = Identity.objects.get(value="ravi.verma@example.in")
    assert identity.bounced_at is not None and "User unknown" in identity.bounce_reason
    sent.refresh_from_db()
    assert sent.status == "failed" and "User unknown" in sent.last_error
    ticket.refresh_from_db()
    assert ticket.status in (Status.NEW, Status.OPEN)  # a bounce changes nothing else
    # Writing again from the address shows it works: the flag goes.
    ingest(reply_to(mail(), "I fixed my mailbox"), via="pipe")
    identity.refresh_from_db()
    assert identity.bounced_at is None


def test_a_bounce_that_matches_no_ticket_is_still_kept(db):
    result = ingest(dsn("unknown@elsewhere", "nobody@example.in"), via="pipe")
    assert result.outcome == Outcome.BOUNCE and result.ticket_number is None
    assert result.line() == "delivery failure recorded (no ticket matched)"
    assert Ticket.objects.count() == 0


def test_an_out_of_office_reply_is_noted_without_reopening_or_opening_anything(db, make_agent):
    first = mail()
    ticket = Ticket.objects.get(number=ingest(first, via="pipe").ticket_number)
    agent = make_agent(role="supervisor")
    tickets.update_ticket(
        ticket.pk, actor=agent, expected_version=ticket.version, status=Status.SOLVED
    )
    away = reply_to(
        first,
        "I am out of the office until Monday.",
        headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
    )
    result = ingest(away.replace(b"Re: Router", b"Automatic reply: Router"), via="pipe")
    assert (result.outcome, result.ticket_number) == (Outcome.AUTO_REPLY, ticket.number)
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert ticket.events.filter(kind=Kind.AUTO_REPLY).count() == 1
    lone = mail(
        "Out of office", subject="Out of office", headers={"Auto-Submitted": "auto-replied"}
    )
    assert ingest(lone, via="pipe").outcome == Outcome.AUTO_REPLY
    assert Ticket.objects.count() == 1


def test_sampark_mail_ingest_prints_a_line_per_message(db, tmp_path, capsys):
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "1.eml").write_bytes(mail())
    (folder / "2.eml").write_bytes(mail(sender=SUPPORT, subject="loop"))
    assert sampark(["mail", "ingest", str(folder), str(folder / "1.eml")]) == 0
    lines = capsys.readouterr().out.splitlines()
    number = Ticket.objects.get().number
    assert lines[0] == f"{folder / '1.eml'}: stored as ticket #{number}"
    assert "rejected: The message comes from one of our own addresses" in lines[1]
    assert lines[2] == f"{folder / '1.eml'}: duplicate (#{number})"
    assert sampark(["mail", "ingest", str(tmp_path / "missing.eml")]) == 75
    assert "cannot read" in capsys.readouterr().out


@pytest.mark.slow
def test_helper_processes_read_ahead_but_messages_are_stored_in_their_order(db, tmp_path, capsys):
    """``--jobs``: other processes parse the next messages while this one stores, and the
    outcome is what one process gives: a reply that follows its message in the folder finds
    the ticket that message opened, a repeat is a duplicate, what cannot be read says so."""
    folder = tmp_path / "batch"
    folder.mkdir()
    first = mail(subject="Router restarts every hour")
    second = mail("मेरा बिल दो बार कट गया है।", sender="Sunita <sunita@example.in>", subject="बिल")
    messages = [first, second, reply_to(first), mail(sender=SUPPORT, subject="loop"), first]
    messages += [reply_to(second, "अभी भी वही समस्या है।") for _ in range(12)]
    for n, raw in enumerate(messages, 1):
        (folder / f"{n:03}.eml").write_bytes(raw)
    missing = tmp_path / "missing.eml"
    assert sampark(["mail", "ingest", "--jobs", "2", str(folder), str(missing)]) == 75
    lines = capsys.readouterr().out.splitlines()
    router = Ticket.objects.get(subject="Router restarts every hour").number
    bill = Ticket.objects.get(subject="बिल").number
    assert lines[:5] == [
        f"{folder / '001.eml'}: stored as ticket #{router}",
        f"{folder / '002.eml'}: stored as ticket #{bill}",
        f"{folder / '003.eml'}: appended to #{router}",
        f"{folder / '004.eml'}: rejected: The message comes from one of our own addresses "
        "(a mail loop).",
        f"{folder / '005.eml'}: duplicate (#{router})",
    ]
    assert lines[5:17] == [f"{folder / f'{n:03}.eml'}: appended to #{bill}" for n in range(6, 18)]
    assert lines[17].startswith(f"{missing}: cannot read: ")
    assert Ticket.objects.count() == 2
    assert InboundMessage.objects.count() == len(messages) - 1  # the repeat is stored once
    digest = hashlib.sha256(second).hexdigest()
    assert default_storage.exists(f"mail/raw/{digest[:2]}/{digest}.eml")  # kept by a helper


def test_a_message_whose_raw_file_cannot_be_kept_is_reported_and_the_rest_go_on(
    db, tmp_path, capsys, monkeypatch
):
    from sampark.mail.services import ingest as service

    keep_raw = service._keep_raw

    def disk_full_for_the_first(raw, sha256):
        if b"Disk full" in raw:
            raise OSError(28, "No space left on device")
        return keep_raw(raw, sha256)

    monkeypatch.setattr(service, "_keep_raw", disk_full_for_the_first)
    (tmp_path / "1.eml").write_bytes(mail(subject="Disk full"))
    (tmp_path / "2.eml").write_bytes(mail(subject="Router restarts every hour"))
    assert sampark(["mail", "ingest", "--jobs", "0", str(tmp_path)]) == 75
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{tmp_path / '1.eml'}: not stored: [Errno 28] No space left on device"
    assert lines[1] == f"{tmp_path / '2.eml'}: stored as ticket #{Ticket.objects.get().number}"
    assert InboundMessage.objects.count() == 1


def test_mailboxes_are_read_again_only_when_they_change(support):
    ingest(mail(subject="First"), via="pipe")
    with CaptureQueriesContext(connection) as captured:
        ingest(mail(subject="Second", sender="Asha <asha@example.in>"), via="pipe")
    assert not [q for q in captured if '"mail_mailbox"' in q["sql"]]
    assert OutboundMessage.objects.filter(to_address="asha@example.in").count() == 1
    support.auto_reply = False
    support.save(update_fields=["auto_reply"])
    ingest(mail(subject="Third", sender="Meena <meena@example.in>"), via="pipe")
    assert not OutboundMessage.objects.filter(to_address="meena@example.in").exists()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cut=st.integers(min_value=0, max_value=2000),
    noise=st.binary(max_size=200),
    at=st.integers(min_value=0, max_value=2000),
    repeat_header=st.booleans(),
)
def test_mangled_mail_is_always_stored_or_reported_never_a_crash(db, cut, noise, at, repeat_header):
    raw = mail(
        "नमस्ते, मेरा ऑर्डर #4521 अब तक नहीं आया।",
        subject="ऑर्डर नहीं मिला",
        cc="Sunita <sunita@example.in>",
        attachments=[("bill.pdf", "application", "pdf", b"%PDF-1.4\n", "")],
        # Hypothesis reseeds `random` for every example, so make_msgid() can repeat itself.
        message_id=f"<{uuid.uuid4().hex}@example.in>",
    )
    if repeat_header:
        raw = raw.replace(b"Subject:", b"Subject: =?utf-8?B?broken?=\r\nSubject:", 1)
    mangled = raw[: len(raw) - cut] if cut < len(raw) else raw
    mangled = mangled[:at] + noise + mangled[at:]
    result = ingest(mangled, via="pipe")
    assert result.stored and result.outcome != Outcome.FAILED, result
    assert InboundMessage.objects.get(pk=result.inbound_id).raw.read() in (mangled, raw)
