"""Files that come with a message: an email's attachments and inline images, an agent's upload
on a reply. The bytes go to the media storage under a random name, the row keeps what a person
sees (the file name, the sniffed and the declared type, the size) and the digest.

Files are written inside the caller's transaction but are not part of it: a rolled-back message
leaves an unreferenced file behind, never a row without its file."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from sampark.core.errors import InvalidInput

from ..models import Attachment, Ticket, TicketEvent


@dataclass(frozen=True, slots=True)
class NewAttachment:
    filename: str
    content_type: str
    data: bytes
    declared_type: str = ""
    content_id: str = ""
    inline: bool = False
    note: str = ""


def _clean_name(filename: str) -> str:
    """The name shown and offered on download: no path, no control characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255] or _("attachment")


def check_attachments(items: Sequence[NewAttachment]) -> None:
    limit = settings.SAMPARK_UPLOAD_MAX_BYTES
    for item in items:
        if len(item.data) > limit:
            raise InvalidInput(
                _("“%(name)s” is %(size)d bytes; the limit is %(limit)d bytes.")
                % {"name": _clean_name(item.filename), "size": len(item.data), "limit": limit},
                field="attachments",
            )


@transaction.atomic
def store_attachments(
    ticket: Ticket, event: TicketEvent | None, items: Sequence[NewAttachment]
) -> list[Attachment]:
    check_attachments(items)
    stored = []
    for item in items:
        attachment = Attachment(
            ticket=ticket,
            event=event,
            filename=_clean_name(item.filename),
            content_type=(item.content_type or "application/octet-stream")[:127],
            declared_type=(item.declared_type or "")[:127],
            size=len(item.data),
            sha256=hashlib.sha256(item.data).hexdigest(),
            content_id=(item.content_id or "").strip("<> ")[:255],
            inline=item.inline,
            note=(item.note or "")[:255],
        )
        attachment.file.save(attachment.filename, ContentFile(item.data), save=False)
        stored.append(attachment)
    return Attachment.objects.bulk_create(stored) if stored else []
