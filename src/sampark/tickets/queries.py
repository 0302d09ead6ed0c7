"""Read paths for tickets: lists, the group queue, the ticket page and the customer timeline.

Each query is one bounded index range: the queue walks the partial index ``ticket_group_queue``
(active tickets by group, priority rank, age), ticket history walks ``event_ticket_time``, and
every list pages by keyset cursor, never by OFFSET.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from sampark.customers.models import Contact
from sampark.errors import NotFound
from sampark.pagination import decode_cursor, encode_cursor

from .models import ACTIVE_Q, ACTIVE_SQL, Ticket, TicketEvent, tag_name

# Constants from the Status enum only, never user input.
ACTIVE_LITERAL = RawSQL(ACTIVE_SQL, [], output_field=BooleanField())  # noqa: S611


@dataclass
class Page:
    items: list
    next_cursor: str | None


def _ticket_rows() -> QuerySet[Ticket]:
    # Few joins, the rest prefetched: on PostgreSQL planning a nine-table join cost more
    # than running it.
    rows = Ticket.objects.select_related("priority", "requester", "owner", "group")
    return rows.prefetch_related("organization", "asset", "sla_clock__policy")


def _with_people_and_tags(tickets: list[Ticket]) -> list[Ticket]:
    """Attach ``tag_names`` and ``collaborator_list`` with one query each for the whole page:
    Django's many-to-many prefetch builds a related manager per ticket and costs more than
    the rest of the page together."""
    ids = [t.pk for t in tickets]
    tags: dict[int, list[str]] = {pk: [] for pk in ids}
    for ticket_id, name in Ticket.tags.through.objects.filter(ticket_id__in=ids).values_list(
        "ticket_id", "tag__name"
    ):
        tags[ticket_id].append(name)
    people: dict[int, list] = {pk: [] for pk in ids}
    links = Ticket.collaborators.through.objects.filter(ticket_id__in=ids).select_related("user")
    for link in links.order_by("id"):
        people[link.ticket_id].append(link.user)
    for ticket in tickets:
        ticket.tag_names = sorted(tags[ticket.pk])
        ticket.collaborator_list = people[ticket.pk]
    return tickets


@dataclass
class TicketFilters:
    status: list[str] | None = None
    priority: str | None = None
    group: int | None = None
    owner: int | None = None
    unowned: bool = False
    requester: int | None = None
    organization: int | None = None
    tag: str | None = None
    channel: str | None = None
    active: bool | None = None


ORDERS = ("newest", "oldest", "queue")


def ticket_page(
    filters: TicketFilters, *, order: str = "newest", cursor: str | None = None, limit: int = 50
) -> Page:
    rows = Ticket.objects.all()
    if filters.status:
        rows = rows.filter(status__in=filters.status)
    if filters.active is not None:
        rows = rows.filter(ACTIVE_LITERAL) if filters.active else rows.exclude(ACTIVE_Q)
    if filters.priority:
        rows = rows.filter(priority__code=filters.priority)
    if filters.group is not None:
        rows = rows.filter(group_id=filters.group)
    if filters.owner is not None:
        rows = rows.filter(owner_id=filters.owner)
    if filters.unowned:
        rows = rows.filter(owner__isnull=True)
    if filters.requester is not None:
        rows = rows.filter(requester_id=filters.requester)
    if filters.organization is not None:
        rows = rows.filter(organization_id=filters.organization)
    if filters.tag:
        rows = rows.filter(tags__name=tag_name(filters.tag))
    if filters.channel:
        rows = rows.filter(channel=filters.channel)

    if order == "queue":
        rows = rows.order_by("priority_rank", "created_at", "id")
        if cursor:
            rank, created, pk = decode_cursor(cursor, int, datetime, int)
            rows = rows.filter(
                Q(priority_rank__gt=rank)
                | Q(priority_rank=rank, created_at__gt=created)
                | Q(priority_rank=rank, created_at=created, id__gt=pk)
            )
    elif order == "oldest":
        rows = rows.order_by("id")
        if cursor:
            rows = rows.filter(id__gt=decode_cursor(cursor, int)[0])
    else:
        rows = rows.order_by("-id")
        if cursor:
            rows = rows.filter(id__lt=decode_cursor(cursor, int)[0])

    ids = list(rows.values_list("id", flat=True)[: limit + 1])
    more = len(ids) > limit
    ids = ids[:limit]
    by_id = _ticket_rows().in_bulk(ids)
    items = _with_people_and_tags([by_id[pk] for pk in ids])
    next_cursor = None
    if more and items:
        last = items[-1]
        if order == "queue":
            next_cursor = encode_cursor(last.priority_rank, last.created_at, last.pk)
        else:
            next_cursor = encode_cursor(last.pk)
    return Page(items, next_cursor)


def group_queue(group_id: int, *, cursor: str | None = None, limit: int = 50) -> Page:
    """Active tickets of one group, most urgent priority first, then oldest first."""
    return ticket_page(
        TicketFilters(group=group_id, active=True), order="queue", cursor=cursor, limit=limit
    )


def get_ticket(ticket_id: int) -> Ticket:
    ticket = _ticket_rows().filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("Ticket not found.")
    return _with_people_and_tags([ticket])[0]


def _history_ticket_ids(ticket: Ticket) -> list[int]:
    """The ticket and every ticket merged into it: one timeline for the surviving ticket."""
    merged = list(Ticket.objects.filter(merged_into=ticket).values_list("id", flat=True))
    return [ticket.pk, *merged]


def _event_rows() -> QuerySet[TicketEvent]:
    return TicketEvent.objects.select_related("actor", "contact")


def ticket_events(
    ticket: Ticket,
    *,
    kinds=None,
    cursor: str | None = None,
    limit: int = 50,
    newest_first: bool = True,
) -> Page:
    """A ticket's history (with that of tickets merged into it), by time, a page at a time."""
    rows = _event_rows().filter(ticket_id__in=_history_ticket_ids(ticket))
    if kinds:
        rows = rows.filter(kind__in=kinds)
    if newest_first:
        rows = rows.order_by("-created_at", "-id")
        if cursor:
            created, pk = decode_cursor(cursor, datetime, int)
            rows = rows.filter(Q(created_at__lt=created) | Q(created_at=created, id__lt=pk))
    else:
        rows = rows.order_by("created_at", "id")
        if cursor:
            created, pk = decode_cursor(cursor, datetime, int)
            rows = rows.filter(Q(created_at__gt=created) | Q(created_at=created, id__gt=pk))
    events = list(rows[: limit + 1])
    more = len(events) > limit
    events = events[:limit]
    next_cursor = encode_cursor(events[-1].created_at, events[-1].pk) if more else None
    return Page(events, next_cursor)


def recent_events(ticket: Ticket, limit: int = 50) -> list[TicketEvent]:
    """The last ``limit`` events, oldest first, as the ticket page shows them."""
    return list(reversed(ticket_events(ticket, limit=limit).items))


def get_contact(contact_id: int) -> Contact:
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise NotFound("Contact not found.")
    return contact


def contact_timeline(contact: Contact, *, cursor: str | None = None, limit: int = 50) -> Page:
    """The customer 360: every event on every ticket of this person, across all channels,
    newest first. Contacts merged into this one brought their tickets along."""
    ticket_ids = list(Ticket.objects.filter(requester=contact).values_list("id", flat=True))
    rows = (
        _event_rows()
        .select_related("ticket")
        .filter(ticket_id__in=ticket_ids)
        .order_by("-created_at", "-id")
    )
    if cursor:
        created, pk = decode_cursor(cursor, datetime, int)
        rows = rows.filter(Q(created_at__lt=created) | Q(created_at=created, id__lt=pk))
    events = list(rows[: limit + 1]) if ticket_ids else []
    more = len(events) > limit
    events = events[:limit]
    next_cursor = encode_cursor(events[-1].created_at, events[-1].pk) if more else None
    return Page(events, next_cursor)
