"""One problem, one ticket, in a real browser and in both languages: the owner opens a ticket
whose first message lists three problems in Hinglish, reads the suggestion, and makes the
second problem a ticket of its own; the third stays suggested. The box fits a laptop and a
tablet without sideways scrolling, and axe finds nothing serious."""

import pytest
from playwright.sync_api import expect

from sampark.team import services as team
from sampark.tickets import services as tickets
from sampark.tickets.models import Ticket

PASSWORD = "rk7-Vq2n-Lm4x"  # noqa: S105 - a test account's password
TABLET = {"width": 768, "height": 1024}
MESSAGE = (
    "Namaste,\n1. internet subah se band hai\n2. bill mein galat amount aaya hai\n"
    "3. router se awaaz aa rahi hai"
)
WORDS = {
    "en": {
        "heading": "This message seems to hold 3 problems",
        "button": "Make it a ticket of its own",
        "done": "The messages are now ticket #",
        "already": "Already split off from this message:",
        "written_in": "Written in: Hinglish",
    },
    "hi": {
        "heading": "लगता है इस संदेश में 3 समस्याएँ हैं",
        "button": "इसे अलग टिकट बनाएँ",
        "done": "ये संदेश अब टिकट #",
        "already": "इस संदेश से पहले ही अलग किए गए:",
        "written_in": "लिखने की भाषा: हिंग्लिश",
    },
}

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def asha(make_agent, make_group):
    desk = make_group(name="Home broadband", tier="L1")
    return make_agent(email="asha@sampark.test", name="Asha Rao", password=PASSWORD, groups=[desk])


@pytest.fixture
def several(make_ticket, asha):
    ticket = make_ticket(
        subject="internet, bill aur router", description=MESSAGE, group=asha.agent.groups.get()
    )
    return tickets.update_ticket(ticket.pk, actor=asha, expected_version=ticket.version, owner=asha)


def sideways_scroll(page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("language", ["en", "hi"])
def test_the_owner_makes_one_listed_problem_a_ticket_of_its_own(
    sign_in, open_browser, asha, several, language, assert_accessible
):
    team.set_workspace_preferences(asha.agent, language=language)
    words = WORDS[language]
    page = open_browser()
    sign_in(page, "asha@sampark.test")
    page.goto(f"/tickets/{several.pk}/")

    box = page.locator(".split-suggestion")
    expect(box.get_by_role("heading")).to_have_text(words["heading"])
    expect(page.locator(".ticket-facts")).to_contain_text(words["written_in"])
    assert sideways_scroll(page) <= 0
    assert_accessible(page)

    subject = box.get_by_role("textbox").first
    expect(subject).to_have_value("bill mein galat amount aaya hai")
    subject.fill("Bill: galat amount")
    with page.expect_navigation():
        box.get_by_role("button", name=words["button"]).first.click()

    new = Ticket.objects.get(split_from=several)
    assert (new.subject, new.owner) == ("Bill: galat amount", asha)
    expect(page.locator(".messages")).to_contain_text(f"{words['done']}{new.number}")
    box = page.locator(".split-suggestion")
    expect(box).to_contain_text(f"{words['already']} #{new.number}")
    # Nothing else was split: the third problem is still only a suggestion.
    assert Ticket.objects.filter(split_from=several).count() == 1

    page.set_viewport_size(TABLET)
    assert sideways_scroll(page) <= 0
    assert_accessible(page)
