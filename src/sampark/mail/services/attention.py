"""Mail that waits for a person: messages rejected or unreadable when they came in (see
:mod:`.ingest`). A person reads each one, then either takes it in again once the cause is
fixed (a mailbox's address corrected, a fault repaired) or dismisses it.

Taking in again reuses ingest itself on the stored bytes, so a message cannot take a second
path than the one every message takes. The flagged record holds the message's key, which
makes ingest report a duplicate; so it is removed first, in the same transaction as the
ingest, and a retry that cannot store the message at all (the disk, the database) leaves the
flagged record as it was."""

from __future__ import annotations

import logging

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from sampark.core import clock
from sampark.core.errors import Conflict, NotFound

from ..models import InboundMessage
from .ingest import Ingested, ingest

logger = logging.getLogger("sampark.mail")


def _flagged(inbound_id: int) -> InboundMessage:
    record = (
        InboundMessage.objects.select_for_update(of=("self",))
        .select_related("mailbox")
        .filter(pk=inbound_id, needs_attention=True)
        .first()
    )
    if record is None:
        raise NotFound(_("This message is not waiting for anyone (any more)."))
    return record


def raw_bytes(record: InboundMessage) -> bytes:
    """The message as it arrived; Conflict when its file is gone from the storage."""
    try:
        with default_storage.open(record.raw.name, "rb") as stored:
            return stored.read()
    except FileNotFoundError:
        raise Conflict(_("The stored original of this message is missing.")) from None


@transaction.atomic
def retry_inbound(inbound_id: int, *, actor=None) -> Ingested:
    """Take a flagged message in again, as if it had just arrived at the mailbox it came to.
    Its record is replaced by the new one (flagged again, with the new reason, if it fails
    again). Raises NotFound when the message is not flagged (dismissed, or retried
    meanwhile)."""
    record = _flagged(inbound_id)
    raw = raw_bytes(record)
    recipients = (record.mailbox.address,) if record.mailbox else ()
    via, received_at = record.via, record.received_at
    record.delete()
    result = ingest(raw, via=via, recipients=recipients)
    # The message arrived when it first did; this is only another reading of it.
    InboundMessage.objects.filter(pk=result.inbound_id).update(received_at=received_at)
    logger.info(
        "mail %s taken in again by %s: %s",
        inbound_id,
        getattr(actor, "pk", None),
        result.outcome,
    )
    return result


@transaction.atomic
def dismiss_inbound(inbound_id: int, *, actor) -> InboundMessage:
    """Clear the flag: a person has read the message and nothing more is to be done. Who and
    when are kept on the record."""
    record = _flagged(inbound_id)
    record.needs_attention = False
    record.dismissed_by = actor
    record.dismissed_at = clock.now()
    record.save(update_fields=["needs_attention", "dismissed_by", "dismissed_at"])
    return record
