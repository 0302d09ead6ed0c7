"""The workspace in a real browser, as an agent uses it: sign in, switch to Hindi, search for a
ticket, change presence, sign out; and every page accessible in English and in Hindi."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from sampark.team.models import AgentProfile

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_password_hashing")]
PASSWORD = "rk7-Vq2n-Lm4x"  # noqa: S105 - a test account's password
TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def asha(make_agent, default_group):
    return make_agent(
        email="asha@sampark.test", name="Asha Rao", password=PASSWORD, groups=[default_group]
    )


@pytest.fixture
def router_ticket(make_ticket, make_contact, default_group):
    requester = make_contact(email="sunita@acme.example", name="Sunita Verma")
    return make_ticket(
        requester=requester, subject="राउटर बार-बार बंद हो रहा है", group=default_group
    )


def sign_in(page, email, password=PASSWORD):
    page.goto("/")
    page.get_by_label(re.compile("Email address|ईमेल पता")).fill(email)
    page.get_by_label(re.compile("^(Password|पासवर्ड)$")).fill(password)
    page.get_by_role("button", name=re.compile("^(Sign in|साइन इन करें)$")).click()


def test_an_agent_signs_in_switches_to_hindi_searches_and_signs_out(
    open_browser, asha, router_ticket
):
    page = open_browser()
    page.goto("/")
    expect(page).to_have_url(re.compile("/sign-in/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    sign_in(page, "Asha@sampark.test")
    expect(page).to_have_url(re.compile("/home/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Asha")

    page.get_by_role("button", name="हिंदी").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_role("heading", name="आपकी प्रोफ़ाइल")).to_be_visible()

    search = page.get_by_role("searchbox", name="टिकट खोजें")
    search.fill(f"#{router_ticket.number}")
    search.press("Enter")
    expect(page).to_have_url(re.compile("/search/"))
    row = page.get_by_role("row").filter(has_text=f"#{router_ticket.number}")
    expect(row).to_contain_text("राउटर बार-बार बंद हो रहा है")
    expect(row).to_contain_text("Sunita Verma")

    page.locator("summary", has_text="Asha Rao").click()  # the user menu
    page.get_by_role("button", name="साइन आउट करें").click()
    expect(page).to_have_url(re.compile("/sign-in/$"))
    expect(page.locator("html")).to_have_attribute("lang", "hi")

    # A new computer (no cookies, an English browser): Hindi comes back with the sign-in.
    page = open_browser(locale="en-GB")
    sign_in(page, asha.email)
    expect(page).to_have_url(re.compile("/home/$"))
    expect(page.locator("html")).to_have_attribute("lang", "hi")


def test_presence_changes_in_one_click_without_reloading_the_page(open_browser, asha):
    page = open_browser()
    sign_in(page, asha.email)
    marker = page.evaluate("() => (window.stillTheSamePage = true)")

    page.get_by_role("button", name="Online").click()

    expect(page.get_by_role("button", name="Online")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Offline")).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("() => window.stillTheSamePage") is marker
    assert AgentProfile.objects.get(user=asha).presence == "online"


def test_a_wrong_password_is_announced(open_browser, asha, assert_accessible):
    page = open_browser()

    sign_in(page, asha.email, password="not-it")

    expect(page.get_by_role("alert")).to_contain_text("The email address or the password is wrong.")
    assert_accessible(page)


@pytest.mark.parametrize("locale", ["en-GB", "hi-IN"])
def test_every_workspace_page_is_accessible(
    open_browser, asha, router_ticket, locale, assert_accessible
):
    page = open_browser(locale=locale)
    language = locale[:2]

    for path in ("/sign-in/", "/password-reset/", "/password-reset/sent/", "/password-reset/done/"):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_accessible(page)
    uid = urlsafe_base64_encode(force_bytes(asha.pk))
    page.goto(f"/password-reset/{uid}/{default_token_generator.make_token(asha)}/")
    expect(page.locator("input[type=password]").first).to_be_visible()
    assert_accessible(page)

    sign_in(page, asha.email)
    for path in ("/home/", f"/search/?q=%23{router_ticket.number}", "/search/", "/preferences/"):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_accessible(page)


def test_the_devanagari_font_is_served_and_used(open_browser, asha):
    page = open_browser(locale="hi-IN")
    sign_in(page, asha.email)

    loaded = page.evaluate(
        """async () => {
            await document.fonts.ready;
            return [...document.fonts].filter(f => f.status === "loaded").map(f => f.family);
        }"""
    )

    assert any("Noto Sans Devanagari" in family for family in loaded)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, TABLET])
def test_the_hindi_shell_fits_from_laptop_down_to_tablet_width(open_browser, asha, viewport):
    page = open_browser(locale="hi-IN", viewport=viewport)
    sign_in(page, asha.email)

    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )

    assert overflow <= 0
    expect(page.get_by_role("navigation", name="वर्कस्पेस")).to_be_visible()
    expect(page.get_by_role("searchbox", name="टिकट खोजें")).to_be_visible()
