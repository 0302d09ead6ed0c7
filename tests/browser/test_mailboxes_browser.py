"""The mailbox screen in a real browser, in English and in Hindi: an admin finds it in the
navigation, adds a mailbox whose SMTP server (a real one, in this process) is tested before it
is saved, and finds it on the list; a server that refuses keeps the form open with its error.
Every page is accessible."""

import re

import pytest
from playwright.sync_api import expect

from sampark.mail.models import Mailbox
from sampark.team.models import AgentProfile
from tests.mail_sink import SMTP_PASSWORD, SMTP_USER, running_smtp_server

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_password_hashing")]
PASSWORD = "rk7-Vq2n-Lm4x"  # noqa: S105 - a test account's password


@pytest.fixture
def admin(make_agent, default_group):
    return make_agent(
        email="admin@sampark.test",
        name="Asha Admin",
        password=PASSWORD,
        role=AgentProfile.Role.ADMIN,
        groups=[default_group],
    )


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


def words(english: str, hindi: str, locale: str) -> re.Pattern:
    """The label in the page's language, whole."""
    return re.compile(f"^{re.escape(hindi if locale == 'hi-IN' else english)}$")


@pytest.mark.parametrize("locale", ["en-GB", "hi-IN"])
def test_an_admin_adds_a_mailbox_whose_smtp_server_is_tested_first(
    sign_in, open_browser, admin, smtp_server, locale, assert_accessible
):
    page = open_browser(locale=locale)
    sign_in(page, admin.email)
    page.get_by_role("link", name=words("Mailboxes", "मेलबॉक्स", locale)).click()
    expect(page).to_have_url(re.compile("/mailboxes/$"))
    expect(page.locator("html")).to_have_attribute("lang", locale[:2])
    expect(page.locator("table.mailbox-list")).to_contain_text("support@sampark.localhost")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)

    page.get_by_role("link", name=words("Add a mailbox", "मेलबॉक्स जोड़ें", locale)).click()
    page.get_by_label(words("Email address", "ईमेल पता", locale)).fill("sales@sampark.test")
    page.get_by_label(words("Display name", "दिखने वाला नाम", locale)).fill("Sales")
    page.get_by_label(words("SMTP server", "SMTP सर्वर", locale)).fill("127.0.0.1")
    page.get_by_label(words("SMTP port", "SMTP पोर्ट", locale)).fill(str(smtp_server.port))
    page.get_by_label(words("SMTP security", "SMTP सुरक्षा", locale)).select_option("none")
    page.get_by_label(words("SMTP user name", "SMTP यूज़र नाम", locale)).fill(SMTP_USER)
    page.get_by_label(words("SMTP password", "SMTP पासवर्ड", locale)).fill("wrong")
    assert_accessible(page)
    page.get_by_role("button", name=words("Save", "सहेजें", locale)).click()

    expect(page.locator(".errorlist")).to_contain_text("Authentication credentials invalid")
    assert not Mailbox.objects.filter(address="sales@sampark.test").exists()
    assert_accessible(page)

    page.get_by_label(words("SMTP password", "SMTP पासवर्ड", locale)).fill(SMTP_PASSWORD)
    page.get_by_role("button", name=words("Save", "सहेजें", locale)).click()
    expect(page).to_have_url(re.compile("/mailboxes/$"))
    expect(page.locator("table.mailbox-list")).to_contain_text("sales@sampark.test")
    assert Mailbox.objects.get(address="sales@sampark.test").smtp_host == "127.0.0.1"


def test_the_attention_page_is_accessible_and_counted(
    sign_in, open_browser, admin, assert_accessible
):
    from sampark.mail.services.ingest import ingest

    ingest(b"To: support@sampark.localhost\r\nSubject: No sender\r\n\r\nhello", via="pipe")
    page = open_browser()
    sign_in(page, admin.email)

    link = page.get_by_role("link", name=re.compile("Mail needing attention"))
    expect(link).to_contain_text("1")
    link.click()
    expect(page.locator("table.attention-list tbody tr")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Dismiss")).click()
    expect(page.locator("table.attention-list tbody")).to_contain_text("No mail is waiting")
    expect(page.get_by_role("link", name=re.compile("Mail needing attention"))).to_contain_text("0")
