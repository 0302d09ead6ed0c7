"""The contact and organization pages in a real browser, in English and in Hindi: a supervisor
follows the requester from a ticket to her contact page, brings older interactions in, opens
her organization, then finds her duplicate contact and merges it; the page that stays shows
the duplicate's ticket. No console errors, no sideways scrolling at a laptop's width or a
tablet's, and axe finds nothing serious on any page."""

import re

import pytest
from playwright.sync_api import expect

from sampark.customers import services as customers
from sampark.customers.models import Contact, ContactMerge
from sampark.team import services as team
from sampark.team.models import AgentProfile
from sampark.tickets import services as tickets
from sampark.workspace import customer_queries

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_password_hashing")]

WORDS = {
    "en": {
        "contact": "Contact",
        "organization": "Organization",
        "show_older": "Show older",
        "merged": "Sunita V. is merged into Sunita Verma",
        "merge": "Merge the two contacts",
    },
    "hi": {
        "contact": "संपर्क",
        "organization": "संगठन",
        "show_older": "पुरानी गतिविधियाँ दिखाएँ",
        "merged": "Sunita V. को Sunita Verma में मर्ज कर दिया गया",
        "merge": "दोनों संपर्क मर्ज करें",
    },
}
TABLET = {"width": 800, "height": 1100}


@pytest.fixture
def front_desk(make_group):
    return make_group(name="Home broadband", tier="L1")


@pytest.fixture
def meenakshi(make_agent, front_desk):
    return make_agent(
        email="meenakshi@sampark.test",
        name="Meenakshi Iyer",
        password="rk7-Vq2n-Lm4x",  # noqa: S106 - the password sign_in uses
        role=AgentProfile.Role.SUPERVISOR,
        groups=[front_desk],
    )


@pytest.fixture
def acme(make_agent, front_desk):
    rahul = make_agent(email="rahul@sampark.test", name="Rahul Mehta", groups=[front_desk])
    return customers.save_organization(
        name="Acme Pvt Ltd", tier="enterprise", account_manager=rahul, domains=["acme.example"]
    )


@pytest.fixture
def sunita(make_contact, acme):
    contact = make_contact(
        email="sunita@acme.example", phone="+91 98765 43210", name="Sunita Verma"
    )
    customers.save_asset(
        contact=contact, name="Home router", model_number="AX-3000", serial_number="SN-77"
    )
    return contact


@pytest.fixture
def router(make_ticket, sunita, front_desk, meenakshi):
    """Sunita's ticket, with more messages than the contact page shows at once."""
    ticket = make_ticket(
        requester=sunita,
        subject="राउटर बार-बार बंद हो रहा है",
        group=front_desk,
        language="hi",
        owner=meenakshi,
    )
    for n in range(customer_queries.INTERACTIONS + 5):
        tickets.add_message(ticket.pk, body=f"Still dropping, day {n}", contact=sunita)
    return ticket


@pytest.fixture
def duplicate(make_contact, make_ticket, front_desk):
    contact = make_contact(email="sunita.verma.bpl@mail.example", name="Sunita V.")
    make_ticket(requester=contact, subject="Modem light red", group=front_desk)
    return contact


def no_sideways_scrolling(page) -> None:
    width, room = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width <= room, f"{page.url} scrolls sideways: {width} > {room}"


@pytest.mark.parametrize("language", ["en", "hi"])
def test_a_supervisor_reads_a_customer_and_merges_her_duplicate(
    open_browser, sign_in, meenakshi, sunita, acme, router, duplicate, language, assert_accessible
):
    team.set_workspace_preferences(meenakshi.agent, language=language)
    words = WORDS[language]
    page = open_browser()
    sign_in(page, meenakshi.email)

    # From the ticket to the customer: the requester's name links to her page.
    page.goto(f"/tickets/{router.pk}/")
    with page.expect_navigation():
        page.locator("#customer-heading + .facts").get_by_role("link", name="Sunita Verma").click()
    expect(page).to_have_url(re.compile(f"/contacts/{sunita.pk}/$"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".customer-head .kicker")).to_have_text(words["contact"])
    expect(page.locator("h1")).to_have_text("Sunita Verma")
    expect(page.locator(".identities")).to_contain_text("+919876543210")
    expect(page.locator(".assets")).to_contain_text("AX-3000")
    expect(page.locator(".queue-list")).to_contain_text(f"#{router.number}")
    no_sideways_scrolling(page)
    assert_accessible(page)

    # Older interactions come in place, without leaving the page.
    events = page.locator("#interactions .event")
    expect(events).to_have_count(customer_queries.INTERACTIONS)
    page.get_by_role("link", name=words["show_older"]).click()
    # The 35 messages, the opening and the first message it came with.
    expect(events).to_have_count(customer_queries.INTERACTIONS + 5 + 2)
    expect(page.locator("#interactions")).to_contain_text("Still dropping, day 0")

    # Her organization: its tier, account manager, people and tickets.
    with page.expect_navigation():
        page.locator(".customer-head").get_by_role("link", name="Acme Pvt Ltd").click()
    expect(page.locator(".customer-head .kicker")).to_have_text(words["organization"])
    expect(page.locator(".customer-head")).to_contain_text("Rahul Mehta")
    expect(page.locator("#contacts")).to_contain_text("Sunita Verma")
    expect(page.locator(".queue-list")).to_contain_text(f"#{router.number}")
    no_sideways_scrolling(page)
    assert_accessible(page)
    page.set_viewport_size(TABLET)
    no_sideways_scrolling(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    # Back to her page; find the duplicate by its address, choose it, confirm.
    page.goto(f"/contacts/{sunita.pk}/")
    page.locator("#merge-q").fill("Sunita.Verma.BPL@mail.example")
    with page.expect_navigation():
        page.locator("#merge-q").press("Enter")
    expect(page.locator("table.list")).to_contain_text("sunita.verma.bpl@mail.example")
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("table.list a.button").click()
    expect(page.locator(".merge-option")).to_have_count(2)
    expect(page.locator(".merge-option input[value=this]")).to_be_checked()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name=words["merge"]).click()

    expect(page).to_have_url(re.compile(f"/contacts/{sunita.pk}/$"))
    expect(page.locator(".messages")).to_contain_text(words["merged"])
    expect(page.locator(".queue-list")).to_contain_text("Modem light red")
    expect(page.locator(".identities")).to_contain_text("sunita.verma.bpl@mail.example")
    assert_accessible(page)
    assert Contact.objects.get(pk=duplicate.pk).merged_into_id == sunita.pk
    assert ContactMerge.objects.get().actor == meenakshi

    # The duplicate's old page leads to the contact that stayed.
    page.goto(f"/contacts/{duplicate.pk}/")
    expect(page).to_have_url(re.compile(f"/contacts/{sunita.pk}/$"))
