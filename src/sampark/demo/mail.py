"""The demo's email: a few conversations that come in as real mail, through the same
``ingest`` as IMAP and the listener, so that the ticket page shows what email looks like there:
a reply whose quoted history and signature fold away (in English and in Hindi), files and an
inline image, an HTML-only mail with a remote image that stays blocked, an out-of-office
answer, and a reply that bounced.

The messages are written here, to addresses under ``.example`` that can never reach anyone.
"""

from __future__ import annotations

import email.utils
from datetime import datetime, timedelta
from email.message import EmailMessage

from sampark.core import clock
from sampark.mail.models import Mailbox
from sampark.mail.services.ingest import ingest
from sampark.mail.services.matching import remember
from sampark.tickets import services as tickets
from sampark.tickets.models import Ticket

# Tickets the mail stories open (part of the demo's ``tickets``).
MAIL_TICKETS = 3
# The smallest PNG: a 1×1 pixel, standing in for a photo or a logo.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
ERROR_LOG = b"%PDF-1.4\n% Printer error log, Ward 5\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _message(
    sender: str,
    subject: str,
    *,
    text: str = "",
    html: str = "",
    to: str,
    cc: str = "",
    replying_to: str = "",
    headers: dict | None = None,
    attachments=(),
    inline=(),
    at: datetime,
) -> tuple[bytes, str]:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = email.utils.format_datetime(at)
    message_id = email.utils.make_msgid(domain="narmadacare.example")
    message["Message-ID"] = message_id
    if replying_to:
        message["In-Reply-To"] = f"<{replying_to}>"
        message["References"] = f"<{replying_to}>"
    for name, value in (headers or {}).items():
        message[name] = value
    if text:
        message.set_content(text)
        if html:
            message.add_alternative(html, subtype="html")
    else:
        message.set_content(html, subtype="html")
    for cid, data in inline:
        target = message.get_payload()[1] if text else message
        target.add_related(data, maintype="image", subtype="png", cid=f"<{cid}>")
    for filename, maintype, subtype, data in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message), message_id.strip("<>")


def _take_in(raw: bytes, at: datetime) -> Ticket | None:
    with clock.replaying_at(at):
        result = ingest(raw, via="pipe")
    return Ticket.objects.filter(number=result.ticket_number).first()


def _reply(ticket: Ticket, agent, supervisor, body: str, at: datetime) -> str:
    """The owner's public reply (the ticket is given to ``agent`` first when nobody owns it),
    and the Message-ID it went out with, remembered so that answers to it find the ticket."""
    with clock.replaying_at(at):
        ticket.refresh_from_db()
        if ticket.owner_id is None:
            tickets.update_ticket(
                ticket.pk, actor=supervisor, expected_version=ticket.version, owner=agent
            )
            ticket.refresh_from_db()
        owner = ticket.owner
        event = tickets.add_message(ticket.pk, body=body, agent=owner)
        message_id = f"reply-{event.pk}@sampark.localhost"
        remember(message_id, ticket.pk, outbound=True)
    return message_id


def _bounce(support: str, sent_id: str, recipient: str, at: datetime) -> None:
    boundary = "demo-dsn"
    raw = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.narmadacare.example>\r\n"
        f"To: {support}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {email.utils.format_datetime(at)}\r\n"
        f"Message-ID: <dsn-{sent_id}>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        f"\r\n--{boundary}\r\nContent-Type: text/plain\r\n\r\n"
        f"Your message to {recipient} could not be delivered: the mailbox does not exist.\r\n"
        f"\r\n--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.narmadacare.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 Mailbox unavailable: user unknown\r\n"
        f"\r\n--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {support}\r\nTo: {recipient}\r\nMessage-ID: <{sent_id}>\r\n"
        f"\r\n--{boundary}--\r\n"
    ).encode()
    _take_in(raw, at)


def tell_mail_stories(cast, now: datetime) -> None:
    """Three email conversations over the last few days, each through ``ingest``."""
    support = Mailbox.objects.filter(is_default=True).values_list("address", flat=True).first()
    if support is None:
        return
    agent, supervisor = cast.agents["ankit"], cast.supervisor
    _printer_in_english(support, agent, supervisor, now - timedelta(days=3, hours=5))
    _network_in_hindi(support, agent, supervisor, now - timedelta(days=2, hours=3))
    _html_only_with_a_bounce(support, agent, supervisor, now - timedelta(days=1, hours=6))


def _printer_in_english(support, agent, supervisor, start: datetime) -> None:
    """A request, the owner's reply, an out-of-office answer to it, then the customer's real
    answer: quoted history, a signature, a PDF and a photo."""
    raw, first_id = _message(
        "Farah Siddiqui <farah.siddiqui@narmadacare.example>",
        "Ward 5 printer shows paper jam but no paper is stuck",
        text=(
            "Hello,\n\nThe HP LaserJet at the Ward 5 nursing station says 'paper jam in tray 2' "
            "since this morning. We opened every door and nothing is stuck. Discharge summaries "
            "are waiting.\n\nRegards,\nFarah Siddiqui\nWard 5 In-charge\n"
        ),
        to=support,
        cc="Ward 5 Office <ward5.office@narmadacare.example>",
        at=start,
    )
    ticket = _take_in(raw, start)
    if ticket is None:
        return
    answer = (
        "Dear Farah,\n\nPlease switch the printer off, take tray 2 out completely and check the "
        "small roller at the back for a torn piece of paper. Then send us the error log from "
        "the printer's menu (Reports → Event log)."
    )
    sent = _reply(ticket, agent, supervisor, answer, start + timedelta(minutes=40))
    away, _ = _message(
        "Farah Siddiqui <farah.siddiqui@narmadacare.example>",
        "Automatic reply: Ward 5 printer shows paper jam but no paper is stuck",
        text="I am on the night shift this week and will read mail after 20:00.\n",
        to=support,
        replying_to=sent,
        headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
        at=start + timedelta(minutes=41),
    )
    _take_in(away, start + timedelta(minutes=41))
    quoted = "\n".join(f"> {line}" if line else ">" for line in answer.split("\n"))
    when = email.utils.format_datetime(start + timedelta(minutes=40))
    later, _ = _message(
        "Farah Siddiqui <farah.siddiqui@narmadacare.example>",
        "Re: Ward 5 printer shows paper jam but no paper is stuck",
        text=(
            "There was a torn corner behind the roller, thank you! It prints now, but the "
            "pages come out with a grey stripe. Event log and a photo attached.\n\n"
            f"Farah\n-- \nFarah Siddiqui | Ward 5 In-charge | Narmada Care Hospital\n\n"
            f"On {when}, Sampark Support <{support}> wrote:\n{quoted}\n"
        ),
        to=support,
        replying_to=sent,
        attachments=[
            ("event-log.pdf", "application", "pdf", ERROR_LOG),
            ("grey-stripe.png", "image", "png", PIXEL),
        ],
        at=start + timedelta(hours=10),
    )
    _take_in(later, start + timedelta(hours=10))


def _network_in_hindi(support, agent, supervisor, start: datetime) -> None:
    """A Hindi request and a Hindi reply with its quoted history and a signature."""
    raw, _ = _message(
        "सुनीता वर्मा <sunita.verma@narmadacare.example>",
        "वार्ड 3 में वाई-फ़ाई बार-बार कट रहा है",
        text=(
            "नमस्ते,\n\nवार्ड 3 में सुबह से वाई-फ़ाई हर दस मिनट में कट जाता है। नर्सिंग स्टेशन के "
            "टैबलेट पर दवाइयों की सूची नहीं खुल रही।\n\nधन्यवाद,\nसुनीता\n"
        ),
        to=support,
        at=start,
    )
    ticket = _take_in(raw, start)
    if ticket is None:
        return
    answer = (
        "सुनीता जी,\n\nकृपया वार्ड 3 के गलियारे में लगे एक्सेस पॉइंट की बत्ती का रंग बताइए: हरी, पीली या लाल?"
    )
    sent = _reply(ticket, agent, supervisor, answer, start + timedelta(minutes=25))
    quoted = "\n".join(f"> {line}" if line else ">" for line in answer.split("\n"))
    later, _ = _message(
        "सुनीता वर्मा <sunita.verma@narmadacare.example>",
        "Re: वार्ड 3 में वाई-फ़ाई बार-बार कट रहा है",
        text=(
            "बत्ती पीली है और बीच-बीच में बुझ जाती है। फ़ोटो भेज रही हूँ।\n\n"
            "धन्यवाद,\nसुनीता वर्मा\nमेरे Android से भेजा गया\n\n"
            f"सोम, 7 दिसंबर 2026 को Sampark Support <{support}> ने लिखा:\n{quoted}\n"
        ),
        to=support,
        replying_to=sent,
        attachments=[("access-point.png", "image", "png", PIXEL)],
        at=start + timedelta(hours=2),
    )
    _take_in(later, start + timedelta(hours=2))


NEWSLETTER = """<html><head><style>.hide{{display:none}}</style>
<script>document.title = 'tracked'</script></head>
<body>
<table width="100%" style="border-collapse: collapse">
<tr><td style="background-color: #0b5394; color: #ffffff; padding: 12px">
<img src="cid:logo@narmadacare.example" alt="Narmada Care" width="120">
<b>IT Notice: Nurse-call alerts</b></td></tr>
<tr><td style="padding: 12px">
<p>Dear Support team,</p>
<p>Since the maintenance on Saturday, <b>nurse-call alerts are no longer emailed</b> to the
ward in-charges. The alert server shows them as <i>sent</i>.</p>
<ul><li>Wards affected: 2, 3 and 7</li><li>Since: Saturday 22:00</li></ul>
<p>Please check the mail relay: <a href="https://status.narmadacare.example/relay">relay
status page</a>.</p>
<img src="https://tracker.narmadacare.example/open.gif?id=42" width="1" height="1" alt="">
<p>Manoj Dubey<br>IT coordinator</p>
</td></tr></table>
</body></html>"""


def _html_only_with_a_bounce(support, agent, supervisor, start: datetime) -> None:
    """An HTML-only mail (a styled notice with a logo, a script and a tracking pixel), and a
    reply to the requester's second address that bounced for good."""
    raw, _ = _message(
        "Manoj Dubey <manoj.dubey@narmadacare.example>",
        "Nurse-call alerts not emailed since Saturday",
        html=NEWSLETTER.format(),
        to=support,
        inline=[("logo@narmadacare.example", PIXEL)],
        at=start,
    )
    ticket = _take_in(raw, start)
    if ticket is None:
        return
    answer = (
        "Dear Manoj,\n\nWe are checking the relay. Copying your IT support mailbox so that the "
        "team on shift sees our findings."
    )
    sent = _reply(ticket, agent, supervisor, answer, start + timedelta(minutes=30))
    _bounce(support, sent, "it.support@narmadacare.example", start + timedelta(minutes=31))
