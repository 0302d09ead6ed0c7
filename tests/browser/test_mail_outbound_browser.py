"""Undo send in a real browser, in English and in Hindi: an agent replies to an email ticket,
sees "Sending in … s" with Undo under the reply, takes it back before it leaves, and finds
the text back in the composer. No console errors, and axe finds nothing serious."""

import re

import pytest
from playwright.sync_api import expect

from sampark.mail.models import Mailbox, OutboundMessage
from sampark.mail.services.ingest import ingest
from sampark.tickets.models import Ticket
from tests.test_mail_ingest import mail

PASSWORD = "rk7-Vq2n-Lm4x"  # noqa: S105 - a test account's password

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_password_hashing")]

WORDS = {
    "en-GB": {
        "send": "Send",
        "sending": re.compile(r"Sending in \d+ s"),
        "undo": "Undo",
        "taken_back": "Taken back; never sent",
        "in_composer": "The reply was taken back; its text is in the composer.",
    },
    "hi-IN": {
        "send": "भेजें",
        "sending": re.compile(r"\d+ सेकंड में भेजा जाएगा"),
        "undo": "भेजना रद्द करें",
        "taken_back": "वापस लिया गया; भेजा नहीं गया",
        "in_composer": "जवाब वापस ले लिया गया; उसका टेक्स्ट लिखने के बॉक्स में है।",
    },
}


@pytest.fixture
def ticket(db):
    mailbox = Mailbox.objects.get(is_default=True)
    mailbox.undo_seconds = 120  # room for a slow machine; nothing sends in these tests
    mailbox.save(update_fields=["undo_seconds"])
    result = ingest(mail(), via="pipe")
    return Ticket.objects.get(number=result.ticket_number)


@pytest.mark.parametrize("locale", ["en-GB", "hi-IN"])
def test_a_reply_taken_back_comes_back_to_the_composer(
    open_browser, sign_in, make_agent, ticket, locale, assert_accessible
):
    words = WORDS[locale]
    make_agent(email="priya@sampark.test", name="Priya Sharma", role="admin", password=PASSWORD)
    page = open_browser(locale=locale)
    sign_in(page, "priya@sampark.test")
    page.goto(f"/tickets/{ticket.pk}/")

    page.locator("#kind-reply").check()
    page.locator("#composer-body").fill("Please restart the router and wait two minutes.")
    page.get_by_role("button", name=words["send"], exact=True).click()

    delivery = page.locator(".delivery")
    expect(delivery).to_contain_text(words["sending"])
    assert_accessible(page)
    delivery.get_by_role("button", name=words["undo"]).click()

    expect(page.locator("#composer-body")).to_have_value(
        "Please restart the router and wait two minutes."
    )
    expect(page.locator(".messages")).to_contain_text(words["in_composer"])
    expect(page.locator(".delivery")).to_contain_text(words["taken_back"])
    assert OutboundMessage.objects.get(kind="reply").status == "cancelled"
