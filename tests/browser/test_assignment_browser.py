"""Assignment in a real browser: an agent takes the next ticket from a queue, then records
leave with a delegate and a handover note, in English and in Hindi; the pages are accessible
and fit from a laptop down to a tablet."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from sampark.assignment.models import Leave
from sampark.assignment.services import leave as leaves
from sampark.tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_password_hashing")]
PASSWORD = "rk7-Vq2n-Lm4x"  # noqa: S105 - a test account's password
TABLET = {"width": 768, "height": 1024}
WORDS = {
    "en": {
        "take": "Take next",
        "yours": "is yours now.",
        "leave": "Leave and handover",
        "delegate": "Delegate",
        "first": "First day",
        "last": "Last day",
        "note": "Handover note",
        "record": "Record leave",
        "recorded": "The leave is recorded.",
    },
    "hi": {
        "take": "अगला टिकट लें",
        "yours": "अब आपका है।",
        "leave": "छुट्टी और सौंपना",
        "delegate": "प्रतिनिधि",
        "first": "पहला दिन",
        "last": "आख़िरी दिन",
        "note": "सौंपने का नोट",
        "record": "छुट्टी दर्ज करें",
        "recorded": "छुट्टी दर्ज हो गई।",
    },
}


@pytest.fixture
def asha(make_agent, default_group):
    return make_agent(
        email="asha@sampark.test",
        name="Asha Rao",
        password=PASSWORD,
        groups=[default_group],
        presence="online",
    )


@pytest.fixture
def ravi(make_agent, default_group):
    return make_agent(name="Ravi Kumar", groups=[default_group], presence="online")


@pytest.mark.parametrize("locale", ["en-GB", "hi-IN"])
def test_an_agent_takes_the_next_ticket_then_hands_over_for_leave(
    sign_in, open_browser, asha, ravi, default_group, make_ticket, locale, assert_accessible
):
    words = WORDS[locale[:2]]
    make_ticket(group=default_group, priority="P4", subject="Toner low")
    urgent = make_ticket(group=default_group, priority="P1", subject="सर्वर बंद है")
    page = open_browser(locale=locale)
    sign_in(page, asha.email)

    page.goto("/queues/groups/")
    assert_accessible(page)
    page.get_by_role("button", name=words["take"]).click()

    expect(page).to_have_url(re.compile(f"/tickets/{urgent.pk}/$"))
    expect(page.locator(".messages")).to_contain_text(words["yours"])
    assert Ticket.objects.get(pk=urgent.pk).owner == asha

    page.get_by_role("link", name=words["leave"]).click()
    assert_accessible(page)
    page.get_by_label(words["delegate"]).select_option(str(ravi.pk))
    today = leaves.today().isoformat()
    page.get_by_label(words["first"]).fill(today)
    page.get_by_label(words["last"]).fill((leaves.today() + dt.timedelta(days=2)).isoformat())
    page.get_by_label(words["note"]).fill("सर्वर का वेंडर कल सुबह आएगा।")
    page.get_by_role("button", name=words["record"]).click()

    expect(page.locator(".messages")).to_contain_text(words["recorded"])
    expect(page.get_by_role("table").first).to_contain_text("Ravi Kumar")
    assert_accessible(page)
    assert Leave.objects.get().state == Leave.State.ON_LEAVE
    assert Ticket.objects.get(pk=urgent.pk).owner == ravi


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, TABLET])
def test_the_hindi_leave_page_fits_without_sideways_scrolling(
    sign_in, open_browser, asha, ravi, viewport
):
    leaves.record_leave(
        asha,
        delegate=ravi,
        starts_on=leaves.today() + dt.timedelta(days=3),
        ends_on=leaves.today() + dt.timedelta(days=4),
        actor=asha,
        note="ग्राहकों को सुबह 10 बजे से पहले फ़ोन करें; UPS अनुबंध की सूची साझा फ़ोल्डर में है।",
    )
    page = open_browser(locale="hi-IN", viewport=viewport)
    sign_in(page, asha.email)

    page.goto("/leave/")

    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    expect(page.get_by_role("heading", name="छुट्टी और सौंपना")).to_be_visible()
