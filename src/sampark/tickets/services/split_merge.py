"""One problem, one ticket: splitting messages off into a new ticket, merging a duplicate into
the ticket that survives, and moving a contact's tickets to another contact (the tickets' side
of a contact merge)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from sampark.core import clock, events
from sampark.core.errors import (
    Conflict,
    InvalidInput,
    StaleVersion,
)
from sampark.customers.models import Contact

from .. import access
from ..models import (
    ACTIVE_STATUSES,
    Channel,
    Status,
    Ticket,
    TicketEvent,
)
from ._steps import _check_text, _event, _lock, _require_agent, _save
from .conversation import _reopen
from .opening import _insert_numbered

Kind = TicketEvent.Kind


# --- one problem, one ticket --------------------------------------------------------------


@transaction.atomic
def split_ticket(
    ticket_id: int,
    *,
    actor,
    event_ids: list[int],
    subject: str,
    expected_version: int | None = None,
) -> Ticket:
    """Move the chosen messages into a new ticket linked to this one (one problem, one ticket).

    The messages are copied to the new ticket with their original times, and the original
    ticket's timeline records which messages went where, so neither history loses anything.
    The new ticket keeps the same requester, owner (SPOC), group and priority, and is then
    routed on its own.
    """
    _require_agent(actor, field="actor")
    subject = _check_text(subject, "subject", 255, required=True)
    wanted = list(dict.fromkeys(event_ids))
    if not wanted:
        raise InvalidInput(_("Choose at least one message to split off."), field="event_ids")
    source = _lock(ticket_id, expected_version, actor=actor)
    if not access.can_split(actor, source):
        raise access.ticket_not_found()
    if source.status == Status.CLOSED:
        raise Conflict(_("A closed ticket cannot be split."))
    messages = list(
        source.events.filter(pk__in=wanted, kind__in=TicketEvent.MESSAGE_KINDS).order_by(
            "created_at", "id"
        )
    )
    if len(messages) != len(wanted):
        raise InvalidInput(
            _("Only messages and notes of this ticket can be split off."), field="event_ids"
        )
    now = clock.now()
    first_customer = next((m for m in messages if m.kind == Kind.MESSAGE_IN), None)
    new = Ticket(
        subject=subject,
        description=first_customer.body if first_customer else messages[0].body,
        status=Status.OPEN if source.owner_id else Status.NEW,
        priority=source.priority,
        priority_rank=source.priority_rank,
        priority_source=source.priority_source,
        impact=source.impact,
        urgency=source.urgency,
        type=source.type,
        category=source.category,
        channel=source.channel,
        language=source.language,
        requester=source.requester,
        organization=source.organization,
        asset=source.asset,
        owner=source.owner,
        group=source.group,
        tier=source.tier,
        split_from=source,
        created_at=now,
        updated_at=now,
    )
    _insert_numbered(new)
    _event(
        new,
        Kind.SPLIT_FROM,
        channel=Channel.AGENT,
        actor=actor,
        data={"ticket": source.pk, "number": source.number, "event_ids": wanted},
        at=now,
    )
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket=new,
            kind=m.kind,
            actor_id=m.actor_id,
            contact_id=m.contact_id,
            channel=m.channel,
            public=m.public,
            body=m.body,
            data={**m.data, "copied_from": {"ticket": source.pk, "event": m.pk}},
            time_spent=m.time_spent,
            created_at=m.created_at,
        )
        for m in messages
    )
    _event(
        source,
        Kind.SPLIT,
        channel=Channel.AGENT,
        actor=actor,
        data={"ticket": new.pk, "number": new.number, "event_ids": wanted},
        at=now,
    )
    _save(source, set(), now)
    events.publish("ticket_opened", ticket_id=new.pk, subject=new)
    return new


@transaction.atomic
def merge_tickets(
    source_id: int, *, into_id: int, actor, expected_version: int | None = None
) -> Ticket:
    """Close ``source`` as a duplicate of ``into``. Both timelines are kept; reading the
    surviving ticket's timeline includes the events of every ticket merged into it."""
    _require_agent(actor, field="actor")
    if source_id == into_id:
        raise InvalidInput(_("A ticket cannot be merged into itself."), field="into")
    # Lock in id order so that two opposite merges cannot deadlock.
    first, second = sorted([source_id, into_id])
    locked = {first: _lock(first), second: _lock(second)}
    source, target = locked[source_id], locked[into_id]
    if not access.can_see(actor, source):
        raise access.ticket_not_found()
    if not access.can_merge(actor, source, target):
        # A ticket the actor may not see answers as a missing one would.
        raise InvalidInput(_("No ticket has id %(id)s.") % {"id": into_id}, field="into")
    if expected_version is not None and source.version != expected_version:
        raise StaleVersion(source.version)
    if source.merged_into_id or source.status == Status.CLOSED:
        raise Conflict(_("Ticket #%(n)s is already closed.") % {"n": source.number})
    if target.merged_into_id or target.status == Status.CLOSED:
        raise Conflict(_("Ticket #%(n)s is closed and cannot take a merge.") % {"n": target.number})
    now = clock.now()
    previous_status = source.status
    source.status = Status.CLOSED
    source.closed_at = now
    source.merged_into = target
    _event(
        source,
        Kind.MERGED,
        channel=Channel.AGENT,
        actor=actor,
        data={"into": target.pk, "number": target.number, "from_status": previous_status},
        at=now,
    )
    _event(
        target,
        Kind.MERGED_FROM,
        channel=Channel.AGENT,
        actor=actor,
        data={"ticket": source.pk, "number": source.number},
        at=now,
    )
    _save(source, {"status", "closed_at", "merged_into"}, now)
    target_changed: set[str] = set()
    if target.status == Status.SOLVED and previous_status in ACTIVE_STATUSES:
        _reopen(target, target_changed, now, reason="merge", channel=Channel.AGENT, actor=actor)
    _save(target, target_changed, now)
    events.publish("ticket_merged", ticket_id=source.pk, into_id=target.pk)
    return target


# --- customer records ---------------------------------------------------------------------


def transfer_requester(source: Contact, target: Contact, *, actor=None) -> list[int]:
    """Move every ticket of ``source`` to ``target`` (a contact merge); each moved ticket's
    timeline records it. The tickets' step of sampark.workflows.contact_merge."""
    tickets = list(Ticket.objects.filter(requester=source).values_list("pk", flat=True))
    if not tickets:
        return []
    now = clock.now()
    Ticket.objects.filter(pk__in=tickets).update(
        requester=target, version=F("version") + 1, updated_at=now
    )
    if target.organization_id:
        # Tickets written from a personal address join the account the person belongs to.
        Ticket.objects.filter(pk__in=tickets, organization__isnull=True).update(
            organization_id=target.organization_id
        )
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=pk,
            kind=Kind.REQUESTER,
            actor=actor,
            channel=Channel.AGENT,
            data={
                "from": {"id": source.pk, "name": source.name},
                "to": {"id": target.pk, "name": target.name},
                "reason": "contact_merge",
            },
            created_at=now,
        )
        for pk in tickets
    )
    return tickets
