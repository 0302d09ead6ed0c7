"""Email on the ticket page in a real browser, in English and in Hindi: an agent opens a ticket
that came in by email, unfolds the quoted text, opens the original (the HTML in its sandboxed
frame, with its script gone and its remote image blocked), and comes back. No console errors
(a blocked remote image is not one: the page's policy reports it as a warning), and axe finds
nothing serious on either page."""

import email.utils
import re
from email.message import EmailMessage

import pytest
from playwright.sync_api import expect

from sampark.mail.models import Mailbox
from sampark.mail.services.ingest import ingest
from sampark.team import services as team
from sampark.tickets.models import Ticket

PASSWORD = "rk7-Vq2n-Lm4x"  # noqa: S105 - a test account's password

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_password_hashing")]

WORDS = {
    "en": {
        "quoted": "Show quoted text",
        "original": "View original",
        "headers": "All headers",
        "back": "Back to ticket",
        "auto": "Out of office or automatic reply",
    },
    "hi": {
        "quoted": "उद्धृत टेक्स्ट दिखाएँ",
        "original": "मूल ईमेल देखें",
        "headers": "सभी हेडर",
        "back": "पर वापस जाएँ",
        "auto": "ऑफ़िस से बाहर का जवाब या स्वचालित जवाब",
    },
}
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def mail(text, html="", **headers) -> bytes:
    message = EmailMessage()
    message["From"] = "सुनीता वर्मा <sunita@acme.example>"
    message["To"] = Mailbox.objects.get(is_default=True).address
    message["Subject"] = headers.pop("subject", "राउटर बार-बार बंद हो रहा है")
    message["Date"] = email.utils.format_datetime(email.utils.localtime())
    message["Message-ID"] = email.utils.make_msgid(domain="acme.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
        message.get_payload()[1].add_related(
            PIXEL, maintype="image", subtype="png", cid="<lights@acme>"
        )
    return bytes(message)


@pytest.fixture
def front_desk(make_group):
    group = make_group(name="Home broadband", tier="L1")
    Mailbox.objects.filter(is_default=True).update(group=group)
    return group


@pytest.fixture
def asha(make_agent, front_desk):
    return make_agent(
        email="asha@sampark.test", name="Asha Rao", password=PASSWORD, groups=[front_desk]
    )


@pytest.fixture
def emailed_ticket(front_desk, asha):
    first = mail(
        "राउटर हर घंटे बंद हो जाता है।\n\n"
        "सोम, 7 दिसंबर 2026 को आशा ने लिखा:\n> कृपया राउटर को रीसेट करें।\n> धन्यवाद\n",
        html=(
            "<p>राउटर हर घंटे बंद हो जाता है।</p><script>alert(1)</script>"
            '<p><img src="cid:lights@acme" alt="बत्तियाँ"></p>'
            '<img src="https://tracker.example/open.gif" alt="">'
            "<blockquote>कृपया राउटर को रीसेट करें।</blockquote>"
        ),
    )
    number = ingest(first, via="pipe").ticket_number
    message_id = email.message_from_bytes(first)["Message-ID"]
    ingest(
        mail(
            "मैं सोमवार तक छुट्टी पर हूँ।",
            subject="कार्यालय से बाहर: राउटर",
            Auto_Submitted="auto-replied",
            In_Reply_To=message_id,
        ),
        via="pipe",
    )
    return Ticket.objects.get(number=number)


@pytest.mark.parametrize("language", ["en", "hi"])
def test_an_agent_unfolds_the_quote_and_reads_the_original(
    sign_in, open_browser, browser, live_server, asha, emailed_ticket, language, assert_accessible
):
    team.set_workspace_preferences(asha.agent, language=language)
    words = WORDS[language]
    page = open_browser()
    sign_in(page, asha.email)

    page.goto(f"/tickets/{emailed_ticket.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    quoted = page.locator("details.mail-quoted")
    expect(quoted.locator(".quoted-text")).to_be_hidden()
    quoted.locator("summary", has_text=words["quoted"]).click()
    expect(quoted.locator(".quoted-text")).to_contain_text("कृपया राउटर को रीसेट करें।")
    expect(page.locator(".event-auto_reply .notice-label")).to_contain_text(words["auto"])
    assert_accessible(page)

    page.get_by_role("link", name=words["original"]).first.click()
    expect(page).to_have_url(re.compile(r"/mail/\d+/$"))
    expect(page.get_by_role("heading", name=words["headers"])).to_be_visible()
    frame = page.frame_locator("iframe.mail-frame")
    expect(frame.locator("body")).to_contain_text("राउटर हर घंटे बंद हो जाता है।")
    inline = frame.locator("img[alt='बत्तियाँ']")
    expect(inline).to_have_attribute("src", re.compile(r"/attachments/\d+/$"))
    page.wait_for_function(
        "() => { const f = document.querySelector('iframe.mail-frame');"
        " const i = f && f.contentDocument && f.contentDocument.querySelector('img[alt]');"
        " return i && i.complete && i.naturalWidth === 1; }"
    )
    assert frame.locator("script").count() == 0
    assert frame.locator("img[src*='tracker.example']").count() == 0  # blocked: no address
    original_url = page.url

    page.get_by_role("link", name=re.compile(words["back"])).click()
    expect(page).to_have_url(re.compile(rf"/tickets/{emailed_ticket.pk}/#timeline$"))

    # axe is a script of its own, which the original's policy refuses: it runs in a
    # browser told to let it in, on the same page.
    checker = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="en-GB")
    try:
        axe_page = checker.new_page()
        sign_in(axe_page, asha.email)
        axe_page.goto(original_url)
        expect(axe_page.get_by_role("heading", name=words["headers"])).to_be_visible()
        assert_accessible(axe_page)
    finally:
        checker.close()


def test_the_owner_replies_with_a_file_and_the_draft_never_uploads_it(
    sign_in, open_browser, asha, emailed_ticket, settings, assert_accessible
):
    from sampark.tickets import services as tickets

    settings.SAMPARK_REPLY_ATTACHMENTS_MAX_BYTES = 1000
    tickets.update_ticket(
        emailed_ticket.pk, actor=asha, expected_version=emailed_ticket.version, owner=asha
    )
    page = open_browser()
    sign_in(page, asha.email)
    page.goto(f"/tickets/{emailed_ticket.pk}/")

    files = page.locator("#composer-files")
    files.set_input_files({"name": "huge.log", "mimeType": "text/plain", "buffer": b"x" * 2000})
    expect(page.locator(".files-check")).to_contain_text("too large together")
    assert files.evaluate("input => input.files.length") == 0

    files.set_input_files(
        {"name": "manual.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    )
    with page.expect_request(re.compile(r"/draft/$")) as drafted:
        page.locator("#composer-body").fill("The manual is attached.")
    assert b"manual.pdf" not in (drafted.value.post_data_buffer or b"")
    expect(page.locator("#draft-status")).to_contain_text("draft saved")
    assert_accessible(page)

    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".event-message_out .attachment-chip")).to_contain_text("manual.pdf")
