"""parse(): what Sampark reads from a message, for every fixture of tests/data/mail, and that
no bytes at all make it raise."""

import time
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sampark.mail.parsing import Address, html_to_text, parse

FIXTURES = Path(__file__).parent / "data" / "mail"


def read(name: str):
    return parse((FIXTURES / name).read_bytes())


# file: the fields it must give. "text" / "stripped" entries are substrings; "no_*" must be absent.
EXPECTED = {
    "plain-english.eml": {
        "subject": "Printer on floor 3 is offline",
        "sender": Address("Ankit Verma", "ankit.verma@example.in"),
        "message_id": "plain-1@example.in",
        "text": ["Serial number PRN-4471."],
    },
    "hindi-utf8-base64.eml": {
        "subject": "इंटरनेट कनेक्शन बार-बार कट रहा है",
        "sender": Address("प्रिया शर्मा", "Priya.Sharma@example.in"),
        "text": ["हमारे दफ़्तर का इंटरनेट कनेक्शन हर घंटे कट जाता है।", "खाता नंबर 77-1203"],
    },
    "hindi-utf8-qp.eml": {
        "subject": "बिल में गलत राशि",
        "text": ["मेरे मार्च के बिल में ₹1,200 ज़्यादा जोड़े गए हैं।"],
    },
    "hindi-raw-utf8-headers.eml": {
        "subject": "राउटर की बत्ती लाल है",
        "sender": Address("सुनीता देवी", "sunita@example.in"),
        "to": (Address("सहायता", "support@sampark.example"),),
        "text": ["कुछ नहीं चल रहा।"],
    },
    "latin1-body.eml": {"text": ["120 € ... señor, año, café."], "defects": ()},
    "windows-1252-body.eml": {
        "subject": "Can’t log in",
        "text": ["I can’t log in – the page says “session expired”."],
    },
    "shift-jis-body.eml": {"subject": "請求書について", "text": ["請求書が届いていません。"]},
    "gb2312-body.eml": {"subject": "网络故障", "text": ["我们的网络从昨天开始无法连接。"]},
    "koi8r-body.eml": {"subject": "Проблема", "text": ["Не работает принтер."]},
    "mislabelled-ascii-utf8.eml": {
        "text": ["पासवर्ड रीसेट का लिंक काम नहीं करता।"],
        "defect": "it was read as UTF-8",
    },
    "mislabelled-ascii-cp1252.eml": {
        "text": ["Der Café-Drucker ist kaputt – bitte prüfen."],
        "defect": "it was read as Windows-1252",
    },
    "unknown-charset.eml": {
        "text": ["Plain words and \ufffd\ufffd broken bytes."],
        "defect": "unknown character set (x-made-up-charset)",
    },
    "rfc2047-broken-words.eml": {
        "subject": "सहायता चाहिए now please",
        "sender": Address("अमित कुमार", "Amit@example.com"),
    },
    "rfc2231-filenames.eml": {
        "attachments": [
            ("बिल मार्च.pdf", "application/pdf"),
            ("very-long-invoice-name-april-2025.pdf", "application/pdf"),
            ("रसीद.pdf", "application/pdf"),
        ],
    },
    "alternative.eml": {
        "text": ["The VPN asks for my password every 5 minutes."],
        "html": ["<b>every 5 minutes</b>"],
    },
    "nested-mixed-alternative-related.eml": {
        "text": ["The error is in the screenshot below."],
        "html": ['<img src="cid:shot1@example.in" alt="error">'],
        "attachments": [("shot.png", "image/png"), ("log.pdf", "application/pdf")],
    },
    "html-only.eml": {
        "text": [
            "Order status",
            "Dear team, my order & invoice are below.",
            "Item Qty\nRouter 2",
            "Track it here (https://track.example.com/o/42) or click.",
            "- first\n- second",
        ],
        "no_text": ["ignored title", "alert", "color: red"],
        "html": ["<table", "<td>Router</td>", 'href="https://track.example.com/o/42"'],
        "no_html": ["<script", "onload", "onerror", "javascript:", "<style", "steal"],
    },
    "html-only-hindi-reply.eml": {
        "stripped_is": "जी, अब ठीक चल रहा है। धन्यवाद!",
        "text": ["ने लिखा:", "> कृपया राउटर दोबारा चालू करके देखें।"],
        "quoted": True,
    },
    "cid-inline-image.eml": {
        "html": ['<img src="cid:photo@example.in">'],
        "attachments": [("attachment-1.png", "image/png")],
    },
    "only-attachment.eml": {"text_is": "", "attachments": [("invoice.pdf", "application/pdf")]},
    "empty-body.eml": {"text_is": "", "stripped_is": "", "attachments": []},
    "attachment-type-mismatch.eml": {"attachments": [("photo.png", "application/pdf")]},
    "attachment-executable.eml": {"attachments": [("invoice.pdf.exe", "application/x-msdownload")]},
    "attachment-types.eml": {
        "attachments": [
            (
                "report.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            ("notes.zip", "application/zip"),
            ("photo.jpg", "image/jpeg"),
            ("dot.gif", "image/gif"),
            ("pic.webp", "image/webp"),
            ("log.gz", "application/gzip"),
            ("rows.csv", "text/csv"),
        ],
    },
    "forward-as-attachment.eml": {
        "forwarded": True,
        "attachments": [("Service is down.eml", "message/rfc822")],
    },
    "missing-message-id.eml": {"message_id": "", "defect": "no usable Message-ID"},
    "missing-from.eml": {"sender": Address("Relay Robot", "relay@example.in")},
    "no-sender-at-all.eml": {"sender": None, "defect": "sender's address is missing"},
    "malformed-headers.eml": {
        "sender": Address("", "quote@example.in"),
        "message_id": "no-angle-brackets@example.in",
        "in_reply_to": ("one@example.in", "two@example.in"),
        "references": ("a@example.in", "b@example.in"),
        "to": (
            Address("", "a@example.in"),
            Address("Odd, Name", "odd@example.in"),
        ),
        "cc": (Address("", "cc@example.in"),),
        "date": None,
        "defect": "The date could not be read.",
        "text": ["Body after broken headers."],
    },
    "broken-boundary.eml": {
        "text": ["The closing boundary never comes."],
        "defect": "does not end properly",
    },
    "multipart-without-boundary.eml": {
        "text": ["The text of a multipart that names no boundary."],
        "defect": "has no boundary",
    },
    "bad-base64.eml": {"text": ["Hello there, the padding is wrong"], "defect": "base64"},
    "garbage.eml": {"message_id": "", "sender": None, "defect": "No headers were found"},
    "envelope-and-threading.eml": {
        "message_id": "spaced-id@example.in",
        "in_reply_to": ("outbound-17-1@sampark.example",),
        "references": ("ticket-17@sampark.example", "outbound-17-1@sampark.example"),
        "reply_to": (Address("Ravi Home", "Ravi.Home@example.org"),),
        "to": (
            Address("Sampark Support", "support@sampark.example"),
            Address("Billing", "billing@sampark.example"),
        ),
        "cc": (Address("Priya", "priya@example.in"), Address("Ops", "OPS@example.in")),
        "delivered_to": ("support@sampark.example", "Help@sampark.example"),
        "date": datetime(2025, 3, 3, 10, 15, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    },
    "crlf-line-endings.eml": {"text_is": "First line.\nSecond line."},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_gives_its_expected_fields(name):
    mail = read(name)
    expected = EXPECTED[name]
    for field in (
        "subject",
        "sender",
        "message_id",
        "to",
        "cc",
        "reply_to",
        "in_reply_to",
        "references",
        "delivered_to",
        "date",
        "forwarded",
        "quoted",
        "defects",
    ):
        if field in expected:
            assert getattr(mail, field) == expected[field], field
    for piece in expected.get("text", ()):
        assert piece in mail.text
    for piece in expected.get("no_text", ()):
        assert piece not in mail.text
    for piece in expected.get("html", ()):
        assert piece in mail.html
    for piece in expected.get("no_html", ()):
        assert piece not in mail.html.lower()
    if "text_is" in expected:
        assert mail.text == expected["text_is"]
    if "stripped_is" in expected:
        assert mail.stripped == expected["stripped_is"]
    if "defect" in expected:
        assert any(expected["defect"] in defect for defect in mail.defects), mail.defects
    if "attachments" in expected:
        assert [(a.filename, a.content_type) for a in mail.attachments] == expected["attachments"]


def test_every_fixture_is_described_in_the_readme():
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    files = sorted(path.name for path in FIXTURES.glob("*.eml"))
    assert len(files) >= 60
    for name in files:
        assert f"`{name}`" in readme, name


@pytest.mark.parametrize("name", sorted(path.name for path in FIXTURES.glob("*.eml")))
def test_stripped_is_never_empty_when_text_is_not(name):
    mail = read(name)
    assert mail.stripped.strip() or not mail.text.strip()
    assert (mail.stripped == mail.text) == (not mail.quoted)


def test_a_plain_message_has_its_date_and_no_defects():
    mail = read("plain-english.eml")
    assert mail.date == datetime(2025, 3, 3, 4, 45, tzinfo=UTC)
    assert mail.defects == ()
    assert mail.kind == "message" and not mail.auto_submitted and not mail.forwarded
    assert mail.html == ""
    assert ("Subject", "Printer on floor 3 is offline") in mail.headers


def test_inline_images_keep_their_content_id_and_files_are_not_inline():
    shot, log = read("nested-mixed-alternative-related.eml").attachments
    assert (shot.content_id, shot.inline, shot.size) == ("shot1@example.in", True, 70)
    assert shot.data.startswith(b"\x89PNG")
    assert (log.content_id, log.inline) == ("", False)


def test_a_declared_type_that_the_bytes_contradict_is_noted():
    (photo,) = read("attachment-type-mismatch.eml").attachments
    assert photo.declared_type == "image/png"
    assert photo.note == "The file says it is image/png, but its content is application/pdf."


def test_an_executable_is_noted_whatever_it_claims_to_be():
    (program,) = read("attachment-executable.eml").attachments
    assert program.declared_type == "application/pdf"
    assert "program" in program.note


def test_equivalent_declared_types_are_not_called_mismatches():
    notes = {a.filename: a.note for a in read("attachment-types.eml").attachments}
    assert set(notes.values()) == {""}


def _with_attachment(size: int) -> bytes:
    message = EmailMessage()
    message["From"] = "Ravi Kumar <ravi@example.in>"
    message["To"] = "support@sampark.example"
    message["Subject"] = "Backup archive"
    message["Message-ID"] = "<big@example.in>"
    message.set_content("The backup is attached.")
    payload = b"%PDF-1.4\n" + b"\x00" * (size - 9)
    message.add_attachment(payload, maintype="application", subtype="pdf", filename="backup.pdf")
    return message.as_bytes()


@pytest.mark.slow
def test_a_20_mb_attachment_is_kept_under_the_default_limit_and_listed_when_over_a_lower_one():
    raw = _with_attachment(20 * 1024 * 1024)
    kept = parse(raw)
    assert [(a.filename, a.size) for a in kept.attachments] == [("backup.pdf", 20 * 1024 * 1024)]
    assert kept.skipped_attachments == ()

    skipped = parse(raw, max_attachment_bytes=10 * 1024 * 1024)
    assert skipped.attachments == ()
    (entry,) = skipped.skipped_attachments
    assert (entry.filename, entry.size) == ("backup.pdf", 20 * 1024 * 1024)
    assert "larger than the limit of 10485760 bytes" in entry.reason
    assert skipped.stripped == "The backup is attached."


def test_html_to_text_quotes_blockquotes_and_keeps_link_targets():
    text = html_to_text(
        "<p>Hi &amp; hello</p><blockquote><p>old</p><blockquote>older</blockquote></blockquote>"
        '<a href="mailto:a@example.in">a@example.in</a> <a href="https://x.example">site</a>'
    )
    assert text.splitlines() == [
        "Hi & hello",
        "",
        "> old",
        ">",
        "> > older",
        ">",
        "a@example.in site (https://x.example)",
    ]


def test_a_non_bytes_input_is_read_rather_than_refused():
    assert parse(bytearray(b"Subject: hi\n\nbody")).subject == "hi"
    assert parse("Subject: नमस्ते\n\nbody").subject == "नमस्ते"


# --- nothing makes it raise -----------------------------------------------------------------

SEEDS = sorted(path.read_bytes() for path in FIXTURES.glob("*.eml"))


@st.composite
def mutated(draw):
    """A fixture truncated, with header lines duplicated, boundaries broken or random bytes
    inserted."""
    raw = draw(st.sampled_from(SEEDS))
    lines = raw.split(b"\n")
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["truncate", "duplicate", "boundary", "insert", "drop"]))
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        if action == "truncate":
            lines = lines[:index]
        elif action == "duplicate":
            lines.insert(index, lines[draw(st.integers(0, min(12, len(lines) - 1)))])
        elif action == "boundary":
            lines = [
                line.replace(b"--", b"-", 1) if line.startswith(b"--") else line for line in lines
            ]
        elif action == "insert":
            lines.insert(index, draw(st.binary(min_size=1, max_size=60)))
        else:
            del lines[index]
    return b"\n".join(lines)


def _holds(mail) -> None:
    assert isinstance(mail.text, str) and isinstance(mail.stripped, str)
    assert mail.stripped.strip() or not mail.text.strip()
    assert mail.kind in ("message", "bounce", "auto_reply")
    assert all(isinstance(defect, str) and defect for defect in mail.defects)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(raw):
    _holds(parse(raw))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_messages_never_raise(raw):
    _holds(parse(raw))


def test_deeply_nested_multiparts_are_read_to_a_depth_and_said_so():
    head = b"From: a@example.in\nSubject: deep\nMIME-Version: 1.0\n"
    body = b"text at the bottom\n"
    for level in range(60):
        boundary = f"b{level}".encode()
        body = (
            b"Content-Type: multipart/mixed; boundary="
            + boundary
            + b"\n\n--"
            + boundary
            + b"\n"
            + body
            + b"\n--"
            + boundary
            + b"--\n"
        )
    mail = parse(head + body)
    assert any("too deeply" in defect for defect in mail.defects)


# --- no catastrophic backtracking -------------------------------------------------------------
# Speed itself is measured in bench/mail_parse.py, not asserted here. These bounds only catch a
# pattern that backtracks without end (minutes, not milliseconds), with room for a busy machine.
CATASTROPHIC_SECONDS = 20


def test_a_one_megabyte_single_line_body_is_linear():
    raw = b"From: a@example.in\nSubject: long\n\n" + b"x" * (1024 * 1024) + b" wrote:"
    started = time.perf_counter()
    mail = parse(raw)
    assert time.perf_counter() - started < CATASTROPHIC_SECONDS
    assert len(mail.text) == 1024 * 1024 + 7
