"""What IMAP polling remembers about a mailbox: the folder's UIDVALIDITY, the highest UID taken
in, when it was last polled and the last problem. The IMAP conversation is in
:mod:`sampark.mail.imap`; these are its writes.

Each write is a conditional UPDATE of only the fields it owns, so a poll never overwrites
settings an admin saved meanwhile, and two workers polling at once cannot move the mark back.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q

from sampark.core import clock

from ..models import Mailbox


def claim_round(mailbox_id: int, every_seconds: float) -> bool:
    """Whether this process should poll the mailbox now: True for one caller per
    ``every_seconds`` (a conditional UPDATE of ``last_polled_at``), so that several workers
    sharing a database do not all poll the same server."""
    now = clock.now()
    due = Q(last_polled_at__isnull=True) | Q(
        last_polled_at__lte=now - timedelta(seconds=every_seconds)
    )
    return bool(Mailbox.objects.filter(due, pk=mailbox_id, active=True).update(last_polled_at=now))


def start_over(mailbox_id: int, uidvalidity: int) -> None:
    """The folder is new to us, or the server renumbered it (a new UIDVALIDITY): the old UIDs
    mean nothing any more. Duplicates are caught by the messages' keys."""
    Mailbox.objects.filter(pk=mailbox_id).update(imap_uidvalidity=uidvalidity, imap_last_uid=0)


def advance(mailbox_id: int, uidvalidity: int, last_uid: int) -> None:
    """Every message up to ``last_uid`` is stored and marked. Never moves the mark back."""
    Mailbox.objects.filter(
        pk=mailbox_id, imap_uidvalidity=uidvalidity, imap_last_uid__lt=last_uid
    ).update(imap_last_uid=last_uid)


def finish_round(mailbox_id: int, error: str = "") -> None:
    """The round ended: ``error`` is the problem in words, or empty when it went well."""
    Mailbox.objects.filter(pk=mailbox_id).update(last_polled_at=clock.now(), last_error=error)
