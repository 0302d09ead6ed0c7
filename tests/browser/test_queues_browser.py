"""The queues in a real browser, in English and in Hindi: from My groups, j/k/Enter reach a
ticket, x selects two rows, a bulk action changes them and the sidebar's counts follow; and
the queue pages are accessible."""

import re

import pytest
from playwright.sync_api import expect

from sampark.tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_password_hashing")]
PASSWORD = "rk7-Vq2n-Lm4x"  # noqa: S105 - a test account's password


@pytest.fixture
def asha(make_agent, default_group):
    return make_agent(
        email="asha@sampark.test", name="Asha Rao", password=PASSWORD, groups=[default_group]
    )


@pytest.fixture
def three_tickets(make_ticket, make_contact, default_group):
    requester = make_contact(email="sunita@acme.example", name="Sunita Verma")
    return [
        make_ticket(requester=requester, subject=subject, group=default_group, owner=None)
        for subject in ("राउटर बार-बार बंद हो रहा है", "Printer jams", "Invoice missing")
    ]


def count_of(page, name: str):
    """A sidebar count, which arrives just after its page."""
    return page.locator(f'.sidebar a[href="/queues/{name}/"] .count')


@pytest.mark.parametrize("locale", ["en-GB", "hi-IN"])
def test_an_agent_works_the_queue_from_the_keyboard_and_in_bulk(
    sign_in, open_browser, asha, three_tickets, locale, assert_accessible
):
    page = open_browser(locale=locale)
    sign_in(page, asha.email)
    page.locator('.sidebar a[href="/queues/groups/"]').click()
    expect(page).to_have_url(re.compile("/queues/groups/$"))
    expect(page.locator('.sidebar a[href="/queues/groups/"]')).to_have_attribute(
        "aria-current", "page"
    )
    expect(count_of(page, "groups")).to_have_text("3")
    expect(count_of(page, "mine")).to_have_text("0")
    assert_accessible(page)

    links = page.locator("#queue-rows a.ticket-link")
    page.locator("body").press("j")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(links.nth(2)).to_be_focused()
    page.keyboard.press("k")
    expect(links.nth(1)).to_be_focused()
    target = links.nth(1).get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
    expect(page.locator("h1")).to_contain_text("#")
    page.go_back()

    page.locator("body").press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("#queue-rows input[type=checkbox]:checked")).to_have_count(2)
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-help")).to_be_visible()
    page.keyboard.press("Escape")

    page.locator("#bulk-action").select_option("priority")
    page.locator("#bulk-priority").select_option("P1")
    page.locator("#bulk-reason").fill("पूरा दफ़्तर बंद")
    page.locator("#bulk-reason").press("j")  # typing in a field is not a shortcut
    expect(page.locator("#bulk-reason")).to_have_value("पूरा दफ़्तर बंदj")
    page.locator("#bulk-reason").fill("पूरा दफ़्तर बंद")
    page.locator("#bulk button[type=submit]").click()
    expect(page.locator("p[role=status]")).to_have_text(re.compile("^2 "))
    assert Ticket.objects.filter(priority__code="P1").count() == 2

    page.go_back()
    page.reload()
    page.locator("body").press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.locator("#bulk-action").select_option("owner")
    page.locator("#bulk-owner").select_option(str(asha.pk))
    page.locator("#bulk button[type=submit]").click()
    expect(page.locator("p[role=status]")).to_have_text(re.compile("^2 "))
    expect(count_of(page, "mine")).to_have_text("2")
    expect(count_of(page, "unassigned")).to_have_text("1")


@pytest.mark.parametrize("locale", ["en-GB", "hi-IN"])
def test_the_queue_and_view_pages_are_accessible(
    sign_in, open_browser, asha, three_tickets, locale, assert_accessible
):
    page = open_browser(locale=locale)
    sign_in(page, asha.email)
    for path in ("/queues/mine/", "/queues/groups/", "/queues/sla/", "/views/new/"):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", locale[:2])
        assert_accessible(page)
