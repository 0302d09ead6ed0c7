"""Which ticket an email continues, and which mailbox it came to.

A reply is matched, in this order, by:

1. its In-Reply-To and References, against the Message-IDs we sent or received
   (:class:`~sampark.mail.models.MailReference`);
2. a signed reply address, ``support+<number>.<signature>@...``, which our replies carry in
   Reply-To, so that a reply from a client that drops the headers still finds its ticket;
3. the ``[#N]`` token in the subject, but only from someone the ticket already knows (its
   requester, a follower, or a contact of its organization): anyone can type a subject, so a
   stranger's ``[#N]`` opens a ticket of their own instead of writing into someone else's.

Reads only; the ingestion service writes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable

from django.conf import settings

from sampark.customers.models import Contact
from sampark.db.prepared import Prepared
from sampark.tickets.models import Ticket

from ..models import Mailbox, MailReference

SUBJECT_TOKEN = re.compile(r"\[#(\d{1,12})\]")
# The tag of a signed reply address: the ticket number, a dot, and its signature.
REPLY_TAG = re.compile(r"^(\d{1,12})\.([a-z2-7]{10})$")


def reference_digest(message_id: str) -> str:
    return hashlib.sha256(message_id.strip().strip("<>").encode("utf-8", "replace")).hexdigest()


def _signature(number: int) -> str:
    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"sampark.mail.reply:{number}".encode(), hashlib.sha256
    ).digest()
    return base64.b32encode(mac).decode().lower()[:10]


def reply_address(mailbox: Mailbox, ticket: Ticket) -> str:
    """The address a reply to ``ticket`` should go to: the mailbox's, tagged and signed."""
    local, _at, domain = mailbox.address.partition("@")
    return f"{local}+{ticket.number}.{_signature(ticket.number)}@{domain}"


def split_address(address: str) -> tuple[str, str]:
    """``support+tag@example.com`` → (``support@example.com``, ``tag``)."""
    local, _at, domain = address.lower().partition("@")
    base, _plus, tag = local.partition("+")
    return f"{base}@{domain}", tag


def signed_number(addresses: Iterable[str]) -> int | None:
    """The ticket number of a signed reply address among ``addresses``, if one is genuine."""
    for address in addresses:
        _base, tag = split_address(address)
        found = REPLY_TAG.match(tag)
        if found and hmac.compare_digest(found[2], _signature(int(found[1]))):
            return int(found[1])
    return None


def mailbox_for(addresses: Iterable[str], mailboxes: list[Mailbox]) -> Mailbox | None:
    """The active mailbox one of ``addresses`` names (a tagged address names its base), else
    the default mailbox, else None."""
    by_address = {m.address.lower(): m for m in mailboxes if m.active}
    for address in addresses:
        base, _tag = split_address(address)
        if base in by_address:
            return by_address[base]
    return next((m for m in mailboxes if m.is_default and m.active), None)


def ticket_by_references(ids: Iterable[str]) -> Ticket | None:
    """The ticket of the newest of ``ids`` (References lists the oldest first) that we know."""
    digests = [reference_digest(i) for i in ids if i]
    if not digests:
        return None
    rank = {d: n for n, d in enumerate(digests)}
    best = max(_references(digests), key=lambda row: (rank[row[0]], row[1]), default=None)
    return next(iter(_ticket(best[1])), None) if best else None


def remember(message_id: str, ticket_id: int, *, outbound: bool) -> None:
    """Keep ``message_id`` (one we sent or received) as one of the ticket's, for the replies
    that will cite it."""
    MailReference.objects.bulk_create(
        [
            MailReference(
                digest=reference_digest(message_id), ticket_id=ticket_id, outbound=outbound
            )
        ],
        ignore_conflicts=True,
    )


# Every reply by mail looks its ticket up these two ways: compiled once.
_references = Prepared(
    lambda digests: MailReference.objects.filter(digest__in=digests).values_list(
        "digest", "ticket_id"
    ),
    Prepared.TEXTS,
)
_ticket = Prepared(lambda pk: Ticket.objects.filter(pk=pk), int)


def ticket_by_subject(subject: str, sender: Contact) -> Ticket | None:
    found = SUBJECT_TOKEN.search(subject or "")
    if not found:
        return None
    ticket = Ticket.objects.filter(number=int(found[1])).first()
    if ticket is None:
        return None
    knows_sender = (
        ticket.requester_id == sender.pk
        or (ticket.organization_id is not None and ticket.organization_id == sender.organization_id)
        or ticket.followers.filter(pk=sender.pk).exists()
    )
    return ticket if knows_sender else None


def live_ticket(ticket: Ticket) -> Ticket:
    """A merged ticket's conversation goes on in the ticket it was merged into."""
    seen = {ticket.pk}
    while ticket.merged_into_id and ticket.merged_into_id not in seen:
        seen.add(ticket.merged_into_id)
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    return ticket
