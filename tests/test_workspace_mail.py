"""Email on the ticket page, as agents see it: each email's new text with its quoted history
folded away, its sender, Cc and files; the full original one click away (headers, text, the
HTML sanitised and sandboxed, inline images from our own files, the raw .eml); files to
download; attachments on a reply or a note; bounces and out-of-office replies marked on the
timeline and on the contact. An agent who may not see the ticket finds nothing, exactly as if
it did not exist. The mail goes in through the real ``ingest``."""

from __future__ import annotations

import email.utils
import re
from email.message import EmailMessage

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sampark.mail.models import InboundMessage, Mailbox, MailReference, OutboundMessage
from sampark.mail.services import matching
from sampark.mail.services.ingest import ingest
from sampark.tickets import services as tickets
from sampark.tickets.models import Attachment, Ticket, TicketEvent
from sampark.workspace.models import Draft
from tests.mail_sink import dsn

Kind = TicketEvent.Kind
SUPPORT = "support@sampark.localhost"
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
QUOTED_REPLY = (
    "The router still restarts every hour, even after the reset.\n\n"
    "On Mon, 7 Dec 2026 at 10:15, Asha Rao <support@sampark.localhost> wrote:\n"
    "> Please reset the router and tell us if it helps.\n"
    "> Regards, Asha\n"
)


def mail(
    body=QUOTED_REPLY,
    *,
    sender="Sunita Verma <sunita@acme.example>",
    subject="Router restarts every hour",
    cc="",
    html="",
    attachments=(),
    inline=(),
    headers=None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SUPPORT
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = email.utils.format_datetime(email.utils.localtime())
    message["Message-ID"] = email.utils.make_msgid(domain="acme.example")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
        for cid, data in inline:
            message.get_payload()[1].add_related(
                data, maintype="image", subtype="png", cid=f"<{cid}>"
            )
    for filename, maintype, subtype, data in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)


@pytest.fixture
def front_desk(make_group, db):
    group = make_group(name="Home broadband", tier="L1")
    Mailbox.objects.filter(is_default=True).update(group=group)
    return group


@pytest.fixture
def billing(make_group):
    return make_group(name="Billing desk", tier="L1")


@pytest.fixture
def asha(make_agent, front_desk):
    return make_agent(email="asha@sampark.test", name="Asha Rao", groups=[front_desk])


@pytest.fixture
def outsider(make_agent, billing):
    return make_agent(email="olu@sampark.test", name="Olu Tside", groups=[billing])


def take_in(raw: bytes) -> tuple[Ticket, InboundMessage]:
    result = ingest(raw, via="pipe")
    assert result.ticket_number, result
    return Ticket.objects.get(number=result.ticket_number), InboundMessage.objects.get(
        pk=result.inbound_id
    )


def page(ticket) -> str:
    return reverse("workspace:ticket", args=[ticket.pk])


def original_url(ticket, inbound) -> str:
    return reverse("workspace:ticket_mail", args=[ticket.pk, inbound.pk])


def claim(ticket, agent):
    return tickets.update_ticket(
        ticket.pk, actor=agent, expected_version=ticket.version, owner=agent
    )


# --- the timeline ---------------------------------------------------------------------------


def test_an_email_shows_its_new_text_with_the_quote_folded_away(signed_in, asha):
    ticket, inbound = take_in(mail(cc="Ravi Kumar <ravi@acme.example>"))

    html = signed_in(asha).get(page(ticket)).content.decode()

    assert "The router still restarts every hour, even after the reset." in html
    folded = html.split('<details class="mail-quoted">', 1)[1].split("</details>", 1)[0]
    assert "Show quoted text" in folded
    assert "Please reset the router and tell us if it helps." in folded
    shown = html.split('<details class="mail-quoted">', 1)[0]
    assert "Please reset the router" not in shown.split("even after the reset.")[-1]
    assert "From: <bdi>Sunita Verma &lt;sunita@acme.example&gt;</bdi>" in html
    assert "Cc: <bdi>Ravi Kumar &lt;ravi@acme.example&gt;</bdi>" in html
    assert f'href="{original_url(ticket, inbound)}">View original</a>' in html


def test_an_emails_files_and_inline_images_are_chips_with_downloads(signed_in, asha):
    ticket, inbound = take_in(
        mail(
            body="Photo of the lights and the bill attached.",
            html='<p>Photo: <img src="cid:lights@acme"></p>',
            inline=[("lights@acme", PIXEL)],
            attachments=[("bill.pdf", "application", "pdf", PDF)],
        )
    )
    files = {a.filename: a for a in Attachment.objects.filter(ticket=ticket)}
    pdf = files["bill.pdf"]
    image = next(a for a in files.values() if a.inline)

    html = signed_in(asha).get(page(ticket)).content.decode()

    pdf_url = reverse("workspace:ticket_attachment", args=[ticket.pk, pdf.pk])
    image_url = reverse("workspace:ticket_attachment", args=[ticket.pk, image.pk])
    assert f'<a href="{pdf_url}" download><bdi>bill.pdf</bdi></a>' in html
    assert "application/pdf" in html
    assert f'href="{image_url}"' in html and "inline image" in html
    assert "HTML email" in html


def test_a_reply_without_a_quote_has_nothing_to_unfold(signed_in, asha):
    ticket, _ = take_in(mail(body="Internet is down since morning."))

    html = signed_in(asha).get(page(ticket)).content.decode()

    assert "Internet is down since morning." in html
    assert "Show quoted text" not in html


# --- the original -----------------------------------------------------------------------------


HOSTILE_HTML = (
    "<html><head><style>body{display:none}</style><script>alert(1)</script></head><body>"
    '<p onclick="steal()">Newsletter <b>December</b></p>'
    '<img src="https://tracker.example/pixel.gif">'
    '<img src="cid:logo@acme">'
    '<a href="javascript:alert(2)">click</a><form action="https://evil.example"><input></form>'
    "</body></html>"
)


def test_the_original_shows_every_header_and_the_text(signed_in, asha):
    ticket, inbound = take_in(mail(cc="ravi@acme.example", headers={"X-Mailer": "Acme Mail 7"}))

    response = signed_in(asha).get(original_url(ticket, inbound))

    assert response.status_code == 200
    html = response.content.decode()
    assert "All headers" in html
    assert '<th scope="row">X-Mailer</th><td dir="auto">Acme Mail 7</td>' in html
    assert "Message-ID" in html
    assert "Please reset the router and tell us if it helps." in html  # the whole text
    raw_url = reverse("workspace:ticket_mail_raw", args=[ticket.pk, inbound.pk])
    assert f'href="{raw_url}"' in html


def test_the_originals_html_is_sanitised_and_shown_in_a_sandboxed_frame(signed_in, asha):
    ticket, inbound = take_in(
        mail(body="Newsletter", html=HOSTILE_HTML, inline=[("logo@acme", PIXEL)])
    )

    response = signed_in(asha).get(original_url(ticket, inbound))

    html = response.content.decode()
    frame = re.search(r"<iframe [^>]*>", html).group(0)
    assert 'sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"' in frame
    assert "allow-scripts" not in frame
    srcdoc = frame.split('srcdoc="', 1)[1]
    assert "&lt;b&gt;December&lt;/b&gt;" in srcdoc
    for hostile in ("&lt;script", "alert(1)", "onclick", "javascript:", "&lt;form", "display:none"):
        assert hostile not in srcdoc, hostile
    assert "script-src &#x27;none&#x27;" in srcdoc
    policy = response["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy and "https:" not in policy.split("img-src")[1]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_inline_images_point_at_our_own_files_and_remote_ones_wait_to_be_asked(signed_in, asha):
    ticket, inbound = take_in(
        mail(body="Newsletter", html=HOSTILE_HTML, inline=[("logo@acme", PIXEL)])
    )
    logo = Attachment.objects.get(ticket=ticket, content_id="logo@acme")
    client = signed_in(asha)

    html = client.get(original_url(ticket, inbound)).content.decode()

    logo_url = reverse("workspace:ticket_attachment", args=[ticket.pk, logo.pk])
    assert f"src=&quot;{logo_url}&quot;" in html
    assert "cid:logo@acme" not in html
    assert "Remote images are blocked" in html
    assert "tracker.example" not in html
    asked = client.get(original_url(ticket, inbound), {"images": "remote"})
    assert "https:" in asked["Content-Security-Policy"].split("img-src")[1].split(";")[0]
    assert "https://tracker.example/pixel.gif" in asked.content.decode()


def test_the_raw_email_downloads_as_it_came(signed_in, asha):
    raw = mail()
    ticket, inbound = take_in(raw)

    response = signed_in(asha).get(
        reverse("workspace:ticket_mail_raw", args=[ticket.pk, inbound.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content == raw


def test_an_email_of_another_ticket_is_not_found_through_this_one(signed_in, asha):
    first, first_mail = take_in(mail())
    second, _ = take_in(mail(subject="Bill is wrong", body="The bill is wrong."))
    client = signed_in(asha)

    assert client.get(original_url(second, first_mail)).status_code == 404
    raw_url = reverse("workspace:ticket_mail_raw", args=[second.pk, first_mail.pk])
    assert client.get(raw_url).status_code == 404
    assert client.get(original_url(first, first_mail)).status_code == 200


# --- downloads ----------------------------------------------------------------------------------


def test_a_file_downloads_as_an_attachment_with_its_sniffed_type(signed_in, asha):
    ticket, _ = take_in(
        mail(body="See attached.", attachments=[("photo.png", "image", "png", PDF)])
    )
    disguised = Attachment.objects.get(ticket=ticket)
    assert disguised.content_type == "application/pdf"

    response = signed_in(asha).get(
        reverse("workspace:ticket_attachment", args=[ticket.pk, disguised.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="photo.png"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_an_image_whose_bytes_say_so_opens_in_place(signed_in, asha):
    ticket, _ = take_in(mail(body="Lights.", attachments=[("lights.png", "image", "png", PIXEL)]))
    image = Attachment.objects.get(ticket=ticket)

    response = signed_in(asha).get(
        reverse("workspace:ticket_attachment", args=[ticket.pk, image.pk])
    )

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_html_file_is_never_opened_in_the_browser(signed_in, asha):
    ticket, _ = take_in(
        mail(
            body="Page attached.",
            attachments=[("page.html", "text", "html", b"<script>alert(1)</script>")],
        )
    )
    page_file = Attachment.objects.get(ticket=ticket)

    response = signed_in(asha).get(
        reverse("workspace:ticket_attachment", args=[ticket.pk, page_file.pk])
    )

    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


# --- access ---------------------------------------------------------------------------------------


def test_an_agent_who_may_not_see_the_ticket_finds_nothing_of_its_mail(signed_in, asha, outsider):
    ticket, inbound = take_in(
        mail(body="Bill attached.", attachments=[("bill.pdf", "application", "pdf", PDF)])
    )
    bill = Attachment.objects.get(ticket=ticket)
    client = signed_in(outsider)
    missing_ticket = Ticket.objects.order_by("-pk").first().pk + 100

    urls = [
        original_url(ticket, inbound),
        reverse("workspace:ticket_mail_raw", args=[ticket.pk, inbound.pk]),
        reverse("workspace:ticket_attachment", args=[ticket.pk, bill.pk]),
    ]
    for url in urls:
        hidden = client.get(url)
        missing = client.get(url.replace(f"/tickets/{ticket.pk}/", f"/tickets/{missing_ticket}/"))
        assert hidden.status_code == missing.status_code == 404, url
        assert hidden.content == missing.content


def test_a_file_of_another_ticket_is_not_found_through_this_one(signed_in, asha):
    first, _ = take_in(
        mail(body="Bill attached.", attachments=[("bill.pdf", "application", "pdf", PDF)])
    )
    second, _ = take_in(mail(subject="Another thing", body="Something else."))
    bill = Attachment.objects.get(ticket=first)

    response = signed_in(asha).get(
        reverse("workspace:ticket_attachment", args=[second.pk, bill.pk])
    )

    assert response.status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, asha):
    ticket, inbound = take_in(mail())

    response = client.get(original_url(ticket, inbound))

    assert response.status_code == 302 and "/sign-in/" in response.url


# --- the composer's files -----------------------------------------------------------------------


def send(client, ticket, **fields):
    ticket = Ticket.objects.get(pk=ticket.pk)
    data = {"kind": "reply", "body": "", "version": ticket.version, "seen": 0, **fields}
    return client.post(reverse("workspace:ticket_send", args=[ticket.pk]), data)


def test_a_reply_carries_several_files_stored_on_its_event(signed_in, asha):
    ticket, _ = take_in(mail(body="Please send the manual."))
    claim(ticket, asha)
    client = signed_in(asha)

    response = send(
        client,
        ticket,
        body="Here is the manual and a photo of the right setup.",
        attachments=[
            SimpleUploadedFile("manual.pdf", PDF, content_type="application/pdf"),
            SimpleUploadedFile("setup.png", PIXEL, content_type="application/octet-stream"),
        ],
    )

    assert response.status_code == 302
    reply = TicketEvent.objects.get(ticket=ticket, kind=Kind.MESSAGE_OUT)
    stored = {a.filename: a for a in reply.attachments.all()}
    assert set(stored) == {"manual.pdf", "setup.png"}
    assert stored["setup.png"].content_type == "image/png"  # what the bytes say
    assert stored["setup.png"].declared_type == "application/octet-stream"
    html = client.get(page(ticket)).content.decode()
    assert "<bdi>manual.pdf</bdi>" in html and "<bdi>setup.png</bdi>" in html


def test_a_note_carries_a_file_too(signed_in, asha):
    ticket, _ = take_in(mail(body="Please check."))
    client = signed_in(asha)

    send(
        client,
        ticket,
        kind="note",
        body="Line log from the exchange.",
        attachments=[SimpleUploadedFile("line.txt", b"SNR 3 dB\n", content_type="text/plain")],
    )

    note = TicketEvent.objects.get(ticket=ticket, kind=Kind.NOTE)
    assert [a.filename for a in note.attachments.all()] == ["line.txt"]


def test_files_over_the_limit_are_refused_with_the_text_and_draft_kept(signed_in, asha, settings):
    settings.SAMPARK_REPLY_ATTACHMENTS_MAX_BYTES = 1000
    ticket, _ = take_in(mail(body="Please send the manual."))
    claim(ticket, asha)
    client = signed_in(asha)
    client.post(
        reverse("workspace:ticket_draft", args=[ticket.pk]),
        {"kind": "reply", "body": "Here is the manual, page 4 explains the lights."},
    )

    response = send(
        client,
        ticket,
        body="Here is the manual, page 4 explains the lights.",
        attachments=[SimpleUploadedFile("manual.pdf", PDF * 40, content_type="application/pdf")],
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "one reply or note may carry 1000" in html
    assert "Here is the manual, page 4 explains the lights.</textarea>" in html
    assert not TicketEvent.objects.filter(ticket=ticket, kind=Kind.MESSAGE_OUT).exists()
    assert Draft.objects.get(user=asha, ticket=ticket).body.startswith("Here is the manual")
    assert not Attachment.objects.filter(ticket=ticket, event__kind=Kind.MESSAGE_OUT).exists()


def test_a_call_log_takes_no_files(signed_in, asha):
    ticket, _ = take_in(mail(body="Please call."))
    claim(ticket, asha)

    response = send(
        signed_in(asha),
        ticket,
        kind="call",
        body="Called, no answer.",
        call_direction="outbound",
        call_minutes=1,
        attachments=[SimpleUploadedFile("x.txt", b"x", content_type="text/plain")],
    )

    assert response.status_code == 200
    assert "not a call log" in response.content.decode()


def test_the_composer_posts_files_and_the_draft_still_saves(signed_in, asha):
    ticket, _ = take_in(mail(body="Please check."))
    client = signed_in(asha)

    html = client.get(page(ticket)).content.decode()
    composer = re.search(r'<form id="composer"[^>]*>', html).group(0)
    assert 'enctype="multipart/form-data"' in composer
    assert 'hx-post="' + reverse("workspace:ticket_draft", args=[ticket.pk]) in composer
    assert 'type="file" id="composer-files" name="attachments" multiple' in html
    saved = client.post(
        reverse("workspace:ticket_draft", args=[ticket.pk]),
        {"kind": "note", "body": "half a thought"},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200 and "draft saved" in saved.content.decode()


# --- bounces and out-of-office --------------------------------------------------------------------


def bounced(ticket) -> InboundMessage:
    sent_id = f"reply-{ticket.pk}@sampark.localhost"
    OutboundMessage.objects.create(
        ticket=ticket,
        kind="reply",
        recipients=["sunita@acme.example"],
        subject="Re: Router",
        message_id=sent_id,
        body="Please reset the router.",
        status="sent",
    )
    MailReference.objects.create(
        digest=matching.reference_digest(sent_id), ticket=ticket, outbound=True
    )
    result = ingest(dsn(sent_id, "sunita@acme.example", mta="mx.acme.example"), via="pipe")
    return InboundMessage.objects.get(pk=result.inbound_id)


def test_a_bounce_is_marked_on_the_timeline_with_address_status_and_diagnostic(signed_in, asha):
    ticket, _ = take_in(mail(body="Router is down."))
    notice = bounced(ticket)

    html = signed_in(asha).get(page(ticket)).content.decode()

    row = html.split('class="event event-bounce"', 1)[1].split("</li>", 1)[0]
    assert "Bounce: mail could not be delivered" in row
    assert "<bdi>sunita@acme.example</bdi>" in row
    assert "<code>5.1.1</code>" in row and "User unknown" in row
    assert "permanent" in row
    assert f'href="{original_url(ticket, notice)}"' in row


def test_a_bounced_address_is_marked_on_the_customer_panel_and_the_contact(signed_in, asha):
    ticket, _ = take_in(mail(body="Router is down."))
    bounced(ticket)
    client = signed_in(asha)

    panel = client.get(page(ticket)).content.decode()
    contact = client.get(reverse("workspace:contact", args=[ticket.requester_id])).content.decode()

    for html in (panel, contact):
        assert "Mail to this address bounced on" in html
        assert "User unknown" in html.split("Mail to this address bounced on", 1)[1][:300]


def test_an_out_of_office_reply_is_marked_and_reopens_nothing(signed_in, asha):
    ticket, inbound = take_in(mail(body="Router is down."))
    reply = mail(
        body="I am out of the office until Monday.",
        subject="Automatic reply: Router restarts every hour",
        headers={
            "Auto-Submitted": "auto-replied",
            "In-Reply-To": f"<{inbound.message_id}>",
        },
    )
    result = ingest(reply, via="pipe")
    assert result.outcome == InboundMessage.Outcome.AUTO_REPLY

    html = signed_in(asha).get(page(ticket)).content.decode()

    row = html.split('class="event event-auto_reply"', 1)[1].split("</li>", 1)[0]
    assert "Out of office or automatic reply" in row
    assert "the ticket was not reopened and no SLA clock changed" in row
    assert "I am out of the office until Monday." in row


# --- Hindi ------------------------------------------------------------------------------------


def test_the_email_parts_speak_hindi(signed_in, asha):
    asha.agent.language = "hi"
    asha.agent.save(update_fields=["language"])
    ticket, inbound = take_in(mail())
    bounced(ticket)
    client = signed_in(asha)

    html = client.get(page(ticket), HTTP_ACCEPT_LANGUAGE="hi").content.decode()
    original = client.get(original_url(ticket, inbound), HTTP_ACCEPT_LANGUAGE="hi")

    assert "उद्धृत टेक्स्ट दिखाएँ" in html
    assert "मूल ईमेल देखें" in html
    assert "बाउंस" in html
    assert "सभी हेडर" in original.content.decode()


# --- cost ---------------------------------------------------------------------------------------


def queries_of(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_a_ticket_with_many_emails_runs_the_same_queries_as_one_with_one(signed_in, asha):
    ticket, first = take_in(mail(body="First.", attachments=[("a.pdf", "application", "pdf", PDF)]))
    client = signed_in(asha)
    client.get(page(ticket))  # warm the per-process caches
    one = queries_of(client, page(ticket))
    assert sum('"tickets_attachment"' in sql for sql in one) == 1
    for n in range(12):
        follow = mail(
            body=f"Follow-up {n}.\n\nOn Mon, 7 Dec 2026 at 10:15, Asha wrote:\n> earlier\n",
            subject="Re: Router restarts every hour",
            attachments=[(f"log-{n}.txt", "text", "plain", b"log line\n")],
            headers={"In-Reply-To": f"<{first.message_id}>"},
        )
        ingest(follow, via="pipe")
    assert Attachment.objects.filter(ticket=ticket).count() == 13

    many = queries_of(client, page(ticket))

    assert len(many) == len(one)
    html = client.get(page(ticket)).content.decode()
    assert "log-11.txt" in html and html.count("Show quoted text") == 12
