"""The coordinator board in a real browser, in English and in Hindi: a supervisor finds it in
the navigation, clicks a number and lands on a queue of exactly that many tickets; the board
refreshes its numbers when the tab comes back into view; both pages are accessible."""

import re

import pytest
from playwright.sync_api import expect

from sampark.team.models import AgentProfile

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_password_hashing")]
PASSWORD = "rk7-Vq2n-Lm4x"  # noqa: S105 - a test account's password


@pytest.fixture
def meenakshi(make_agent, default_group):
    return make_agent(
        email="meenakshi@sampark.test",
        name="Meenakshi Rao",
        password=PASSWORD,
        role=AgentProfile.Role.SUPERVISOR,
        groups=[default_group],
    )


@pytest.fixture
def desk(make_ticket, make_group, make_agent, default_group):
    """Two groups: the front desk's tickets at three priorities, half of them unassigned, and
    an escalation group's."""
    network = make_group(name="Network team", tier="L2")
    asha = make_agent(name="Asha Rao", groups=[default_group], capacity=2)
    for priority, owner in [("P1", None), ("P1", asha), ("P2", None), ("P3", asha), ("P3", asha)]:
        make_ticket(
            group=default_group, owner=owner, priority=priority, subject=f"{priority} राउटर"
        )
    make_ticket(group=network, owner=None, priority="P2", subject="Switch down")
    return network


@pytest.mark.parametrize("locale", ["en-GB", "hi-IN"])
def test_a_supervisor_opens_a_number_of_the_board_and_finds_exactly_its_tickets(
    sign_in, open_browser, meenakshi, desk, default_group, make_ticket, locale, assert_accessible
):
    page = open_browser(locale=locale)
    sign_in(page, meenakshi.email)
    page.get_by_role("link", name=re.compile("^(Board|बोर्ड)$")).click()
    expect(page).to_have_url(re.compile("/board/$"))
    expect(page.locator("h1")).to_have_text(re.compile("Coordinator board|समन्वयक बोर्ड"))
    expect(page.locator("html")).to_have_attribute("lang", locale[:2])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)

    name = default_group.name_hi if locale == "hi-IN" else default_group.name
    grid = page.locator("#board-open").locator("xpath=..")
    front = grid.locator("tbody tr", has=page.locator(f"th:text-is('{name}')"))
    p1 = front.locator("td").nth(0).locator("a")
    expect(p1).to_have_text("2")
    p1.click()
    expect(page).to_have_url(re.compile(r"/queues/filter/\?priority=P1&group=\d+$"))
    expect(page.locator("h1")).to_have_text(f"P1 · {name}")
    expect(page.locator("#queue-rows a.ticket-link")).to_have_count(2)
    assert_accessible(page)

    page.go_back()
    unassigned_total = page.locator("#board-unassigned").locator("xpath=..").locator("tfoot a")
    expect(unassigned_total.last).to_have_text("3")
    unassigned_total.last.click()
    expect(page.locator("#queue-rows a.ticket-link")).to_have_count(3)
    page.go_back()

    # The numbers come again when the tab is back in view (and every 30 seconds while it is).
    make_ticket(group=default_group, owner=None, priority="P1")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(p1).to_have_text("3")


def test_an_agent_is_not_offered_the_board(sign_in, open_browser, make_agent, default_group):
    make_agent(email="ravi@sampark.test", password=PASSWORD, groups=[default_group])
    page = open_browser()
    sign_in(page, "ravi@sampark.test")

    expect(page.locator("nav.sidebar")).to_contain_text("Search tickets")
    expect(page.get_by_role("link", name="Board")).to_have_count(0)


def test_the_board_fits_a_tablet(sign_in, open_browser, meenakshi, desk, assert_accessible):
    page = open_browser(viewport={"width": 800, "height": 1000})
    sign_in(page, meenakshi.email)
    page.goto("/board/")

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
