"""The ticket page in a real browser, in English and in Hindi: an owner replies, writes an
internal note, logs a call and escalates with the keyboard; a supervisor opening the same ticket
in another browser sees her replying; the supervisor's note makes her reply stale, which is
caught and sent once she confirms; then she solves the ticket. No console errors, and axe finds
nothing serious on the page."""

import re

import pytest
from playwright.sync_api import expect

from sampark.team import services as team
from sampark.team.models import AgentProfile
from sampark.tickets import services as tickets
from sampark.tickets.models import Status, Ticket, TicketEvent

PASSWORD = "rk7-Vq2n-Lm4x"  # noqa: S105 - a test account's password


pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_password_hashing")]
Kind = TicketEvent.Kind

WORDS = {
    "en": {
        "sent": "Sent.",
        "note_label": "Internal note",
        "call": "Outbound call",
        "escalate": "Escalate",
        "reason": "Reason",
        "replying": "Asha Rao is replying",
        "changed": "The ticket changed since you opened it",
        "send": "Send",
        "send_again": "Send again",
        "status": "Status",
        "change_status": "Change status",
        "solved": "Solved",
        "draft_saved": "draft saved",
        "call_minutes": "Call duration (minutes)",
    },
    "hi": {
        "sent": "भेज दिया गया।",
        "note_label": "आंतरिक नोट",
        "call": "जाने वाली कॉल",
        "escalate": "एस्केलेट करें",
        "reason": "कारण",
        "replying": "Asha Rao जवाब लिख रहे हैं",
        "changed": "आपके खोलने के बाद इस टिकट में बदलाव हुए हैं",
        "send": "भेजें",
        "send_again": "दोबारा भेजें",
        "status": "स्थिति",
        "change_status": "स्थिति बदलें",
        "solved": None,  # read from the catalogue below
        "draft_saved": "ड्राफ़्ट",
        "call_minutes": "कॉल की अवधि (मिनट)",
    },
}


@pytest.fixture
def front_desk(make_group):
    return make_group(name="Home broadband", tier="L1")


@pytest.fixture
def network(make_group):
    return make_group(name="Network specialists", tier="L2")


@pytest.fixture
def asha(make_agent, front_desk):
    return make_agent(
        email="asha@sampark.test", name="Asha Rao", password=PASSWORD, groups=[front_desk]
    )


@pytest.fixture
def meenakshi(make_agent, front_desk):
    return make_agent(
        email="meenakshi@sampark.test",
        name="Meenakshi Iyer",
        password=PASSWORD,
        role=AgentProfile.Role.SUPERVISOR,
        groups=[front_desk],
    )


@pytest.fixture
def router(make_ticket, make_contact, front_desk, asha, network):
    requester = make_contact(email="sunita@acme.example", name="Sunita Verma", language="hi")
    ticket = make_ticket(
        requester=requester,
        subject="राउटर बार-बार बंद हो रहा है",
        group=front_desk,
        language="hi",
        description="राउटर हर घंटे बंद हो जाता है।",
    )
    return tickets.update_ticket(ticket.pk, actor=asha, expected_version=ticket.version, owner=asha)


def send(page, words, text, label=None):
    """Send from the composer. The answer is a fresh composer in place, or the whole page when
    the send changed what the page's actions follow (the first reply opens the ticket)."""
    page.locator("#composer-body").fill(text)
    page.get_by_role("button", name=label or words["send"], exact=True).click()
    expect(page.locator("#composer-body")).to_have_value("")
    expect(page.locator(".messages")).to_contain_text(words["sent"])


@pytest.mark.parametrize("language", ["en", "hi"])
def test_an_owner_works_a_ticket_while_a_supervisor_looks_on(
    sign_in, open_browser, asha, meenakshi, router, network, language, assert_accessible
):
    for user in (asha, meenakshi):
        team.set_workspace_preferences(user.agent, language=language)
    words = dict(WORDS[language])
    from django.utils import translation

    with translation.override(language):
        words["solved"] = str(Status.SOLVED.label)

    page = open_browser()
    sign_in(page, asha.email)
    page.goto(f"/tickets/{router.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1 [lang=hi]")).to_have_text("राउटर बार-बार बंद हो रहा है")
    assert_accessible(page)

    # r: a public reply.
    page.locator("body").press("r")
    expect(page.locator("#composer-body")).to_be_focused()
    send(page, words, "Please restart the router once.")
    expect(page.locator(".event-message_out").last).to_contain_text("Please restart the router")

    # n: an internal note, labelled so that nobody takes it for a reply. It is answered in
    # place: the page is not loaded again.
    page.evaluate("window.stillTheSamePage = true")
    page.evaluate("window.liveRegion = document.getElementById('messages')")
    page.locator("body").press("n")
    send(page, words, "Line noise on the exchange side.")
    note = page.locator(".event.is-note").last
    expect(note).to_contain_text(words["note_label"])
    expect(note).to_contain_text("Line noise")
    assert page.evaluate("window.stillTheSamePage") is True
    # "Sent." came into the live region that was there, so a screen reader announces it.
    assert page.evaluate("document.getElementById('messages') === window.liveRegion") is True
    # The page's other forms now act on the version the note made.
    version = page.locator("#composer-version").input_value()
    assert page.locator("#escalate input[name=version]").input_value() == version

    # c: a call, with its duration.
    page.locator("body").press("c")
    page.get_by_label(words["call_minutes"]).fill("6")
    send(page, words, "Called her back; she will check the cable.")
    expect(page.locator(".event-call").last).to_contain_text(words["call"])

    # e: escalate to a higher tier, with a reason.
    page.locator("body").press("e")
    expect(page.locator("#escalate-group")).to_be_focused()
    page.locator("#escalate-reason").fill("Needs a line test")
    with page.expect_navigation():
        page.locator("#escalate").get_by_role("button", name=words["escalate"]).click()
    expect(page.locator(".event-escalated").last).to_contain_text("Network specialists")
    assert Ticket.objects.get(pk=router.pk).group == network

    # Asha starts a reply; the draft is saved as she types.
    page.locator("body").press("r")
    page.locator("#composer-body").press_sequentially("The engineer visits tomorrow")
    expect(page.locator("#draft-status")).to_contain_text(words["draft_saved"])

    # A supervisor, in another browser, opens the same ticket and sees Asha replying.
    other = open_browser()
    sign_in(other, meenakshi.email)
    other.goto(f"/tickets/{router.pk}/")
    expect(other.locator("#viewers")).to_contain_text(words["replying"])
    # ... and writes a note, which makes Asha's open page stale.
    other.locator("body").press("n")
    send(other, words, "Spoke to the field team: engineer booked.")

    # Asha's send is caught: nothing is sent, the new note is shown, and she confirms.
    page.get_by_role("button", name=words["send"], exact=True).click()
    stale = page.locator("#changed")
    expect(page.locator(".messages")).to_have_count(0)  # the page's earlier message went
    expect(stale).to_contain_text(words["changed"])
    expect(stale).to_contain_text("engineer booked")
    expect(page.locator("#composer-body")).to_have_value("The engineer visits tomorrow")
    assert not TicketEvent.objects.filter(body__startswith="The engineer visits").exists()
    page.get_by_role("button", name=words["send_again"], exact=True).click()
    expect(page.locator("#composer-body")).to_have_value("")
    expect(page.locator(".messages")).to_contain_text(words["sent"])
    expect(page.locator("#changed")).to_have_count(0)
    assert TicketEvent.objects.filter(
        ticket=router, kind=Kind.MESSAGE_OUT, body="The engineer visits tomorrow"
    ).exists()

    # Resolve.
    page.locator("#status-select").select_option(label=words["solved"])
    with page.expect_navigation():
        page.get_by_role("button", name=words["change_status"]).click()
    expect(page.locator(".ticket-head .status")).to_have_text(words["solved"])
    assert Ticket.objects.get(pk=router.pk).status == Status.SOLVED
    assert_accessible(page)


def test_shortcuts_wait_while_a_field_has_focus(sign_in, open_browser, asha, router):
    page = open_browser()
    sign_in(page, asha.email)
    page.goto(f"/tickets/{router.pk}/")

    page.locator("#priority-reason").evaluate("el => el.closest('details').open = true")
    page.locator("#priority-reason").press_sequentially("never")

    expect(page.locator("#priority-reason")).to_have_value("never")
    expect(page.locator("#composer-body")).not_to_be_focused()
    expect(page.locator("#escalate")).not_to_have_attribute("open", re.compile(".*"))
