"""Every message of the real-world corpus (../shared/email-corpus: other mail libraries' test
messages, nobody on this team wrote them) goes through ingestion: stored once, never a crash,
and what it becomes agrees with what the parser recognised it as (a bounce is recorded as a
delivery failure, an automatic reply opens no ticket). The parser's own reading of each file
is tested in test_mail_corpus.py."""

from __future__ import annotations

import pytest

from sampark.core.errors import InvalidInput
from sampark.customers.services import normalise_email
from sampark.mail import parsing
from sampark.mail.models import InboundMessage
from sampark.mail.services.ingest import ingest
from sampark.tickets.models import Ticket
from tests.email_corpus import find_corpus

Outcome = InboundMessage.Outcome


def _writable(sender) -> bool:
    """An address a contact can have (a person can be written back to)."""
    try:
        return bool(sender and sender.address and normalise_email(sender.address))
    except InvalidInput:
        return False


CORPUS = find_corpus()
FILES = (
    sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix in {".eml", ".txt", ".msg", ""} and p.parent != CORPUS
    )
    if CORPUS
    else []
)


@pytest.mark.skipif(
    CORPUS is None, reason="the shared email corpus (../shared/email-corpus) is absent"
)
@pytest.mark.parametrize(
    "path", FILES, ids=[str(p.relative_to(CORPUS)) for p in FILES] if CORPUS else []
)
def test_every_corpus_message_is_stored_once_and_taken_in_as_what_it_is(db, path):
    raw = path.read_bytes()
    parsed = parsing.parse(raw)
    result = ingest(raw, via="pipe")
    assert result.stored, result
    stored = InboundMessage.objects.get(pk=result.inbound_id)
    assert stored.raw.read() == raw
    # A failure means an unexpected error inside the intake: never acceptable for real mail.
    assert result.outcome != Outcome.FAILED, result.reason
    if parsed.kind == "bounce":
        assert result.outcome == Outcome.BOUNCE
    elif parsed.kind == "auto_reply":
        assert result.outcome == Outcome.AUTO_REPLY
        assert Ticket.objects.count() == 0
    elif not _writable(parsed.sender):
        assert result.outcome == Outcome.REJECTED and stored.needs_attention
    else:
        assert result.outcome == Outcome.CREATED
        ticket = Ticket.objects.get(number=result.ticket_number)
        assert ticket.events.filter(kind="message_in").exists()
    assert ingest(raw, via="imap").outcome == "duplicate"
