"""Undo send from the ticket page: the reply is taken back by the email channel
(``sampark.mail.services.outbound.undo_send``), and its text goes back into the agent's draft
on the ticket, in the same transaction, so that nothing the agent wrote is lost."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from sampark.core.errors import NotFound
from sampark.mail.models import OutboundMessage
from sampark.mail.services import outbound

from ..models import Draft
from .ticket_page import Composed, save_draft


@transaction.atomic
def take_back(user, ticket_id: int, outbound_id: int) -> Draft:
    """The reply ``outbound_id`` on ``ticket_id`` withdrawn, and the agent's draft with its
    text (before any draft the agent has started since)."""
    if not OutboundMessage.objects.filter(pk=outbound_id, ticket_id=ticket_id).exists():
        raise NotFound(_("No such message."))
    withdrawn = outbound.undo_send(user, outbound_id)
    current = Draft.objects.filter(user=user, ticket_id=ticket_id).first()
    body = withdrawn.text
    if current is not None and current.body.strip():
        body = f"{withdrawn.text}\n\n{current.body}"
    return save_draft(user, ticket_id, Composed(kind=Draft.Kind.REPLY, body=body))
