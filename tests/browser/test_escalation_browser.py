"""Escalation and swarming in a real browser, in English and in Hindi: the owner escalates a
ticket to the next tier (she stays its owner), asks a specialist for help; he finds the
request under "Swarm requests for me", joins and contributes; she closes the request with a
summary and de-escalates the ticket back to her tier. No console errors, and axe finds
nothing serious on the ticket page with its panels or on the requests page."""

import re

import pytest
from playwright.sync_api import expect
from test_workspace_ticket_browser import PASSWORD

from sampark.team import services as team
from sampark.tickets import services as tickets
from sampark.tickets.models import Escalation, SwarmRequest, Ticket, TicketEvent

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_password_hashing")]

WORDS = {
    "en": {
        "escalate": "Escalate",
        "open_escalation": "1 open escalation",
        "ask": "Ask for help",
        "requests": "Swarm requests for me",
        "join": "Join to help",
        "contribute": "Contribute",
        "close": "Close with this summary",
        "deescalate": "De-escalate",
        "closed": "Request for help closed",
    },
    "hi": {
        "escalate": "एस्केलेट करें",
        "open_escalation": "1 खुला एस्केलेशन",
        "ask": "मदद माँगें",
        "requests": "मुझसे मदद के अनुरोध",
        "join": "मदद के लिए जुड़ें",
        "contribute": "योगदान दें",
        "close": "इस सारांश के साथ बंद करें",
        "deescalate": "एस्केलेशन वापस लें",
        "closed": "मदद का अनुरोध बंद हुआ",
    },
}


@pytest.fixture
def front_desk(make_group):
    return make_group(name="Home broadband", tier="L1")


@pytest.fixture
def network(make_group, front_desk):
    group = make_group(name="Network specialists", tier="L2")
    team.save_group(front_desk, escalates_to=group)
    return group


@pytest.fixture
def asha(make_agent, front_desk):
    return make_agent(
        email="asha@sampark.test", name="Asha Rao", password=PASSWORD, groups=[front_desk]
    )


@pytest.fixture
def farhan(make_agent, network):
    return make_agent(
        email="farhan@sampark.test",
        name="Farhan Ali",
        password=PASSWORD,
        tier="L2",
        groups=[network],
        skills=["bgp"],
    )


@pytest.fixture
def router(make_ticket, make_contact, front_desk, asha):
    requester = make_contact(email="sunita@acme.example", name="Sunita Verma", language="hi")
    ticket = make_ticket(
        requester=requester,
        subject="राउटर बार-बार बंद हो रहा है",
        group=front_desk,
        language="hi",
        description="राउटर हर घंटे बंद हो जाता है।",
    )
    return tickets.update_ticket(ticket.pk, actor=asha, expected_version=ticket.version, owner=asha)


def click_and_wait(page, locator):
    with page.expect_navigation():
        locator.click()


@pytest.mark.parametrize("language", ["en", "hi"])
def test_escalate_swarm_and_deescalate_keep_one_owner(
    sign_in, open_browser, asha, farhan, router, front_desk, network, language, assert_accessible
):
    for user in (asha, farhan):
        team.set_workspace_preferences(user.agent, language=language)
    words = WORDS[language]

    page = open_browser()
    sign_in(page, asha.email)
    page.goto(f"/tickets/{router.pk}/")

    # Escalate with no group chosen: the next in the chain. Asha stays the owner.
    page.locator("body").press("e")
    page.locator("#escalate-reason").fill("Line test needed at the exchange")
    click_and_wait(page, page.locator("#escalate").get_by_role("button", name=words["escalate"]))
    expect(page.locator(".ticket-facts")).to_contain_text(words["open_escalation"])
    expect(page.locator("#escalations")).to_contain_text("L1 → L2 · Network specialists")
    escalated = Ticket.objects.get(pk=router.pk)
    assert (escalated.tier, escalated.owner) == ("L2", asha)

    # Ask Farhan for help.
    page.locator("#ask-for-help summary").click()
    page.locator("#swarm-message").fill("BGP flaps every hour: seen this before?")
    page.locator("#swarm-agents").select_option(label="Farhan Ali")
    click_and_wait(page, page.locator("#ask-for-help").get_by_role("button", name=words["ask"]))
    expect(page.locator("#swarm")).to_contain_text("BGP flaps every hour")
    assert_accessible(page)

    # Farhan finds the request, joins, and contributes.
    other = open_browser()
    sign_in(other, farhan.email)
    other.get_by_role("link", name=re.compile(words["requests"])).click()
    expect(other.locator("main")).to_contain_text("BGP flaps every hour")
    assert_accessible(other)
    click_and_wait(other, other.get_by_role("button", name=words["join"]))
    expect(other).to_have_url(re.compile(f"/tickets/{router.pk}/$"))
    other.locator("#swarm textarea[name=body]").fill("Hold timer mismatch on the PE; fixed.")
    click_and_wait(other, other.get_by_role("button", name=words["contribute"]))
    swarm = SwarmRequest.objects.get(ticket=router)
    assert TicketEvent.objects.filter(ticket=router, data__swarm=swarm.pk, kind="note").exists()

    # Asha sees the contribution, closes the request with a summary, and de-escalates.
    page.reload()
    expect(page.locator("#swarm")).to_contain_text("Hold timer mismatch")
    page.locator("#swarm textarea[name=summary]").fill("PE timers aligned; no more flaps.")
    click_and_wait(page, page.get_by_role("button", name=words["close"]))
    expect(page.locator(".event-swarm_closed")).to_contain_text(words["closed"])

    page.locator("#deescalate summary").click()
    page.locator("#deescalate-reason").fill("Fixed at L2; back to the customer")
    click_and_wait(
        page, page.locator("#deescalate").get_by_role("button", name=words["deescalate"])
    )
    expect(page.locator(".event-deescalated").last).to_contain_text("Home broadband")
    back = Ticket.objects.get(pk=router.pk)
    assert (back.tier, back.group, back.owner) == ("L1", front_desk, asha)
    assert Escalation.objects.get(ticket=router).closed_at is not None
    assert_accessible(page)
