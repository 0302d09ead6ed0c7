"""The workspace's queues: the named queues of the sidebar with their counts, saved views,
ad-hoc queues (``/queues/filter/?...``, where the coordinator board's numbers lead), and one
page of a queue in SLA, priority or age order. The conditions a queue lists by
(:func:`ticket_conditions`, :func:`sla_conditions`) are the ones the board counts by.

Everything starts from the agent's ticket access scope (``sampark.tickets.access``): a ticket
outside it is in no page and no count. Every read is one bounded index range, never a scan
of all tickets:

- pages are unions of scope parts (each group of the scope, the tickets owned, those
  collaborated on), each part walking an index in page order and stopping at the page's end,
  as ``tickets.queries`` does; SLA order walks the clock indexes on ``sla_due`` (the nearest
  due time of a running clock, kept with the clocks by the SLA services), then lists the
  tickets without a running clock in priority order;
- counts of active tickets by group, owner and unowned (my tickets, my groups, unassigned)
  are sums of the rollup the database's triggers keep (``tickets.active_counts``, as the
  coordinator board's), so they cost the same for a queue of 50 tickets or of 50,000; the
  rest read an index range each: a small one of active tickets (pending on me, those owned
  or collaborated on outside the scope's groups) or, for SLA at risk and updates due, the
  clock index (``at_risk_from`` / ``update_due`` with the ticket's group and owner beside
  them), split into the same scope parts so that each part is one covering range.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import asdict, dataclass, field, replace
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sampark.api.pagination import decode_cursor, encode_cursor
from sampark.core import clock
from sampark.core.errors import InvalidInput, NotFound
from sampark.db.prepared import Prepared, PreparedSQL
from sampark.sla.models import TicketClock
from sampark.team.models import AgentProfile
from sampark.tickets import access
from sampark.tickets import escalation_queries as escalations
from sampark.tickets.models import (
    ACTIVE_STATUSES,
    ActiveCount,
    Escalation,
    Priority,
    Status,
    Ticket,
    tag_name,
)
from sampark.tickets.queries import ACTIVE_LITERAL, Page, table_rows_by_id

from .models import SavedView, WorkspaceSettings

PAGE_SIZE = 50
SLA_STATES = {
    "breached": _("Breached"),
    "at_risk": _("At risk"),
    "on_track": _("On track"),
    "none": _("No SLA clock running"),
}
UPDATE_STATES = {
    "overdue": _("Customer update overdue"),
    "today": _("Customer update due today"),
}
ORDERS = ("sla", "priority", "age")


@dataclass(frozen=True)
class QueueFilters:
    """Which active tickets a queue or saved view lists; several values of one filter are
    alternatives, different filters all apply. ``owners`` holds user ids and the words "me"
    and "nobody"."""

    statuses: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    groups: tuple[int | None, ...] = ()  # None: tickets without a group
    owners: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    organizations: tuple[int, ...] = ()
    sla_states: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    # Tickets with an open escalation to one of these groups ("Escalated to my group").
    escalated_to: tuple[int, ...] = ()
    # Customer updates "overdue" (due before now) and due "today" (from now to ``day_end``).
    updates: tuple[str, ...] = ()
    # Opened at or after ``created_after`` and before ``created_before`` (how long a ticket
    # has waited, as the board's age bands count it); moments, so only in ad-hoc queues.
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    # The end of the viewer's day (their time zone), for updates due "today".
    day_end: dt.datetime | None = field(default=None, compare=False)

    MOMENTS = ("created_after", "created_before", "day_end")

    def as_json(self) -> dict:
        stored = asdict(self)
        for name in self.MOMENTS:
            stored.pop(name)
        return {name: list(values) for name, values in stored.items() if values}

    @classmethod
    def from_json(cls, stored: dict) -> QueueFilters:
        known = {name: tuple(stored.get(name) or ()) for name in cls.__dataclass_fields__}
        for name in cls.MOMENTS:
            known.pop(name)
        return cls(**known)

    def as_query(self) -> str:
        """The filters as the address of an ad-hoc queue, ``/queues/filter/?<this>``
        (``queue_forms.QueueFilterForm`` reads it back); moments in UTC to the second."""
        pairs = []
        for name, parameter in QUERY_PARAMETERS.items():
            value = getattr(self, name)
            if isinstance(value, dt.datetime):
                pairs.append(f"{parameter}={value.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}")
            elif value:
                pairs += [f"{parameter}={_query_value(item)}" for item in value]
        return "&".join(pairs)

    def owner_ids(self, me: int) -> tuple[list[int], bool]:
        """(the owners' user ids, "me" resolved; whether "nobody" is one of them)."""
        ids = [me if value == "me" else int(value) for value in self.owners if value != "nobody"]
        return ids, "nobody" in self.owners


def _query_value(item) -> str:
    """A value in an address: ``None`` (no group) as "none"; quoted unless plain ASCII (the
    board writes a couple of hundred links, mostly numbers and codes)."""
    if item is None:
        return "none"
    text = str(item)
    return text if text.isascii() and text.isalnum() else quote(text, safe="")


# QueueFilters' fields as the parameters of an ad-hoc queue's address (``day_end`` is not
# one: the viewer's own day is worked out from their time zone).
QUERY_PARAMETERS = {
    "statuses": "status",
    "priorities": "priority",
    "groups": "group",
    "owners": "owner",
    "channels": "channel",
    "languages": "language",
    "tags": "tag",
    "organizations": "organization",
    "sla_states": "sla",
    "tiers": "tier",
    "escalated_to": "escalated",
    "updates": "update",
    "created_after": "created_after",
    "created_before": "created_before",
}


@dataclass(frozen=True)
class NamedQueue:
    name: str
    label: str
    order: str = "sla"


NAMED_QUEUES = {
    queue.name: queue
    for queue in (
        NamedQueue("mine", _("My tickets")),
        NamedQueue("groups", _("My groups")),
        NamedQueue("unassigned", _("Unassigned")),
        NamedQueue("pending", _("Pending on customer")),
        NamedQueue("sla", _("SLA at risk or breached")),
        NamedQueue("updates", _("Customer updates due")),
        NamedQueue("escalated", _("Escalated to my group")),
    )
}


def end_of_day(time_zone: str) -> dt.datetime:
    """Midnight at the end of today, in the agent's time zone: "due within the day"."""
    zone = ZoneInfo(time_zone) if time_zone else timezone.get_default_timezone()
    today = clock.now().astimezone(zone).date()
    return dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=zone)


def my_group_ids(user) -> list[int]:
    """The groups the agent belongs to (a supervisor's too, whatever their scope): for an
    agent who sees their groups' tickets, the groups the access layer already holds."""
    scope = access.scope_of(user)
    if scope is not None and scope.access == access.Access.GROUPS:
        return sorted(scope.group_ids)
    return sorted(
        AgentProfile.groups.through.objects.filter(agentprofile__user_id=user.pk).values_list(
            "group_id", flat=True
        )
    )


def named_filters(name: str, user, group_ids: list[int], time_zone: str = "") -> QueueFilters:
    """The filters of one named queue of the sidebar."""
    if name == "mine":
        return QueueFilters(owners=("me",))
    if name == "groups":
        return QueueFilters(groups=tuple(group_ids) or (0,))
    if name == "unassigned":
        return QueueFilters(owners=("nobody",))
    if name == "pending":
        return QueueFilters(statuses=(Status.PENDING,), owners=("me",))
    if name == "sla":
        return QueueFilters(sla_states=("at_risk", "breached"))
    if name == "updates":
        return QueueFilters(updates=tuple(UPDATE_STATES), day_end=end_of_day(time_zone))
    if name == "escalated":
        return QueueFilters(escalated_to=tuple(group_ids) or (0,))
    raise KeyError(name)


# --- conditions ---------------------------------------------------------------------------


def ticket_conditions(filters: QueueFilters, me: int, prefix: str = "") -> Q:
    """The filters as a condition on tickets (``prefix`` "ticket__" from a clock row): what
    a queue lists and what the coordinator board counts (``workspace.board``).

    Priorities are compared on ``priority_rank`` (the copy of the priority's rank the queue
    indexes hold), so that a count by priority reads only an index."""
    p = prefix
    condition = Q()
    if filters.statuses:
        condition &= Q(**{f"{p}status__in": list(filters.statuses)})
    if filters.priorities:
        ranks = Priority.objects.filter(code__in=list(filters.priorities)).values("rank")
        if len(filters.priorities) == 1:  # a scalar subquery: read once, then compared
            condition &= Q(**{f"{p}priority_rank": Subquery(ranks[:1])})
        else:
            condition &= Q(**{f"{p}priority_rank__in": ranks})
    if filters.groups:
        ids = [group for group in filters.groups if group is not None]
        groups = Q(**{f"{p}group_id__in": ids}) if ids else Q(pk__in=[])
        if None in filters.groups:
            groups |= Q(**{f"{p}group__isnull": True})
        condition &= groups
    if filters.owners:
        ids, nobody = filters.owner_ids(me)
        owners = Q(**{f"{p}owner_id__in": ids}) if ids else Q(pk__in=[])
        if nobody:
            owners |= Q(**{f"{p}owner__isnull": True})
        condition &= owners
    if filters.channels:
        condition &= Q(**{f"{p}channel__in": list(filters.channels)})
    if filters.languages:
        condition &= Q(**{f"{p}language__in": list(filters.languages)})
    if filters.organizations:
        condition &= Q(**{f"{p}organization_id__in": list(filters.organizations)})
    if filters.tags:
        tagged = Ticket.tags.through.objects.filter(
            tag__name__in=[tag_name(t) for t in filters.tags]
        ).values("ticket_id")
        condition &= Q(**{f"{p}pk__in" if p else "pk__in": tagged})
    if filters.tiers:
        condition &= Q(**{f"{p}tier__in": list(filters.tiers)})
    if filters.created_after is not None:
        condition &= Q(**{f"{p}created_at__gte": filters.created_after})
    if filters.created_before is not None:
        condition &= Q(**{f"{p}created_at__lt": filters.created_before})
    if filters.escalated_to:
        condition &= Q(**{f"{p}pk__in": _escalated_to(filters.escalated_to)})
    return condition


def _escalated_to(group_ids) -> object:
    """The ids of the tickets with an open escalation to one of ``group_ids``, as a subquery
    (the partial index ``escalation_open_group`` serves it)."""
    return Escalation.objects.filter(
        closed_at__isnull=True, to_group_id__in=list(group_ids)
    ).values("ticket_id")


def sla_conditions(filters: QueueFilters, now: dt.datetime, via: str = "sla_clock__") -> Q:
    """The SLA filters as a condition on the clock's due times (``via`` "" on a clock row):
    what a queue lists and what the coordinator board counts."""
    condition = Q()
    if filters.sla_states:
        states = Q(pk__in=[])
        if "breached" in filters.sla_states:
            states |= Q(**{f"{via}sla_due__lte": now})
        if "at_risk" in filters.sla_states:
            states |= Q(**{f"{via}at_risk_from__lte": now, f"{via}sla_due__gt": now})
        if "on_track" in filters.sla_states:
            states |= Q(**{f"{via}at_risk_from__gt": now})
        if "none" in filters.sla_states:
            states |= Q(**{f"{via}sla_due__isnull": True})
        condition &= states
    if filters.updates:
        updates = Q(pk__in=[])
        if "overdue" in filters.updates:
            updates |= Q(**{f"{via}update_due__lt": now})
        if "today" in filters.updates:
            day_end = filters.day_end or end_of_day("")
            updates |= Q(**{f"{via}update_due__gte": now, f"{via}update_due__lt": day_end})
        condition &= updates
    return condition


def _active_tickets(filters: QueueFilters, me: int, now: dt.datetime):
    rows = Ticket.objects.filter(ACTIVE_LITERAL).filter(ticket_conditions(filters, me))
    return rows.filter(sla_conditions(filters, now))


@dataclass(frozen=True)
class _Part:
    """One index range of a scope: a group's tickets, those owned, or those collaborated on."""

    group: int | None = None
    owner: int | None = None
    collaborations: bool = False


def _parts(scope: access.Scope | None, filters: QueueFilters) -> list[_Part]:
    """The scope as parts whose union is the tickets it may see, narrowed to the groups the
    filters ask for; one part ("everything") for a scope that sees every ticket."""
    if scope is None:
        return []
    if scope.sees_all:
        return [_Part()]
    ids, nobody = filters.owner_ids(scope.user_id)
    if ids == [scope.user_id] and not nobody:
        return [_Part(owner=scope.user_id)]  # one's own tickets are always in scope
    parts = []
    if scope.access == access.Access.GROUPS:
        groups = scope.group_ids & set(filters.groups) if filters.groups else scope.group_ids
        parts = [_Part(group=group) for group in sorted(groups)]
    if not nobody or ids:
        parts.append(_Part(owner=scope.user_id))
    parts.append(_Part(collaborations=True))
    return parts


def _ticket_part(rows, part: _Part, scope: access.Scope):
    if part.group is not None:
        return rows.filter(group_id=part.group)
    if part.owner is not None:
        return rows.filter(owner_id=part.owner)
    if part.collaborations:
        return rows.filter(pk__in=access.collaborations_of(scope))
    return rows


def _clock_part(rows, part: _Part, scope: access.Scope, tickets):
    """A part as clock rows: the clock's own copy of group and owner picks the index range,
    the ticket's columns decide. ``tickets``: the tickets the queue admits, checked for each
    clock row as it is walked, by a scalar subquery on the primary key, rather than joined.
    Joined (and as ``EXISTS``, which it turns into the same join), PostgreSQL took the clock's
    copy of the group and the ticket's group for independent conditions, expected 332 rows of
    the front desk's 22,533 and hashed all 35k of its tickets before sorting (20 ms); a scalar
    subquery it runs per row, so it walks the clock index in order and stops after the page
    (1 ms). SQLite walked it that way already."""
    if part.group is not None:
        rows = rows.filter(ticket_group=part.group)
        tickets = tickets.filter(group_id=part.group)
    elif part.owner is not None:
        rows = rows.filter(ticket_owner=part.owner)
        tickets = tickets.filter(owner_id=part.owner)
    elif part.collaborations:
        rows = rows.filter(ticket_id__in=access.collaborations_of(scope))
    admits = tickets.filter(pk=OuterRef("ticket_id")).values(one=Value(1))[:1]
    return rows.alias(admitted=Subquery(admits)).filter(admitted=1)


# --- pages --------------------------------------------------------------------------------

_KEYS = {
    "priority": ("priority_rank", "created_at", "id"),
    "age": ("id",),
    "sla": ("sla_due", "ticket_id"),
}


def _after(order: str, key: tuple) -> Q:
    if order == "priority":
        rank, created, pk = key
        return (
            Q(priority_rank__gt=rank)
            | Q(priority_rank=rank, created_at__gt=created)
            | Q(priority_rank=rank, created_at=created, id__gt=pk)
        )
    if order == "age":
        return Q(id__gt=key[0])
    due, pk = key
    return Q(sla_due__gt=due) | Q(sla_due=due, ticket_id__gt=pk)


def _before(order: str, key: tuple) -> Q:
    if order == "priority":
        rank, created, pk = key
        return (
            Q(priority_rank__lt=rank)
            | Q(priority_rank=rank, created_at__lt=created)
            | Q(priority_rank=rank, created_at=created, id__lt=pk)
        )
    if order == "age":
        return Q(id__lt=key[0])
    due, pk = key
    return Q(sla_due__lt=due) | Q(sla_due=due, ticket_id__lt=pk)


def _union_keys(parts: list, key: tuple[str, ...], limit: int, backwards: bool):
    """The first ``limit`` key tuples of the union of ``parts``, in key order (reversed when
    ``backwards``), as a queryset (None when there are no parts); each part walks its own
    index and stops at the page's end."""
    ordering = [f"-{k}" for k in key] if backwards else list(key)
    if not parts:
        return None
    selected = [part.values_list(*key) for part in parts]
    if len(selected) == 1:
        return selected[0].order_by(*ordering)[:limit]
    if connection.features.supports_slicing_ordering_in_compound:
        selected = [part.order_by(*ordering)[:limit] for part in selected]
    else:
        selected = [part.order_by() for part in selected]
    return selected[0].union(*selected[1:]).order_by(*ordering)[:limit]


@dataclass(frozen=True)
class _Walk:
    """What makes the SQL of one walk of a queue page's keys: the filters without the values
    that only fill parameters, the scope's parts with their groups as placeholders, the phase
    and order, whether the page starts after a key (a priority rank goes here, as Prepared
    asks of small integer columns), the direction, the length, and which values fill the
    parameters (``slots``). Agents with the same kind of scope and queue share one compiled
    walk; the values (now, the agent, the groups, the start key) are bound each time."""

    phase: str  # "sla" (walking the clocks) or the order of the rest ("priority", "age")
    after_clocks: bool  # the rest of an SLA-ordered queue: only tickets with no running clock
    filters: QueueFilters
    parts: tuple[_Part, ...]  # a group part's group is a slot, "group0", "group1", ...
    scope: tuple[str, bool]  # the scope's access and whether a supervisor's
    rank: int | None  # the priority rank of the key a priority-ordered page starts after
    back: bool
    limit: int
    slots: tuple[str, ...]


_MOMENTS = ("now", "day_end", "created_after", "created_before", "after_time")


def _walk_query(walk: _Walk, values: dict):
    """The walk's queryset with ``values`` (markers when compiling, or the real ones)."""
    me, now = values.get("me"), values.get("now")
    filters = replace(
        walk.filters,
        groups=(*values["groups"], *((None,) if None in walk.filters.groups else ())),
        escalated_to=tuple(values["escalated_to"]),
        created_after=values.get("created_after"),
        created_before=values.get("created_before"),
        day_end=values.get("day_end"),
    )
    access_kind, supervisor = walk.scope
    scope = access.Scope(me, access_kind, frozenset(), supervisor)
    groups = (values[f"group{n}"] for n in itertools.count())
    parts = []
    for part in walk.parts:
        if part.group is not None:
            part = _Part(group=next(groups))
        elif part.owner is not None:
            part = _Part(owner=me)
        parts.append(part)
    after_key = None
    if "after_id" in values:
        after_key = (values.get("after_time"), values["after_id"])
        if walk.phase == "priority":
            after_key = (walk.rank, *after_key)
        elif walk.phase == "age":
            after_key = (values["after_id"],)
    if walk.phase == "sla":
        rows = TicketClock.objects.filter(sla_due__isnull=False)
        rows = rows.filter(sla_conditions(filters, now, via=""))
        admitted = Ticket.objects.filter(status__in=ACTIVE_STATUSES)
        admitted = admitted.filter(ticket_conditions(filters, me))
    else:
        rows = _active_tickets(filters, me, now)
        if walk.after_clocks:
            rows = rows.filter(sla_clock__sla_due__isnull=True)
    if after_key is not None:
        order = walk.phase
        rows = rows.filter(_before(order, after_key) if walk.back else _after(order, after_key))
    if walk.phase == "sla":
        walks = [_clock_part(rows, p, scope, admitted) for p in parts]
    else:
        walks = [_ticket_part(rows, p, scope) for p in parts]
    return _union_keys(walks, _KEYS[walk.phase], walk.limit, walk.back)


def _build_walk(*values, walk: _Walk):
    return _walk_query(walk, dict(zip(walk.slots, values, strict=True)))


# The agent and a part's group are compared with 32-bit columns (the user id, and the
# clock's copies of the ticket's owner and group); the lists with 64-bit ones.
_KINDS = {"groups": Prepared.INTS, "escalated_to": Prepared.INTS, "after_id": int}


def _walk_keys(filters, parts, scope, me, now, *, phase, after_clocks, key, limit, back):
    """Up to ``limit`` keys of one phase of a queue page after ``key`` (or from the start),
    through a walk compiled once per connection for its shape (:class:`_Walk`): building
    and compiling the union of a page's parts through the ORM took 3.6 ms of a 16 ms queue
    page, against 0.13 ms for SQLite to run it. Only the values the SQL takes are slots
    (Prepared refuses a value that reaches no parameter; a shape that still has one is
    built the plain way)."""
    if not parts:
        return []
    values: dict = {
        "groups": [g for g in filters.groups if g is not None],
        "escalated_to": list(filters.escalated_to),
    }
    owner_ids, _nobody = filters.owner_ids(me)
    if me in owner_ids or any(p.owner is not None or p.collaborations for p in parts):
        values["me"] = me
    if set(filters.sla_states) - {"none"} or filters.updates:
        values["now"] = now
    if "today" in filters.updates:
        values["day_end"] = filters.day_end or end_of_day("")
    for name in ("created_after", "created_before"):
        if getattr(filters, name) is not None:
            values[name] = getattr(filters, name)
    group_parts = [p.group for p in parts if p.group is not None]
    values.update({f"group{n}": group for n, group in enumerate(group_parts)})
    rank = None
    if key is not None:
        if phase == "priority":
            rank, values["after_time"], values["after_id"] = key
        elif phase == "sla":
            values["after_time"], values["after_id"] = key
        else:
            values["after_id"] = key[0]
    walk = _Walk(
        phase=phase,
        after_clocks=after_clocks,
        filters=replace(
            filters,
            groups=(None,) if None in filters.groups else (),
            escalated_to=(),
            created_after=None,
            created_before=None,
        ),
        parts=tuple(
            _Part(group=0) if p.group is not None else _Part(owner=0) if p.owner else p
            for p in parts
        ),
        scope=(scope.access, scope.supervisor),
        rank=rank,
        back=back,
        limit=limit,
        slots=tuple(values),
    )
    kinds = tuple(
        dt.datetime if name in _MOMENTS else _KINDS.get(name, Prepared.INT32) for name in walk.slots
    )
    return Prepared.of_kinds(_build_walk, kinds, or_plain=True)(*values.values(), walk=walk)


@dataclass
class QueuePage(Page):
    previous_cursor: str | None = None


_CURSOR_KEYS = {
    "sla": (dt.datetime, int),
    "priority": (int, dt.datetime, int),
    "age": (int,),
}


def _read_cursor(cursor: str) -> tuple[str, str, tuple]:
    """(direction "n" or "p", the order the key belongs to, the key); InvalidInput if the
    cursor is not one of ours."""
    for phase, types in _CURSOR_KEYS.items():
        try:
            direction, found, *key = decode_cursor(cursor, str, str, *types)
        except InvalidInput:
            continue
        if found == phase and direction in ("n", "p"):
            return direction, phase, tuple(key)
    raise InvalidInput(
        _("The page link is out of date; start again from the first page."), field="cursor"
    )


def queue_page(
    user,
    filters: QueueFilters,
    *,
    order: str = "sla",
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> QueuePage:
    """One page of the active tickets matching ``filters`` that ``user`` may see, with
    cursors to the next and previous pages. In SLA order the tickets with a running clock come
    first (nearest due first), then the others in priority order."""
    scope = access.scope_of(user)
    now = clock.now()
    me = user.pk
    parts = _parts(scope, filters)
    direction, phase, key = "n", order, None
    if cursor:
        direction, phase, key = _read_cursor(cursor)
        if phase not in (order, "priority" if order == "sla" else order):
            raise InvalidInput(_("The page link is out of date."), field="cursor")
    backwards = direction == "p"
    rest_order = "priority" if order == "sla" else order

    def walk(phase, after_clocks, after_key, n, back):
        # Always a whole page's walk, cut to the n wanted here: the limit is part of the
        # compiled shape, and the rest of an SLA-ordered queue needs what the clocks left.
        return _walk_keys(
            filters,
            parts,
            scope,
            me,
            now,
            phase=phase,
            after_clocks=after_clocks,
            key=after_key,
            limit=limit + 1,
            back=back,
        )[:n]

    def sla_keys(after_key, n, back):
        return walk("sla", False, after_key, n, back)

    def rest_keys(after_key, n, back):
        return walk(rest_order, order == "sla", after_key, n, back)

    # Gather up to limit + 1 (phase, key) pairs in the direction asked.
    found: list[tuple[str, tuple]] = []
    if not backwards:
        if order == "sla" and phase == "sla":
            found = [("sla", k) for k in sla_keys(key, limit + 1, False)]
            key = None
        if len(found) <= limit:
            found += [("rest", k) for k in rest_keys(key, limit + 1 - len(found), False)]
    else:
        if phase != "sla":
            found = [("rest", k) for k in rest_keys(key, limit + 1, True)]
            key = None
        if order == "sla" and len(found) <= limit:
            found += [("sla", k) for k in sla_keys(key, limit + 1 - len(found), True)]
        found.reverse()
    more = len(found) > limit
    shown = found[-limit:] if backwards else found[:limit]
    ids = [k[-1] for _phase, k in shown]
    items = table_rows_by_id(ids)
    page = QueuePage(items, None)
    phase_name = {"sla": "sla", "rest": rest_order}
    if shown:
        first_phase, first_key = shown[0]
        last_phase, last_key = shown[-1]
        has_next = more if not backwards else True
        has_previous = more if backwards else bool(cursor)
        if has_next:
            page.next_cursor = encode_cursor("n", phase_name[last_phase], *last_key)
        if has_previous:
            page.previous_cursor = encode_cursor("p", phase_name[first_phase], *first_key)
    return page


# --- counts -------------------------------------------------------------------------------


def _count_parts(rows, parts: list[_Part], scope, *, group_field: str, owner_field: str, pk: str):
    """Querysets whose counts add up to the distinct rows in the union of the scope's parts,
    each part one index range: a ticket in one of the groups counts there, an owned one only
    outside those groups, a collaboration only outside both."""
    groups = [p.group for p in parts if p.group is not None]
    counted = []
    for part in parts:
        if part.group is not None:
            counted.append(rows.filter(**{group_field: part.group}))
        elif part.owner is not None:
            owned = rows.filter(**{owner_field: part.owner})
            counted.append(owned.exclude(**{f"{group_field}__in": groups}) if groups else owned)
        elif part.collaborations:
            others = rows.filter(**{f"{pk}__in": access.collaborations_of(scope)})
            if groups:
                others = others.exclude(**{f"{group_field}__in": groups})
            counted.append(others.exclude(**{owner_field: scope.user_id}))
        else:
            counted.append(rows)
    return counted


def _count_sql(counted: dict[str, list]) -> tuple[str, list, tuple]:
    """Every count as one statement, ``SELECT (SELECT COUNT(*) FROM (...)), ...``, each
    subquery as its queryset compiles (and walks its own index), a part of the rollup as the
    sum of its rows; with the layout to read it back (each count's name and how many parts it
    adds up)."""
    selects, params = [], []
    for parts in counted.values():
        for rows in parts:
            summed = rows.model is ActiveCount
            column, total = ("n", "COALESCE(SUM(n), 0)") if summed else ("pk", "COUNT(*)")
            sql, part_params = rows.order_by().values(column).query.sql_with_params()
            selects.append(f"(SELECT {total} FROM ({sql}) AS part)")  # noqa: S608
            params.extend(part_params)
    layout = tuple((name, len(parts)) for name, parts in counted.items())
    return "SELECT " + ", ".join(selects), params, layout  # noqa: S608


def _counted(scope: access.Scope, me: int, group_ids, now, day_end) -> dict[str, list]:
    """The querysets each count of the sidebar adds up: the rollup's rows of a group, an
    owner or the unowned tickets (``ActiveCount``, summed), or one index range per scope
    part."""
    active = Ticket.objects.filter(ACTIVE_LITERAL)
    rollup = ActiveCount.objects.all()
    counted = {
        "mine": [rollup.filter(owner_id=me)],
        "pending": [Ticket.objects.filter(owner_id=me, status=Status.PENDING)],
    }
    if not group_ids:
        counted["groups"] = []
    elif scope.sees_all:
        counted["groups"] = [rollup.filter(group_id__in=group_ids)]
    else:
        counted["groups"] = [
            rollup.filter(group_id=g) for g in group_ids if g in scope.group_ids
        ] + _outside_groups(active, scope, group_ids)
    if scope.sees_all:
        counted["unassigned"] = [rollup.filter(owner_id__isnull=True)]
    else:
        groups = sorted(scope.group_ids) if scope.access == access.Access.GROUPS else []
        unowned = active.filter(owner__isnull=True, pk__in=access.collaborations_of(scope))
        counted["unassigned"] = [
            rollup.filter(group_id=g, owner_id__isnull=True) for g in groups
        ] + [unowned.exclude(group_id__in=groups)]
    parts = _parts(scope, QueueFilters())
    clocks = {"group_field": "ticket_group", "owner_field": "ticket_owner", "pk": "ticket_id"}
    at_risk = TicketClock.objects.filter(at_risk_from__lte=now)
    counted["sla"] = _count_parts(at_risk, parts, scope, **clocks)
    updates = TicketClock.objects.filter(update_due__lt=day_end)
    counted["updates"] = _count_parts(updates, parts, scope, **clocks)
    escalated = active.filter(pk__in=_escalated_to(group_ids)) if group_ids else None
    counted["escalated"] = [access.visible(scope, escalated)] if escalated is not None else []
    # Not a ticket queue (the requests name tickets not yet in the agent's scope): the
    # sidebar links it beside the queues, counted in the same round trip.
    counted["swarm_requests"] = [escalations.waiting_for_agent(me)]
    return counted


def _build_counts(me, now, day_end, *groups, access_kind, supervisor, scope_at, mine_at):
    """The counts' statement for a scope and groups given by position among ``groups``
    (``scope_at``: the scope's groups; ``mine_at``: the agent's, in their order)."""
    scope = access.Scope(me, access_kind, frozenset(groups[i] for i in scope_at), supervisor)
    return _count_sql(_counted(scope, me, [groups[i] for i in mine_at], now, day_end))


def queue_counts(user, group_ids: list[int], time_zone: str = "") -> dict[str, int]:
    """The sidebar's count of every named queue, each a sum of the active tickets' rollup or
    one index range per scope part (see the module's docstring), all in one statement,
    compiled once per kind of scope and number of groups (``PreparedSQL``): building and
    compiling its fifteen or so subqueries took half of the counts' 9 ms."""
    scope = access.scope_of(user)
    if scope is None:
        return dict.fromkeys([*NAMED_QUEUES, "swarm_requests"], 0)
    now, day_end = clock.now(), end_of_day(time_zone)
    # One value per group, whether the scope's or the agent's or both: a group's marker
    # must be the same in both places, since the statement's shape depends on which of the
    # agent's groups the scope covers.
    groups = sorted(set(scope.group_ids) | set(group_ids))
    at = {group: n for n, group in enumerate(groups)}
    kinds = (Prepared.INT32, dt.datetime, dt.datetime, *[Prepared.INT32] * len(groups))
    shape = {
        "access_kind": scope.access,
        "supervisor": scope.supervisor,
        "scope_at": tuple(at[g] for g in sorted(scope.group_ids)),
        "mine_at": tuple(at[g] for g in group_ids),
    }
    prepared = PreparedSQL.of_kinds(_build_counts, kinds, or_plain=True)
    sql, params, layout = prepared(user.pk, now, day_end, *groups, **shape)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = iter(cursor.fetchone())
    return {name: sum(next(values) for _part in range(parts)) for name, parts in layout}


def _outside_groups(active, scope: access.Scope, group_ids: list[int]) -> list:
    """Tickets of ``group_ids`` outside the agent's scope groups that they own or help on."""
    outside = [g for g in group_ids if g not in scope.group_ids]
    if not outside:
        return []
    rows = active.filter(group_id__in=outside)
    return [rows.filter(Q(owner_id=scope.user_id) | Q(pk__in=access.collaborations_of(scope)))]


# --- saved views and settings -------------------------------------------------------------


def view_not_found() -> NotFound:
    return NotFound(_("Saved view not found."))


def sidebar_views(user, group_ids: list[int]) -> list[SavedView]:
    """The agent's own views and those shared with one of their groups, by name."""
    rows = SavedView.objects.filter(Q(owner_id=user.pk) | Q(shared_with_id__in=group_ids))
    return list(rows.only("id", "name", "owner_id", "shared_with_id").order_by("name", "id"))


def visible_view(user, view_id: int, group_ids: list[int]) -> SavedView:
    """The view if the agent owns it or it is shared with one of their groups; else the
    NotFound a missing one gives."""
    found = (
        SavedView.objects.select_related("shared_with")
        .filter(Q(owner_id=user.pk) | Q(shared_with_id__in=group_ids), pk=view_id)
        .first()
    )
    if found is None:
        raise view_not_found()
    return found


def keyboard_shortcuts_on(user) -> bool:
    """On unless the agent turned them off. The settings come with the signed-in user
    (sampark.team.backends), so this asks the database only for a user loaded otherwise."""
    try:
        return user.workspace_settings.keyboard_shortcuts
    except WorkspaceSettings.DoesNotExist:
        return True
