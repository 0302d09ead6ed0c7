"""strip_quotes: what the timeline shows of a reply, for the fixtures written for each client
and language, and the care not to eat what the customer wrote."""

import time
from pathlib import Path

import pytest

from sampark.mail.parsing import parse
from sampark.mail.quotes import has_forward_marker, strip_quotes

FIXTURES = Path(__file__).parent / "data" / "mail"

# file: (what the timeline shows, a line of the quoted history that must be gone)
REPLIES = {
    "reply-gmail-en.eml": ("I restarted it and the light is green now.", "wrote:"),
    "reply-gmail-en-wrapped.eml": (
        "Still red after the restart.",
        "<support@sampark.example> wrote:",
    ),
    "reply-gmail-hi.eml": ("मैंने राउटर दोबारा चालू किया, अब बत्ती हरी है।", "ने लिखा:"),
    "reply-outlook-en.eml": ("Thanks, that worked.", "Sent: Monday, March 3, 2025"),
    "reply-outlook-original-message.eml": ("It is green now.", "-----Original Message-----"),
    "reply-outlook-hi.eml": ("धन्यवाद, अब ठीक है। कल फिर से जाँच लूँगी।", "भेजा गया:"),
    "reply-outlook-hi-original.eml": ("समस्या फिर से आ गई है।", "मूल संदेश"),
    "reply-apple-mail.eml": ("Works now, thank you.", "Sent from my iPhone"),
    "reply-thunderbird.eml": ("Done, and it works.", "Network admin"),
    "reply-thunderbird-hi.eml": ("नया राउटर कब तक आएगा?", "ने लिखा:"),
    "reply-hinglish.eml": ("Haan ji, ab chal raha hai.", "ne likha:"),
    "reply-german.eml": ("Danke, es funktioniert wieder.", "schrieb"),
    "reply-french.eml": ("Merci, tout marche.", "a écrit"),
    "reply-spanish.eml": ("Gracias, ya funciona.", "escribió"),
    "reply-interleaved.eml": ("It is the AX-3000.\n\nSince Sunday night.", "> Which model"),
    "reply-hindi-closer.eml": ("राउटर अब ठीक चल रहा है।", "नेटवर्क टीम"),
    "reply-mobile-signatures.eml": ("Okay, I will try tonight.", "Get Outlook for Android"),
    "reply-android-hi.eml": ("ठीक है, मैं शाम को देखूँगा।", "से भेजा गया"),
    "html-only-hindi-reply.eml": ("जी, अब ठीक चल रहा है। धन्यवाद!", "दोबारा चालू करके"),
}


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_a_reply_shows_only_what_is_new(name):
    mail = parse((FIXTURES / name).read_bytes())
    shown, gone = REPLIES[name]
    assert mail.stripped == shown
    assert gone in mail.text and gone not in mail.stripped
    assert mail.quoted


# Mail whose every line is the sender's own: nothing may be cut.
UNTOUCHED = [
    "plain-english.eml",
    "hindi-closer-is-content.eml",
    "signature-dashes-in-text.eml",
    "forward-gmail.eml",
    "forward-apple.eml",
    "forward-outlook.eml",
    "forward-hindi.eml",
    "reply-all-quote.eml",
]


@pytest.mark.parametrize("name", UNTOUCHED)
def test_the_senders_own_words_are_never_cut(name):
    mail = parse((FIXTURES / name).read_bytes())
    assert mail.stripped == mail.text
    assert not mail.quoted


def test_a_forwarded_mail_keeps_its_forwarded_header_and_body():
    mail = parse((FIXTURES / "forward-gmail.eml").read_bytes())
    assert "From: Customer <customer@example.org>" in mail.stripped
    assert "I was charged twice for order 5521." in mail.stripped
    assert mail.forwarded


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes.\n\nOn Tue, 4 Mar 2025, 09:12 Priya <p@example.in> wrote:\n> Is it fixed?", "Yes."),
        ("हाँ।\n\n4 मार्च 2025 को प्रिया ने लिखा:\n> ठीक हुआ?", "हाँ।"),
        ("हाँ।\n\nप्रिया ने लिखा:\n> ठीक हुआ?", "हाँ।"),
        ("Yes.\n\nPriya ne likha hai:\n> Theek hua?", "Yes."),
        ("Ok\n\nOp 4 mrt. 2025 om 09:12 schreef Priya <p@example.nl>:\n> Klaar?", "Ok"),
        ("Fine.\n\n-----Ursprüngliche Nachricht-----\nVon: Support\nGesendet: Montag", "Fine."),
        ("Sure.\n\nFrom: A <a@example.in>\nDate: 4 Mar 2025\nSubject: Hi\nTo: B", "Sure."),
        ("Done.\n-- \nRavi\n+91 98000 00000", "Done."),
        ("Done.\n\nसादर,\nरवि", "Done."),
        ("Done.\n\nRegards,\nRavi Kumar\nExample Pvt Ltd", "Done."),
        ("Done.\n\nSent from my iPad", "Done."),
        (
            "Done.\n\n_______________________________________________\nops mailing list\nops@x",
            "Done.",
        ),
    ],
)
def test_quote_headers_and_signatures_in_many_forms(text, expected):
    assert strip_quotes(text) == (expected, True)


@pytest.mark.parametrize(
    "text",
    [
        "My colleague wrote:\nthe error says 403.\n\nCan you help?",
        "On your remote host you can run:\n\n    telnet 127.0.0.1 52698",
        "From: the billing team I got no answer.\nTo: be honest that is slow.",
        "धन्यवाद\nपर मेरी समस्या अभी भी बनी हुई है, कृपया दोबारा देखें, आज ही।",
        "Regards,\nWhat should I do now that the router does not start?",
        "> 5 users are affected\nand nobody can log in.",
        "Sent from my desk, which is easier than my phone.",
    ],
)
def test_content_that_only_looks_like_a_quote_is_kept(text):
    assert strip_quotes(text) == (text, False)


def test_a_message_that_is_all_quote_stays_readable():
    text = "On Mon, 3 Mar 2025 at 10:15, Support <s@example.in> wrote:\n> Please restart."
    assert strip_quotes(text) == (text, False)
    assert strip_quotes("") == ("", False)
    assert strip_quotes("   \n") == ("   \n", False)


def test_forward_markers_are_found_in_text():
    assert has_forward_marker("FYI\n\n---------- Forwarded message ---------\nFrom: a")
    assert has_forward_marker("x\nFrom: a@b\nSent: today\nTo: c\nSubject: Fwd: hi\n")
    assert not has_forward_marker("x\nFrom: a@b\nSent: today\nTo: c\nSubject: Re: hi\n")


# Only a pattern that backtracks without end (minutes) fails these; speed is measured in
# bench/mail_parse.py, never asserted in a unit test.
CATASTROPHIC_SECONDS = 20


def test_a_ten_thousand_line_quote_is_cut_in_linear_time():
    text = "Thanks!\n\nOn Mon, 3 Mar 2025, A <a@example.in> wrote:\n" + "> quoted line\n" * 10_000
    started = time.perf_counter()
    assert strip_quotes(text) == ("Thanks!", True)
    assert time.perf_counter() - started < CATASTROPHIC_SECONDS


def test_a_one_megabyte_line_is_linear():
    text = "word " * 200_000 + "wrote:"
    started = time.perf_counter()
    assert strip_quotes(text) == (text, False)
    text = ">" * 1_000_000 + "\n" + "On Mon, 3 Mar 2025 at 10:15 " * 30_000 + "wrote:"
    strip_quotes(text)
    assert time.perf_counter() - started < CATASTROPHIC_SECONDS
