"""Read paths for tickets: lists, the group queue, the ticket page and the customer timeline.

Each query is one bounded index range: the queue walks the partial index ``ticket_group_queue``
(active tickets by group, priority rank, age), ticket history walks ``event_ticket_time``, and
every list pages by keyset cursor, never by OFFSET.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from sampark.api.pagination import decode_cursor, encode_cursor
from sampark.core.errors import NotFound
from sampark.customers.models import Asset, Contact, Organization
from sampark.db.prepared import Prepared

from . import access
from .models import ACTIVE_Q, ACTIVE_SQL, Ticket, TicketEvent, tag_name

# Constants from the Status enum only, never user input.
ACTIVE_LITERAL = RawSQL(ACTIVE_SQL, [], output_field=BooleanField())  # noqa: S611


@dataclass
class Page:
    items: list
    next_cursor: str | None


TICKET_JOINS = ("priority", "requester", "owner", "group")
TicketClock = Ticket.sla_clock.related.related_model

# Few joins, the rest fetched by id: on PostgreSQL planning a nine-table join cost more than
# running it. Each is compiled once per connection (see sampark.db.prepared).
# Only the columns a ticket's JSON shows: every other column, a user's password hash and
# timestamps above all, cost a conversion and an attribute per row.
TICKET_RELATED_COLUMNS = (
    "priority__code",
    "priority__name",
    "priority__name_hi",
    "priority__rank",
    "requester__name",
    "requester__language",
    "owner__first_name",
    "owner__last_name",
    "owner__email",
    "group__name",
    "group__tier",
)
REF_COLUMNS = ("name", "tier")
ASSET_COLUMNS = (
    "name",
    "model_number",
    "serial_number",
    "licence",
    "account_number",
    "location",
)

_tickets_by_id = Prepared(
    lambda ids: (
        Ticket.objects.select_related(*TICKET_JOINS)
        .only(*(f.name for f in Ticket._meta.concrete_fields), *TICKET_RELATED_COLUMNS)
        .filter(pk__in=ids)
    ),
    Prepared.INTS,
)
_organizations_by_id = Prepared(
    lambda ids: Organization.objects.only(*REF_COLUMNS).filter(pk__in=ids), Prepared.INTS
)
_assets_by_id = Prepared(
    lambda ids: Asset.objects.only(*ASSET_COLUMNS).filter(pk__in=ids), Prepared.INTS
)
_clocks_of = Prepared(
    lambda ids: (
        TicketClock.objects.select_related("policy")
        .only("ticket_id", "clocks", "sla_due", "at_risk_from", "policy__name")
        .filter(ticket_id__in=ids)
    ),
    Prepared.INTS,
)
_tags_of = Prepared(
    lambda ids: Ticket.tags.through.objects.filter(ticket_id__in=ids).values_list(
        "ticket_id", "tag__name"
    ),
    Prepared.INTS,
)
_collaborators_of = Prepared(
    lambda ids: (
        Ticket.collaborators.through.objects.filter(ticket_id__in=ids)
        .select_related("user")
        .only("ticket_id", "user__first_name", "user__last_name", "user__email")
        .order_by("id")
    ),
    Prepared.INTS,
)


def _related(query: Prepared, ids) -> dict:
    wanted = sorted({pk for pk in ids if pk is not None})
    return {row.pk: row for row in query(wanted)} if wanted else {}


def tickets_by_id(ids: list[int]) -> list[Ticket]:
    """The tickets with these ids, in this order, with everything a ticket's JSON shows:
    priority, requester, owner, group, organization, asset, SLA clock and policy, and the
    ``tag_names`` and ``collaborator_list`` attributes. One query per related table for the
    whole page: Django's many-to-many prefetch builds a related manager per ticket and cost
    more than the rest of the page together."""
    if not ids:
        return []
    by_id = {t.pk: t for t in _tickets_by_id(ids)}
    tickets = [by_id[pk] for pk in ids if pk in by_id]
    organizations = _related(_organizations_by_id, (t.organization_id for t in tickets))
    assets = _related(_assets_by_id, (t.asset_id for t in tickets))
    clocks = {c.ticket_id: c for c in _clocks_of(list(by_id))}
    tags: dict[int, list[str]] = {pk: [] for pk in by_id}
    for ticket_id, name in _tags_of(list(by_id)):
        tags[ticket_id].append(name)
    people: dict[int, list] = {pk: [] for pk in by_id}
    for link in _collaborators_of(list(by_id)):
        people[link.ticket_id].append(link.user)
    for ticket in tickets:
        Ticket.organization.field.set_cached_value(
            ticket, organizations.get(ticket.organization_id)
        )
        Ticket.asset.field.set_cached_value(ticket, assets.get(ticket.asset_id))
        Ticket.sla_clock.related.set_cached_value(ticket, clocks.get(ticket.pk))
        ticket.tag_names = sorted(tags[ticket.pk])
        ticket.collaborator_list = people[ticket.pk]
    return tickets


# What a one-line row of the workspace's ticket table shows (``workspace.ticket_rows``):
# no description, custom fields, organization, asset, tags or collaborators.
TABLE_ROW_COLUMNS = (
    "number",
    "subject",
    "status",
    "priority",
    "priority_rank",
    "channel",
    "language",
    "requester",
    "owner",
    "group",
    "version",
    "created_at",
    "updated_at",
)
_table_rows_by_id = Prepared(
    lambda ids: (
        Ticket.objects.select_related(*TICKET_JOINS)
        .only(*TABLE_ROW_COLUMNS, *TICKET_RELATED_COLUMNS)
        .filter(pk__in=ids)
    ),
    Prepared.INTS,
)
_row_clocks_of = Prepared(
    lambda ids: TicketClock.objects.only("ticket_id", "clocks", "sla_due", "at_risk_from").filter(
        ticket_id__in=ids
    ),
    Prepared.INTS,
)


def table_rows_by_id(ids: list[int]) -> list[Ticket]:
    """The tickets with these ids, in this order, with what a one-line row of a ticket table
    shows: priority, requester, owner, group and SLA clock. Two queries: a queue page drew
    on :func:`tickets_by_id`, and its organizations, assets, tags, collaborators and JSON
    fields were a tenth of the page."""
    if not ids:
        return []
    by_id = {t.pk: t for t in _table_rows_by_id(ids)}
    clocks = {c.ticket_id: c for c in _row_clocks_of(list(by_id))}
    tickets = [by_id[pk] for pk in ids if pk in by_id]
    for ticket in tickets:
        Ticket.sla_clock.related.set_cached_value(ticket, clocks.get(ticket.pk))
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
    language: list[str] | None = None
    active: bool | None = None


ORDERS = ("newest", "oldest", "queue")


def _after_in_queue(rank: int, created: datetime, pk: int) -> Q:
    """Tickets after the one with this key in queue order (priority rank, age, id)."""
    return (
        Q(priority_rank__gt=rank)
        | Q(priority_rank=rank, created_at__gt=created)
        | Q(priority_rank=rank, created_at=created, id__gt=pk)
    )


ORDER_KEYS = {
    "newest": ("-id",),
    "oldest": ("id",),
    "queue": ("priority_rank", "created_at", "id"),
}


def _filtered(filters: TicketFilters):
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
    if filters.language:
        rows = rows.filter(language__in=filters.language)
    return rows


def _in_scope(rows, filters: TicketFilters, scope: access.Scope | None) -> list:
    """``rows`` narrowed to the scope, as parts whose union is the answer.

    The scope is an OR of a group list, an owner and a set of collaborations. As one condition
    it defeats the indexes a page walks: SQLite gathers every matching row of each index and
    sorts them (35 ms for a large group at 100k tickets), PostgreSQL likewise. So a list that
    is not already narrowed by a selective key is split into one part per group, one for the
    tickets owned and one for the collaborations: each part walks one index range in page
    order (``ticket_group_id`` and ``ticket_owner_id`` newest first, ``ticket_group_queue`` and
    ``ticket_owner_queue`` in queue order) and stops at the page's end."""
    if scope is None:
        return [rows.none()]
    if scope.covers_group(filters.group) or filters.owner == scope.user_id:
        return [rows]
    if filters.requester is not None or filters.organization is not None:
        # A few hundred tickets at most, found by their own index: checking each is cheaper.
        return [rows.filter(access.ticket_condition(scope))]
    parts = []
    if scope.access == access.Access.GROUPS and filters.group is None:
        parts = [rows.filter(group_id=group) for group in sorted(scope.group_ids)]
    parts.append(rows.filter(owner_id=scope.user_id))
    parts.append(rows.filter(pk__in=access.collaborations_of(scope)))
    return parts


def _page_ids(parts: list, order: str, limit: int) -> list[int]:
    """The first ``limit`` ids, in ``order``, of the union of ``parts`` (each already ordered
    and past the cursor)."""
    key = ORDER_KEYS[order]
    columns = [name.lstrip("-") for name in key]
    if len(parts) == 1:
        return list(parts[0].values_list("id", flat=True)[:limit])
    selected = [part.values_list(*columns) for part in parts]
    if connection.features.supports_slicing_ordering_in_compound:
        # PostgreSQL: each part stops at the page's end on its own index.
        selected = [part.order_by(*key)[:limit] for part in selected]
    else:
        # SQLite allows no ORDER BY inside a compound SELECT, and needs none: it merges the
        # parts in the outer order, pulling each along its index only as far as the page.
        selected = [part.order_by() for part in selected]
    merged = selected[0].union(*selected[1:]).order_by(*key)[:limit]
    return [row[-1] for row in merged]


def ticket_page(
    filters: TicketFilters,
    *,
    order: str = "newest",
    cursor: str | None = None,
    limit: int = 50,
    scope: access.Scope | None | Literal["all"] = "all",
) -> Page:
    """A page of the tickets matching ``filters`` that ``scope`` may see ("all": no narrowing,
    for callers that are not an agent's request)."""
    rows = _filtered(filters)
    if order == "queue":
        rows = rows.order_by(*ORDER_KEYS[order])
        if cursor:
            rows = rows.filter(_after_in_queue(*decode_cursor(cursor, int, datetime, int)))
    elif order == "oldest":
        rows = rows.order_by("id")
        if cursor:
            rows = rows.filter(id__gt=decode_cursor(cursor, int)[0])
    else:
        rows = rows.order_by("-id")
        if cursor:
            rows = rows.filter(id__lt=decode_cursor(cursor, int)[0])
    parts = [rows] if scope == "all" else _in_scope(rows, filters, scope)
    return _page_of(_page_ids(parts, order, limit + 1), limit, order)


def _page_of(ids: list[int], limit: int, order: str) -> Page:
    """The page for up to ``limit + 1`` matching ids: the tickets and the cursor after them."""
    more = len(ids) > limit
    ids = ids[:limit]
    items = tickets_by_id(ids)
    next_cursor = None
    if more and items:
        last = items[-1]
        if order == "queue":
            next_cursor = encode_cursor(last.priority_rank, last.created_at, last.pk)
        else:
            next_cursor = encode_cursor(last.pk)
    return Page(items, next_cursor)


def _queue_rows(group_id: int):
    return (
        Ticket.objects.filter(ACTIVE_LITERAL, group_id=group_id)
        .order_by("priority_rank", "created_at", "id")
        .values_list("id", flat=True)
    )


# The group queue's two shapes, compiled once per connection: the first page and a page after
# a cursor (priority rank, created at, id), walking the partial index ticket_group_queue. The
# rank is a small integer column, so it is part of the shape (one per priority in use).
_queue_first = Prepared(lambda group, *, limit: _queue_rows(group)[: limit + 1], int)
_queue_after = Prepared(
    lambda group, created, pk, *, rank, limit: _queue_rows(group).filter(
        _after_in_queue(rank, created, pk)
    )[: limit + 1],
    int,
    datetime,
    int,
)


def group_queue(
    group_id: int,
    *,
    cursor: str | None = None,
    limit: int = 50,
    scope: access.Scope | None | Literal["all"] = "all",
) -> Page:
    """Active tickets of one group, most urgent priority first, then oldest first; the same
    page as ``ticket_page(TicketFilters(group=group_id, active=True), order="queue")``. An
    agent outside the group sees in it only the tickets they own or collaborate on."""
    if scope != "all" and (scope is None or not scope.covers_group(group_id)):
        filters = TicketFilters(group=group_id, active=True)
        return ticket_page(filters, order="queue", cursor=cursor, limit=limit, scope=scope)
    if cursor:
        rank, created, pk = decode_cursor(cursor, int, datetime, int)
        ids = _queue_after(group_id, created, pk, rank=rank, limit=limit)
    else:
        ids = _queue_first(group_id, limit=limit)
    return _page_of(ids, limit, "queue")


def get_ticket(ticket_id: int, scope: access.Scope | None | Literal["all"] = "all") -> Ticket:
    """The ticket, ready to show; a ticket outside ``scope`` is as missing as one that never
    was (access.ticket_not_found)."""
    found = tickets_by_id([ticket_id])
    if not found or (scope != "all" and not access.can_see(scope, found[0])):
        raise access.ticket_not_found()
    return found[0]


_merged_into = Prepared(
    lambda pk: Ticket.objects.filter(merged_into_id=pk).values_list("id", flat=True), int
)


def history_ticket_ids(ticket: Ticket) -> list[int]:
    """The ticket and every ticket merged into it: one timeline for the surviving ticket. Read
    its events by these ids, never by a join on ``ticket__merged_into_id`` ORed with the
    ticket's own id: PostgreSQL cannot use an index for that OR across two tables and hashes
    every event and ticket (3.5 s a page at a million tickets). Kept on the ticket object: a
    page asks for them several times (its timeline, its newest event, its mail), and a
    ticket read again after a merge is a new object."""
    ids = ticket.__dict__.get("_history_ids")
    if ids is None:
        ids = ticket.__dict__["_history_ids"] = [ticket.pk, *_merged_into(ticket.pk)]
    return ids


def _events(ids, created=None, pk=None, *, kinds, newest_first, limit, timeline=False):
    """Events of these tickets by time, after the cursor ``(created, pk)`` if one is given."""
    rows = TicketEvent.objects.select_related("actor", "contact").filter(ticket_id__in=ids)
    if timeline:
        # The customer 360 shows each event's ticket number, subject and status.
        rows = rows.select_related("ticket").defer("ticket__description", "ticket__custom_fields")
    if kinds:
        rows = rows.filter(kind__in=kinds)
    if newest_first:
        rows = rows.order_by("-created_at", "-id")
        if created is not None:
            rows = rows.filter(Q(created_at__lt=created) | Q(created_at=created, id__lt=pk))
    else:
        rows = rows.order_by("created_at", "id")
        if created is not None:
            rows = rows.filter(Q(created_at__gt=created) | Q(created_at=created, id__gt=pk))
    return rows[: limit + 1]


_events_first_page = Prepared(_events, Prepared.INTS)
_events_next_page = Prepared(_events, Prepared.INTS, datetime, int)


def _event_page(ids: list[int], cursor: str | None, **shape) -> Page:
    """One page of events, a keyset cursor for the next: ``shape`` as :func:`_events` takes."""
    if cursor:
        created, pk = decode_cursor(cursor, datetime, int)
        events = _events_next_page(ids, created, pk, **shape) if ids else []
    else:
        events = _events_first_page(ids, **shape) if ids else []
    limit = shape["limit"]
    more = len(events) > limit
    events = events[:limit]
    next_cursor = encode_cursor(events[-1].created_at, events[-1].pk) if more else None
    return Page(events, next_cursor)


def ticket_events(
    ticket: Ticket,
    *,
    kinds=None,
    cursor: str | None = None,
    limit: int = 50,
    newest_first: bool = True,
) -> Page:
    """A ticket's history (with that of tickets merged into it), by time, a page at a time."""
    return _event_page(
        history_ticket_ids(ticket),
        cursor,
        kinds=tuple(kinds or ()),
        newest_first=newest_first,
        limit=limit,
    )


def recent_events(ticket: Ticket, limit: int = 50) -> list[TicketEvent]:
    """The last ``limit`` events, oldest first, as the ticket page shows them."""
    return list(reversed(ticket_events(ticket, limit=limit).items))


_contact = Prepared(lambda pk: Contact.objects.filter(pk=pk), int)


def get_contact(contact_id: int) -> Contact:
    found = _contact(contact_id)
    if not found:
        raise NotFound(_("Contact not found."))
    return found[0]


_tickets_of = Prepared(
    lambda pk: Ticket.objects.filter(requester_id=pk).values_list("id", flat=True), int
)


def contact_timeline(
    contact: Contact,
    *,
    cursor: str | None = None,
    limit: int = 50,
    scope: access.Scope | None | Literal["all"] = "all",
    kinds: tuple[str, ...] = (),
) -> Page:
    """The customer 360: every event on every ticket of this person (that ``scope`` may see),
    across all channels, newest first; only events of these ``kinds`` when given. Contacts
    merged into this one brought their tickets along."""
    condition = None if scope == "all" else access.ticket_condition(scope)
    if condition is None:
        ticket_ids = list(_tickets_of(contact.pk))
    else:
        mine = Ticket.objects.filter(condition, requester_id=contact.pk)
        ticket_ids = list(mine.values_list("id", flat=True))
    return _event_page(
        ticket_ids,
        cursor,
        kinds=tuple(kinds),
        newest_first=True,
        limit=limit,
        timeline=True,
    )
