"""classify (through parse): bounces, automatic replies and the signals that forbid an
automatic answer, for the fixtures of tests/data/mail."""

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from sampark.mail.classify import classify
from sampark.mail.parsing import Bounce, parse

FIXTURES = Path(__file__).parent / "data" / "mail"

# file: (kind, auto_submitted, auto_reason); every fixture not named is an ordinary message.
VERDICTS = {
    "bounce-dsn-postfix.eml": ("bounce", True, "auto-submitted"),
    "bounce-dsn-delayed.eml": ("bounce", True, "auto-submitted"),
    "bounce-qmail.eml": ("bounce", True, "mailer-daemon"),
    "bounce-exim.eml": ("bounce", True, "auto-submitted"),
    "bounce-exchange.eml": ("bounce", True, "mailer-daemon"),
    "bounce-gmail.eml": ("bounce", True, "mailer-daemon"),
    "bounce-postfix-text.eml": ("bounce", True, "delivery status notification"),
    "dsn-delivered.eml": ("auto_reply", True, "delivery report"),
    "arf-complaint.eml": ("auto_reply", True, "feedback report"),
    "read-receipt.eml": ("auto_reply", True, "read receipt"),
    "ooo-en-auto-submitted.eml": ("auto_reply", True, "auto-submitted"),
    "ooo-en-subject-only.eml": ("auto_reply", True, "subject"),
    "ooo-hi.eml": ("auto_reply", True, "x-autoreply"),
    "ooo-hi-subject-only.eml": ("auto_reply", True, "subject"),
    "x-autorespond.eml": ("auto_reply", True, "x-autoreply"),
    "precedence-bulk.eml": ("message", True, "precedence bulk"),
    "mailing-list.eml": ("message", True, "list"),
    "noreply-sender.eml": ("message", True, "noreply"),
    "auto-response-suppress.eml": ("message", True, "x-auto-response-suppress"),
    "auto-generated.eml": ("message", True, "auto-submitted"),
}

ALL = sorted(path.name for path in FIXTURES.glob("*.eml"))


@pytest.mark.parametrize("name", ALL)
def test_each_fixture_is_classified_as_expected(name):
    mail = parse((FIXTURES / name).read_bytes())
    expected = VERDICTS.get(name, ("message", False, ""))
    assert (mail.kind, mail.auto_submitted, mail.auto_reason) == expected
    assert (mail.bounce is not None) == (mail.kind == "bounce")


BOUNCES = {
    "bounce-dsn-postfix.eml": Bounce(
        recipients=("Gone@example.org",),
        status="5.1.1",
        diagnostic="550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown",
        original_message_id="outbound-17-1@sampark.example",
        permanent=True,
    ),
    "bounce-dsn-delayed.eml": Bounce(
        recipients=("slow@example.org",),
        status="4.4.1",
        diagnostic="",
        original_message_id="outbound-18-1@sampark.example",
        permanent=False,
    ),
    "bounce-qmail.eml": Bounce(
        recipients=("nobody@example.net",),
        status="5.1.1",
        diagnostic="Sorry, no mailbox here by that name. (#5.1.1)",
        original_message_id="outbound-19-1@sampark.example",
        permanent=True,
    ),
    "bounce-exim.eml": Bounce(
        recipients=("missing@example.co.in",),
        status="5.1.1",
        diagnostic="550 5.1.1 No such user here",
        original_message_id="outbound-20-1@sampark.example",
        permanent=True,
    ),
    "bounce-exchange.eml": Bounce(
        recipients=("leftcompany@contoso.example",),
        status="5.1.10",
        diagnostic="Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
        "Recipient not found by SMTP address lookup'",
        original_message_id="outbound-21-1@sampark.example",
        permanent=True,
    ),
    "bounce-gmail.eml": Bounce(
        recipients=("typo@gmial.com",),
        status="5.1.1",
        diagnostic="550 5.1.1 The email account that you tried to reach does not exist.",
        original_message_id="outbound-22-1@sampark.example",
        permanent=True,
    ),
    "bounce-postfix-text.eml": Bounce(
        recipients=("full@example.com",),
        status="4.2.2",
        diagnostic="<full@example.com>: host mx.example.com said: 452 4.2.2 Mailbox full "
        "(in reply to RCPT TO command)",
        original_message_id="",
        permanent=False,
    ),
}


@pytest.mark.parametrize("name", sorted(BOUNCES))
def test_a_bounce_names_the_failed_recipient_the_status_and_our_original(name):
    assert parse((FIXTURES / name).read_bytes()).bounce == BOUNCES[name]


def test_a_bounce_is_never_taken_for_a_forward():
    mail = parse((FIXTURES / "bounce-dsn-postfix.eml").read_bytes())
    assert not mail.forwarded
    assert [a.content_type for a in mail.attachments] == ["message/rfc822"]


def _verdict(headers: str, body: str = "Hello.\n", sender: str = "ravi@example.in"):
    raw = (f"From: <{sender}>\n" + headers + "\n" + body).encode()
    message = message_from_bytes(raw, policy=policy.compat32)
    by_name: dict[str, list[str]] = {}
    for name, value in message.items():
        by_name.setdefault(name.lower(), []).append(str(value))
    subject = str(message.get("subject", ""))
    return classify(message, headers=by_name, sender=sender, subject=subject, text=body)


@pytest.mark.parametrize(
    ("subject", "kind"),
    [
        ("Automatic reply: Invoice", "auto_reply"),
        ("Out of Office AutoReply: Invoice", "auto_reply"),
        ("Auto: Invoice", "auto_reply"),
        ("Abwesenheitsnotiz: Rechnung", "auto_reply"),
        ("Réponse automatique : Facture", "auto_reply"),
        ("ऑफ़िस से बाहर: बिल", "auto_reply"),
        ("Automatic reply not working on my phone", "message"),
        ("Need help with auto payments", "message"),
        ("Re: out-of-office policy question", "message"),
    ],
)
def test_out_of_office_subjects_without_headers(subject, kind):
    raw = f"From: Asha <asha@example.in>\nSubject: {subject}\n\nAway.\n".encode()
    assert parse(raw).kind == kind


@pytest.mark.parametrize(
    ("headers", "sender", "reason"),
    [
        ("Auto-Submitted: auto-notified\n", "ravi@example.in", "auto-submitted"),
        ("Precedence: junk\n", "ravi@example.in", "precedence junk"),
        ("Precedence: list\n", "ravi@example.in", "precedence list"),
        ("List-Unsubscribe: <mailto:x@example.in>\n", "ravi@example.in", "list"),
        ("", "postmaster@example.in", "mailer-daemon"),
        ("", "MAILER-DAEMON@example.in", "mailer-daemon"),
        ("", "noreply@example.in", "noreply"),
        ("", "do-not-reply@example.in", "noreply"),
        ("", "ravi@example.in", ""),
    ],
)
def test_signals_that_forbid_an_automatic_answer(headers, sender, reason):
    verdict = _verdict("Subject: Hello\n" + headers, sender=sender)
    assert (verdict.kind, verdict.auto_submitted, verdict.auto_reason) == (
        "message",
        bool(reason),
        reason,
    )


def test_a_person_writing_about_a_bounce_is_not_a_bounce():
    body = "This message was created automatically by mail delivery software, says my screen.\n"
    assert _verdict("Subject: Your mails bounce\n", body).kind == "message"
