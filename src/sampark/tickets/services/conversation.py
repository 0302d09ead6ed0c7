"""The conversation on a ticket: messages from and to the customer, internal notes and phone
calls, and how the status follows them. What happens on a customer reply (a solved ticket
reopens, a pending one goes back to open), on an agent's first reply (the first response, and an
unowned ticket becomes the replying agent's) is all in :func:`add_message`."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from sampark.core import clock, events
from sampark.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
)
from sampark.core.language import detect_language
from sampark.customers.models import Contact
from sampark.db import transactions

from .. import access
from ..models import (
    Channel,
    Status,
    Ticket,
    TicketEvent,
)
from . import swarming
from ._steps import (
    _agent_ref,
    _check_choice,
    _check_text,
    _check_time_spent,
    _event,
    _lock,
    _require_agent,
    _save,
)
from .attachments import NewAttachment, store_attachments

Kind = TicketEvent.Kind


def _ensure_customer_facing(ticket: Ticket, agent) -> None:
    """The owner is the one face to the customer; collaborators write internal notes
    (:func:`access.can_reply`)."""
    if not access.can_reply(agent, ticket):
        raise Forbidden(
            _(
                "Only the ticket's owner speaks to the customer. Add an internal note, or ask a "
                "supervisor to reassign the ticket."
            )
        )


def _take_ownership_if_unowned(ticket: Ticket, agent, changed: set[str], now) -> None:
    if ticket.owner_id is None:
        ticket.owner = agent
        changed.add("owner")
        _event(
            ticket,
            Kind.ASSIGNED,
            channel=Channel.AGENT,
            actor=agent,
            data={"from": None, "to": _agent_ref(agent), "reason": "first_reply"},
            at=now,
        )


def _to_open(
    ticket: Ticket, changed: set[str], now, *, kind: str, reason: str, channel: str, actor=None
) -> None:
    """Put the ticket back to open and record why: a STATUS event for what the conversation
    implies (a new ticket answered, a pending one replied to), a REOPENED event for a solved
    ticket coming back. SLA clocks replay both from the log."""
    previous = ticket.status
    ticket.status = Status.OPEN
    changed.add("status")
    if kind == Kind.REOPENED:
        ticket.solved_at = None
        changed.add("solved_at")
    _event(
        ticket,
        kind,
        channel=channel,
        actor=actor,
        contact=None if actor else ticket.requester,
        data={"from": previous, "to": Status.OPEN, "reason": reason},
        at=now,
    )


def _status_follows_conversation(
    ticket: Ticket, changed: set[str], now, *, reason: str, channel: str, actor=None
) -> None:
    _to_open(ticket, changed, now, kind=Kind.STATUS, reason=reason, channel=channel, actor=actor)


def _mark_responded(ticket: Ticket, agent, changed: set[str], now, channel: str) -> None:
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now
        changed.add("first_responded_at")
    if ticket.status == Status.NEW:
        _status_follows_conversation(
            ticket, changed, now, reason="first_response", channel=channel, actor=agent
        )


@transactions.step
def add_message(
    ticket_id: int,
    *,
    body: str,
    public: bool = True,
    agent=None,
    contact: Contact | None = None,
    channel: str = Channel.AGENT,
    time_spent: int | None = None,
    expected_version: int | None = None,
    data: dict | None = None,
    attachments: Sequence[NewAttachment] = (),
) -> TicketEvent:
    """A public message (from the customer or to them) or an internal note.

    ``data``: what the channel knows of the message (an email's Message-ID, the inbound mail
    it came in), kept on the event; ``attachments``: its files.

    A customer message records the language it is written in (``data["language"]``,
    :func:`~sampark.core.language.detect_language`); the ticket keeps the language it was
    opened in, which routing read. A customer reply to a solved ticket reopens it, and one to
    a pending ticket puts it back to open. An agent's first public reply counts as the first
    response, and an unowned ticket becomes the replying agent's. A note by an agent who
    joined an open request for help on the ticket is a contribution to it
    (:func:`.swarming.contribute`): in its thread, and the owner is told.
    """
    if (agent is None) == (contact is None):
        raise InvalidInput(_("A message comes from either an agent or a customer."))
    if not isinstance(body, str) or not body.strip():
        raise InvalidInput(_("The message is empty."), field="body")
    time_spent = _check_time_spent(time_spent)
    _check_choice(channel, Channel, "channel")
    if agent is not None:
        _require_agent(agent, field="actor")
    ticket = _lock(ticket_id, expected_version, actor=agent)
    now = clock.now()
    changed: set[str] = set()
    if contact is not None:
        if ticket.status == Status.CLOSED:
            raise Conflict(_("This ticket is closed; open a follow-up ticket instead."))
        if ticket.status == Status.SOLVED:
            _reopen(ticket, changed, now, reason="customer_reply", channel=channel)
        elif ticket.status == Status.PENDING:
            _status_follows_conversation(
                ticket, changed, now, reason="customer_reply", channel=channel
            )
        event = _event(
            ticket,
            Kind.MESSAGE_IN,
            channel=channel,
            contact=contact,
            body=body,
            public=True,
            data={**(data or {}), "language": detect_language(body)},
            at=now,
        )
    elif public:
        _require_agent(agent, field="actor")
        if ticket.status == Status.CLOSED:
            raise Conflict(_("This ticket is closed; open a follow-up ticket instead."))
        _ensure_customer_facing(ticket, agent)
        _take_ownership_if_unowned(ticket, agent, changed, now)
        _mark_responded(ticket, agent, changed, now, channel)
        event = _event(
            ticket,
            Kind.MESSAGE_OUT,
            channel=channel,
            actor=agent,
            body=body,
            public=True,
            time_spent=time_spent,
            data=data,
            at=now,
        )
    else:
        _require_agent(agent, field="actor")
        swarm_id = swarming.joined_swarm(ticket, agent)
        if swarm_id is not None:
            # A helper's note: their contribution to the request for help they joined.
            return swarming.contribute(
                ticket, swarm_id, actor=agent, body=body, channel=channel, time_spent=time_spent
            )
        event = _event(
            ticket,
            Kind.NOTE,
            channel=channel,
            actor=agent,
            body=body,
            public=False,
            time_spent=time_spent,
            data=data,
            at=now,
        )
    if attachments:
        store_attachments(ticket, event, attachments)
    _save(ticket, changed, now)
    events.publish("ticket_message", ticket_id=ticket.pk, event_id=event.pk, kind=event.kind)
    return event


@transaction.atomic
def withdraw_reply(ticket_id: int, event_id: int, *, agent) -> TicketEvent:
    """The agent takes back a public reply of theirs before it left (an email reply waits in
    its undo window). The log is append-only: the reply stays, and this event says it was
    withdrawn and never reached the customer, so it is no response: the first response goes
    back to the one before it (if any), and the SLA clocks replay the log without it. The
    channel decides whether it is still in time (``sampark.mail.services.outbound.undo_send``).
    """
    _require_agent(agent, field="actor")
    ticket = _lock(ticket_id, actor=agent)
    reply = TicketEvent.objects.filter(pk=event_id, ticket=ticket, kind=Kind.MESSAGE_OUT).first()
    if reply is None or reply.actor_id != agent.pk:
        raise Forbidden(_("Only the agent who wrote a reply may take it back."))
    now = clock.now()
    event = _event(
        ticket,
        Kind.REPLY_WITHDRAWN,
        channel=reply.channel,
        actor=agent,
        data={"event": reply.pk, "reply_at": reply.created_at.isoformat()},
        at=now,
    )
    changed = set()
    if ticket.first_responded_at == reply.created_at:
        ticket.first_responded_at = _first_response_besides(ticket, reply)
        changed.add("first_responded_at")
    _save(ticket, changed, now)
    events.publish("ticket_message", ticket_id=ticket.pk, event_id=event.pk, kind=event.kind)
    return event


def _first_response_besides(ticket: Ticket, reply: TicketEvent):
    """The first reply or call on ``ticket`` other than ``reply`` and the replies withdrawn
    before it, or None: the first response once ``reply`` is taken back."""
    withdrawn = {
        data.get("event")
        for data in ticket.events.filter(kind=Kind.REPLY_WITHDRAWN).values_list("data", flat=True)
    }
    responses = ticket.events.filter(kind__in=(Kind.MESSAGE_OUT, Kind.CALL)).exclude(
        pk__in=[pk for pk in withdrawn | {reply.pk} if pk]
    )
    return responses.order_by("created_at", "id").values_list("created_at", flat=True).first()


NOTICE_KINDS = (Kind.BOUNCE, Kind.AUTO_REPLY)


@transaction.atomic
def record_notice(
    ticket_id: int,
    *,
    kind: str,
    body: str,
    contact: Contact | None = None,
    channel: str = Channel.EMAIL,
    data: dict | None = None,
) -> TicketEvent:
    """A notice about the conversation that is not a message of it: a delivery failure of a
    reply, an out-of-office answer. It goes on the timeline and changes nothing else: no
    reopen, no status, no SLA clock."""
    if kind not in NOTICE_KINDS:
        raise InvalidInput(_("Not a kind of notice."), field="kind")
    ticket = Ticket.objects.get(pk=ticket_id)
    event = _event(
        ticket, kind, channel=channel, contact=contact, body=body, data=data, public=False
    )
    events.publish("ticket_notice", ticket_id=ticket.pk, event_id=event.pk, kind=kind)
    return event


@transaction.atomic
def add_followers(
    ticket_id: int, contacts: Sequence[Contact], *, channel: str = Channel.EMAIL, actor=None
) -> list[Contact]:
    """Customers who get the public replies besides the requester (an email's Cc). The
    requester and those already following are skipped; returns the ones added."""
    ticket = _lock(ticket_id)
    present = set(ticket.followers.values_list("pk", flat=True)) | {ticket.requester_id}
    added = []
    for contact in contacts:
        contact = contact.merged_into if contact.merged_into_id else contact
        if contact.pk in present:
            continue
        present.add(contact.pk)
        added.append(contact)
    if added:
        ticket.followers.add(*added)
        for contact in added:
            _event(
                ticket,
                Kind.FOLLOWER_ADDED,
                channel=channel,
                actor=actor,
                contact=contact,
                data={"contact": contact.pk, "name": contact.name},
            )
        _save(ticket, set())
    return added


class CallDirection:
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    values = (INBOUND, OUTBOUND)


@transaction.atomic
def log_call(
    ticket_id: int,
    *,
    agent,
    direction: str,
    duration_seconds: int,
    summary: str,
    time_spent: int | None = None,
    expected_version: int | None = None,
) -> TicketEvent:
    """Record a phone call with the customer on the ticket: a customer communication."""
    _require_agent(agent, field="actor")
    if direction not in CallDirection.values:
        raise InvalidInput(_("Direction must be inbound or outbound."), field="direction")
    if not isinstance(duration_seconds, int) or not 0 <= duration_seconds <= 24 * 3600:
        raise InvalidInput(_("Duration must be 0 to 86400 seconds."), field="duration_seconds")
    summary = _check_text(summary, "summary", 10_000, required=True)
    time_spent = _check_time_spent(time_spent)
    ticket = _lock(ticket_id, expected_version, actor=agent)
    if ticket.status == Status.CLOSED:
        raise Conflict(_("This ticket is closed; open a follow-up ticket instead."))
    _ensure_customer_facing(ticket, agent)
    now = clock.now()
    changed: set[str] = set()
    _take_ownership_if_unowned(ticket, agent, changed, now)
    _mark_responded(ticket, agent, changed, now, Channel.PHONE)
    event = _event(
        ticket,
        Kind.CALL,
        channel=Channel.PHONE,
        actor=agent,
        contact=ticket.requester,
        body=summary,
        public=True,
        data={"direction": direction, "duration_seconds": duration_seconds},
        time_spent=time_spent if time_spent is not None else duration_seconds,
        at=now,
    )
    _save(ticket, changed, now)
    events.publish("ticket_message", ticket_id=ticket.pk, event_id=event.pk, kind=event.kind)
    return event


def _reopen(
    ticket: Ticket, changed: set[str], now, *, reason: str, channel: str, actor=None
) -> None:
    _to_open(ticket, changed, now, kind=Kind.REOPENED, reason=reason, channel=channel, actor=actor)
