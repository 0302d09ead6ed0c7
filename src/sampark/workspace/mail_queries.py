"""What the ticket page reads of email: each email on the timeline with its files, sender and
Cc and its quoted history folded away; bounces and out-of-office replies marked; the full
original of one received email (its headers, text, safe HTML and files); one file to download.

Everything here is found through the ticket the agent may see (``ticket_queries.ticket_for``)
and its history (the ticket and those merged into it): an email or a file of another ticket is
missing, exactly like one that does not exist."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.html import escape

from sampark.core.errors import NotFound
from sampark.mail.models import InboundMessage
from sampark.mail.parsing import ParsedMail, parse, sanitise_html, sniff
from sampark.tickets import queries as tickets
from sampark.tickets.models import Attachment, Ticket, TicketEvent

Kind = TicketEvent.Kind

# Images a browser may show in place: their bytes say what they are, and none can carry script
# (SVG can, so it is always a download).
SAFE_IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
# Events that may carry files: messages and notes, from mail or from the composer.
WITH_FILES = (Kind.MESSAGE_IN, Kind.MESSAGE_OUT, Kind.NOTE)
NOTICES = (Kind.BOUNCE, Kind.AUTO_REPLY)


def _carries_files(event: TicketEvent) -> bool:
    data = event.data or {}
    return event.kind in WITH_FILES and bool(data.get("mail") or data.get("attachments"))


def with_mail(events: list[TicketEvent]) -> list[TicketEvent]:
    """Timeline rows with what the email part of a row shows: ``mail`` (the received email's
    id, or None), ``files`` (its attachments and inline images), and ``notice`` ("bounce" or
    "auto_reply") for a delivery failure or an automatic reply. One query for the files of
    the whole page, and none when no row can carry any."""
    wanted = [event.pk for event in events if _carries_files(event)]
    files: dict[int, list[Attachment]] = defaultdict(list)
    if wanted:
        rows = Attachment.objects.filter(event_id__in=wanted).only(
            "event_id", "ticket_id", "filename", "content_type", "size", "inline", "note"
        )
        for row in rows.order_by("id"):
            files[row.event_id].append(row)
    for event in events:
        data = event.data or {}
        event.mail = data.get("mail") if event.kind in (*WITH_FILES, *NOTICES) else None
        event.files = files.get(event.pk, [])
        event.notice = event.kind if event.kind in NOTICES else ""
    return events


def _mail_condition(ticket: Ticket, inbound_id: int):
    """The received email, if an event of this ticket's history came from it (a message
    split off to another ticket keeps its email there too)."""
    history = tickets.history_ticket_ids(ticket)
    cited = TicketEvent.objects.filter(ticket_id__in=history, data__mail=inbound_id)
    return cited.exists()


def inbound_of(ticket: Ticket, inbound_id: int) -> InboundMessage:
    """The received email ``inbound_id`` of ``ticket``'s timeline, or NotFound."""
    found = InboundMessage.objects.filter(pk=inbound_id).first()
    if found is None or not _mail_condition(ticket, inbound_id):
        raise NotFound("No such email on this ticket.")
    return found


def attachment_of(ticket: Ticket, attachment_id: int) -> Attachment:
    """A file of ``ticket`` (or of a ticket merged into it), or NotFound."""
    found = Attachment.objects.filter(
        pk=attachment_id, ticket_id__in=tickets.history_ticket_ids(ticket)
    ).first()
    if found is None:
        raise NotFound("No such attachment on this ticket.")
    return found


def shows_inline(attachment: Attachment) -> bool:
    """Whether the file may open in the browser: an image whose own bytes say it is one."""
    if attachment.content_type not in SAFE_IMAGES:
        return False
    with attachment.file.open("rb") as handle:
        return sniff(handle.read(16)) == attachment.content_type


@dataclass
class Original:
    """One received email in full, as the original view shows it."""

    inbound: InboundMessage
    parsed: ParsedMail
    files: list[Attachment]
    srcdoc: str  # the sanitised HTML as a whole document for a sandboxed frame; "" if none


def read_raw(inbound: InboundMessage) -> bytes:
    with default_storage.open(inbound.raw.name, "rb") as handle:
        return handle.read()


_CID = re.compile(r"""(src=)(["'])cid:([^"']+)\2""", re.IGNORECASE)


def _with_our_images(html: str, ticket: Ticket, files: list[Attachment]) -> str:
    """``cid:`` images pointed at their stored file (through the access-checked download);
    a cid we do not have is left as it is, and shows nothing."""
    by_cid = {f.content_id.lower(): f for f in files if f.content_id}

    def point(match: re.Match) -> str:
        found = by_cid.get(match.group(3).strip("<> ").lower())
        if found is None:
            return match.group(0)
        url = reverse("workspace:ticket_attachment", args=[ticket.pk, found.pk])
        return f"{match.group(1)}{match.group(2)}{escape(url)}{match.group(2)}"

    return _CID.sub(point, html)


_REMOTE_SRC = re.compile(r"""(<img\b[^>]*?\s)src=(["'])(?:https?:)?//[^"']*\2""", re.IGNORECASE)


def _without_remote_images(html: str) -> str:
    """Remote images lose their address, as a mail program blocks them until asked: loading
    one tells the sender that the email was opened. (The page's policy blocks them too.)"""
    return _REMOTE_SRC.sub(r"\1data-blocked=\2remote\2", html)


def _document(body: str) -> str:
    """The frame's document: the sanitised body, links opening outside the frame, and a
    policy of its own (no script, nothing remote but what the page allows)."""
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="script-src \'none\'; '
        "object-src 'none'; form-action 'none'\">"
        '<base target="_blank">'
        "<style>body{font:15px/1.5 system-ui,'Noto Sans Devanagari',sans-serif;margin:8px;"
        "overflow-wrap:anywhere}img{max-width:100%;height:auto}</style>"
        f'</head><body dir="auto">{body}</body></html>'
    )


def original(ticket: Ticket, inbound_id: int, *, remote_images: bool = False) -> Original:
    """The received email read again from its raw bytes (headers, text, HTML, attachments),
    with its HTML sanitised (again, after its images are pointed at our own files) for a
    sandboxed frame; remote images only when ``remote_images``."""
    inbound = inbound_of(ticket, inbound_id)
    parsed = parse(read_raw(inbound))
    files = []
    if inbound.event_id is not None:
        files = list(Attachment.objects.filter(event_id=inbound.event_id).order_by("id"))
    srcdoc = ""
    if parsed.html:
        body = _with_our_images(parsed.html, ticket, files)
        body = sanitise_html(body if remote_images else _without_remote_images(body))
        srcdoc = _document(body)
    return Original(inbound=inbound, parsed=parsed, files=files, srcdoc=srcdoc)
