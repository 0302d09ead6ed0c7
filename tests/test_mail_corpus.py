"""The real world: every message of the shared corpus (264 messages from other mail
libraries' test suites, see its README) parses without raising; its bounces and automatic
replies are recognised; the quoted history of its reply bodies is stripped.

The corpus lives beside the repository (``../shared/email-corpus``, see tests/email_corpus.py)
and is never copied in."""

import csv

import pytest

from sampark.mail.parsing import html_to_text, parse, sanitise_html
from sampark.mail.quotes import strip_quotes
from tests.email_corpus import find_corpus

CORPUS = find_corpus()
pytestmark = pytest.mark.skipif(
    CORPUS is None, reason="the shared email corpus (../shared/email-corpus) is not on this machine"
)


def _tags() -> dict[str, set[str]]:
    if CORPUS is None:
        return {}
    with open(CORPUS / "FEATURES.tsv", encoding="utf-8", newline="") as features:
        return {
            row["file"]: set(row["tags"].split())
            for row in csv.DictReader(features, delimiter="\t")
        }


TAGS = _tags()
MESSAGES = sorted(name for name, tags in TAGS.items() if "reply-body-fragment" not in tags)


@pytest.mark.parametrize("name", MESSAGES)
def test_every_message_parses_without_raising(name):
    mail = parse((CORPUS / name).read_bytes())
    assert not any("kept as it arrived" in defect for defect in mail.defects), mail.defects
    assert mail.stripped.strip() or not mail.text.strip()


# flanker/long-links.eml is tagged bounce-nonstandard only because its sender is
# postmaster@example.com: it is a Thunderbird message with a long link, not a delivery report.
# It is a message, and (sent from postmaster@) one never to be answered automatically.
NOT_BOUNCES = {"flanker/long-links.eml": ("message", True, "mailer-daemon")}
BOUNCES = sorted(name for name in MESSAGES if TAGS[name] & {"bounce-dsn", "bounce-nonstandard"})


@pytest.mark.parametrize("name", BOUNCES)
def test_bounces_are_recognised(name):
    mail = parse((CORPUS / name).read_bytes())
    if name in NOT_BOUNCES:
        assert (mail.kind, mail.auto_submitted, mail.auto_reason) == NOT_BOUNCES[name]
        return
    assert mail.kind == "bounce"
    assert mail.auto_submitted
    assert mail.bounce is not None and mail.bounce.status[:1] in ("", "4", "5")


def test_bounces_name_recipients_status_and_our_original():
    """A sample across MTAs, checked field by field."""
    expected = {
        "flanker/bounce__office365.eml": (
            ("noname@example.com",),
            "5.1.10",
            True,
            "20171013111011.20866.254C2F3A4D7AA526@ninomail.com",
        ),
        "flanker/bounce__delayed-broken.eml": (("demo@example.com",), "4.2.2", False, ""),
        "flanker/bounce__gmail-no-dns.eml": (("user@example.comm",), "", True, ""),
        "mimekit/bounce.txt": (
            ("netec.test@netecgc.com",),
            "5.1.1",
            True,
            "44565655.JitbitHelpdesk.13439.691a0afc-a0a0-457c-8208-f20b7c4a4cb1@jitbit.com",
        ),
        "python-stdlib/msg_16.txt": (
            ("jangel1@cougar.noc.ucla.edu",),
            "5.0.0",
            True,
            "002001c144a6$8752e060$56104586@oxy.edu",
        ),
        "mikel-mail/multipart_report_emails__report_422.eml": (
            ("fraser@oooooooo.com.au",),
            "4.2.2",
            False,
            "15655788.13.1200472642578.JavaMail.Administrator@mail.ttttt.com.au",
        ),
    }
    for name, (recipients, status, permanent, original) in expected.items():
        bounce = parse((CORPUS / name).read_bytes()).bounce
        assert bounce is not None, name
        assert (bounce.recipients, bounce.status, bounce.permanent, bounce.original_message_id) == (
            recipients,
            status,
            permanent,
            original,
        ), name


# The complaint (ARF) and read-receipt reports are automatic but are not bounces.
REPORTS = {
    "flanker/complaints__aol.eml": "feedback report",
    "flanker/complaints__yahoo.eml": "feedback report",
    "flanker/disposition-notification.eml": "read receipt",
    "mimekit/disposition-notification.txt": "read receipt",
}


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_complaints_and_read_receipts_are_automatic_not_bounces(name):
    mail = parse((CORPUS / name).read_bytes())
    assert (mail.kind, mail.auto_submitted, mail.auto_reason) == ("auto_reply", True, REPORTS[name])


AUTOMATIC = sorted(
    name for name in MESSAGES if "auto-reply-or-bulk" in TAGS[name] and name not in BOUNCES
)


@pytest.mark.parametrize("name", AUTOMATIC)
def test_auto_replies_and_bulk_mail_are_never_answered_automatically(name):
    mail = parse((CORPUS / name).read_bytes())
    assert mail.kind == "auto_reply" or mail.auto_submitted
    assert mail.auto_reason


# reply-bodies/: (the reply's first line, kept; lines of the quoted history or signature, gone).
REPLY_BODIES = {
    "github/correct_sig.txt": ("this is an email with a correct -- signature.", ["rick"]),
    "github/email_1_1.txt": ("Hi folks", ["riak-users mailing list"]),
    "github/email_1_2.txt": ("Hi,", ["wrote:", "> Hi folks", "> -Abhishek Kona"]),
    "github/email_1_3.txt": ("Oh thanks.", ["Russell Brown wrote:", "> Hi,", ">> Hi folks"]),
    "github/email_1_4.txt": (
        "Awesome! I haven't had another problem with it.",
        ["wrote:", "> Loader"],
    ),
    "github/email_1_5.txt": ("One: Here's what I've got.", []),
    "github/email_1_6.txt": (
        "I get proper rendering as well.",
        ["Corey Donohoe", "wrote:", "> Was this"],
    ),
    "github/email_1_7.txt": (":+1:", ["Chris Wanstrath", "wrote:", "> Steps 0-2"]),
    "github/email_1_8.txt": (
        "I will reply under this one",
        ["wrote:", "> okay.", "Hey there, this is"],
    ),
    "github/email_2_1.txt": ("Outlook with a reply", ["*From:*", "*Sent:*", "Dear Google Apps"]),
    "github/email_2_2.txt": ("Outlook with a reply directly above line", ["From: CRM", "Sent:"]),
    "github/email_2_3.txt": ("Outlook with a reply directly above line", ["From: CRM", "> A new"]),
    "github/email_BlackBerry.txt": ("Here is another email", ["Sent from my BlackBerry"]),
    "github/email_bullets.txt": (
        "test 2 this should list second",
        ["wrote:", "> Give us", "Joe Smith"],
    ),
    "github/email_iPhone.txt": ("Here is another email", ["Sent from my iPhone"]),
    "github/email_long_quote.txt": ("Hi folks", ["riak-users mailing list"]),
    "github/email_multi_word_sent_from_my_mobile_device.txt": (
        "Here is another email",
        ["Sent from my Verizon Wireless BlackBerry"],
    ),
    "github/email_one_is_not_on.txt": (
        "Thank, this is really helpful.",
        ["wrote:", "> The good news"],
    ),
    "github/email_sent_from_my_not_signature.txt": ("Here is another email", []),
    "github/email_sig_delimiter_in_middle_of_line.txt": ("Hi there!", []),
    "github/greedy_on.txt": (
        "On your remote host you can run:",
        ["George Plymale wrote:", "> I am"],
    ),
    "github/pathological.txt": (
        "I think you're onto something.",
        ["wrote:", "> I think your code"],
    ),
    "zapier/email_gmail.txt": ("This is a test for inbox replying", ["wrote:", "That way people"]),
    "zapier/email_headers_no_delimiter.txt": (
        "And another reply!",
        ["From: Dan Watson", "A reply"],
    ),
    "zapier/email_partial_quote_header.txt": (
        "On your remote host you can run:",
        ["wrote:", "> I am"],
    ),
}
# Lines that must stay: what the sender wrote, even where it looks like a signature or quote.
KEPT = {
    "github/email_1_8.txt": ["and under this."],
    "github/email_sent_from_my_not_signature.txt": ["Sent from my desk, is much easier"],
    "github/email_sig_delimiter_in_middle_of_line.txt": [
        "fix -- this is not a signature.",
        "kthxbai",
    ],
    "github/email_bullets.txt": ["- and another"],
    "github/greedy_on.txt": ["the tunnel is not working."],
    "github/email_long_quote.txt": ["I am currently using the Java HTTP API."],
}


@pytest.mark.parametrize("name", sorted(REPLY_BODIES))
def test_reply_bodies_lose_their_quoted_history(name):
    text = (CORPUS / "reply-bodies" / name).read_text(encoding="utf-8")
    stripped, quoted = strip_quotes(text)
    first, gone = REPLY_BODIES[name]
    assert stripped.lstrip().startswith(first)
    for line in gone:
        assert line in text and line not in stripped, line
    for line in KEPT.get(name, ()):
        assert line in stripped, line
    assert quoted == (stripped != text)


def test_every_reply_body_has_an_expectation():
    files = {
        path.relative_to(CORPUS / "reply-bodies").as_posix()
        for path in (CORPUS / "reply-bodies").rglob("*.txt")
    }
    assert files == set(REPLY_BODIES)


# talon-replies/: every one is a reply whose new text is "Hello" (the .eml files) or "Hi. I am
# fine." (the .html fragments), above a quote of "Hi" / "Hello! How are you?".
TALON = sorted(path.name for path in CORPUS.glob("talon-replies/*")) if CORPUS else []


@pytest.mark.parametrize("name", TALON)
def test_talon_replies_lose_their_quoted_history(name):
    raw = (CORPUS / "talon-replies" / name).read_bytes()
    if name.endswith(".html"):
        text = html_to_text(sanitise_html(raw.decode("utf-8", "replace")))
        stripped, quoted = strip_quotes(text)
        assert stripped.startswith("Hi. I am fine.")
        assert "How are you" in text and "How are you" not in stripped
    else:
        mail = parse(raw)
        text, stripped, quoted = mail.text, mail.stripped, mail.quoted
        if name == "reply-quotations-share-block.eml":
            assert stripped.startswith("Hi Katharine.")
            assert "wrote:" in text and "wrote:" not in stripped
            assert "New Booking Inquiry" not in stripped
        else:
            assert stripped.strip() == "Hello"
            assert len(text.strip()) > len("Hello")
    assert quoted
