"""The coordinator board (``/board/``): the numbers a supervisor watches, each a link to the
queue of exactly the tickets it counts.

**One definition.** Every number is described by the filters of its queue
(:class:`queues.QueueFilters`); its link is those filters (``QueueFilters.as_query``, read
back by ``queue_forms.QueueFilterForm``), and its count is taken with the queue's own
conditions: a conditional count (``COUNT(1) FILTER (WHERE …)``) whose condition
:func:`queues.ticket_conditions` or :func:`queues.sla_conditions` builds (SLA at risk and
breached, customer updates, how long unassigned tickets have waited), or, for the filters
that compare one column with a value (group, owner, priority, tier), a GROUP BY on that very
column. ``tests/test_workspace_board.py`` checks every number against the rows its queue
lists.

**Scope.** The board counts the groups the viewer's ticket access covers whole
(``tickets.access``): every group for ``all``, their groups for ``groups``, none for ``own``.
A ticket outside those groups is never counted, even one the viewer owns (the queues show
those). For a ``groups`` scope every link names the groups, so a total's queue lists exactly
the tickets of those groups; for ``all`` the totals' links name none, and the totals count
every active ticket, those without a group too (a row of their own when there are any).

**A rollup and indexes, never the table.** The active tickets by group, owner, priority and
tier come from the rollup the database's triggers keep (``tickets.active_counts``: a few
hundred rows, where walking the active tickets of a supervisor's groups took 12 ms at a
million tickets), which gives each group's priorities and tiers and each agent's load. Every
other query reads one index: the unassigned ones by age from ``ticket_unowned_queue``; SLA at
risk and breached from ``clock_at_risk_from`` (which holds the SLA due time beside the at-risk
moment); customer updates from ``clock_update_due``. The clocks' copies of the ticket's group
pick the group there, as the sidebar's counts do (they follow the ticket after each commit). A
board costs the same few queries however many groups, agents and tickets there are.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, replace

from django.db.models import Count, Q, Value
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from sampark.core import clock
from sampark.db.prepared import Prepared
from sampark.sla.models import TicketClock
from sampark.team.models import AgentProfile, Group, Tier
from sampark.tickets import access, active_counts
from sampark.tickets.models import Priority, Ticket
from sampark.tickets.queries import ACTIVE_LITERAL

from .queues import QueueFilters, end_of_day, sla_conditions, ticket_conditions
from .templatetags.workspace import localised_name


@dataclass(frozen=True)
class Number:
    """A count of tickets and the address of the queue that lists exactly them."""

    count: int
    filters: QueueFilters
    url: str
    tone: str = ""  # "at_risk" or "breached" when the count is not zero

    @property
    def link(self) -> str:
        """The number as its link. Built here rather than in the template: a board draws a
        couple of hundred (the address holds only URL-safe characters and ``&``)."""
        tone = f" {self.tone}" if self.tone else ""
        href = self.url.replace("&", "&amp;")
        return mark_safe(f'<a class="count{tone}" href="{href}">{self.count}</a>')  # noqa: S308


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    filters: dict  # the column's own QueueFilters fields
    tone: str = ""


@dataclass(frozen=True)
class Place:
    """A row of a table: a group (``group`` None: the tickets without one)."""

    label: str
    group: int | None
    tier: str = ""


@dataclass
class Row:
    place: Place
    numbers: list[Number]
    total: Number | None


@dataclass
class Table:
    columns: list[Column]
    rows: list[Row]
    totals: list[Number]
    total: Number | None  # of every row, when the columns split the rows' tickets


@dataclass
class AgentLoad:
    profile: AgentProfile
    load: Number

    @property
    def over_capacity(self) -> bool:
        return self.load.count > self.profile.capacity


@dataclass
class Board:
    at: dt.datetime
    groups: list[Place]  # the groups counted
    sees_all: bool
    open: Table
    service: Table
    unassigned: Table
    escalated: Table
    agents: list[AgentLoad]


@functools.cache
def _queue_path() -> str:
    return reverse("workspace:queue_filter")


def _link(filters: QueueFilters) -> str:
    return f"{_queue_path()}?{filters.as_query()}"


def _number(count: int, filters: QueueFilters, tone: str = "") -> Number:
    return Number(count, filters, _link(filters), tone if count else "")


def _counting(rows, keys: tuple[str, ...], columns: list[Column], condition):
    """``rows`` grouped by ``keys``, with a count of all and one per column
    (``condition`` turns a column's filters into the condition its count keeps)."""
    # COUNT(1), not COUNT(id): SQLite reads the table's row for a named key column, even the
    # rowid, where the index alone would do.
    counts = {c.name: Count(Value(1), filter=condition(c.filters)) for c in columns}
    return rows.order_by().values(*keys).annotate(all=Count(Value(1)), **counts)


def _counted(found, keys: tuple[str, ...]) -> dict:
    """{key values: {column name: count, "all": count}} from :func:`_counting`'s rows."""
    return {tuple(row.pop(k) for k in keys): row for row in found}


SLA_COLUMNS = [
    Column("at_risk", _("SLA at risk"), {"sla_states": ("at_risk",)}, "at_risk"),
    Column("breached", _("SLA breached"), {"sla_states": ("breached",)}, "breached"),
]
UPDATE_COLUMNS = [
    Column("overdue", _("Update overdue"), {"updates": ("overdue",)}, "breached"),
    Column("today", _("Update due today"), {"updates": ("today",)}),
]


def _clock_rows(groups):
    rows = TicketClock.objects.all()
    return rows if groups is None else rows.filter(ticket_group__in=groups)


def _sla_counting(at, *groups):
    """SLA at risk and breached by group: every such clock has reached its at-risk moment
    (a warning comes before its due time), so the count walks one range of one index."""
    rows = _clock_rows(groups[0] if groups else None).filter(at_risk_from__lte=at)

    def clocks(filters: dict) -> Q:
        return sla_conditions(QueueFilters(**filters), at, via="")

    return _counting(rows, ("ticket_group",), SLA_COLUMNS, clocks)


def _update_counting(at, day_end, *groups):
    """Customer updates overdue and due today by group: all are due before the day's end."""
    rows = _clock_rows(groups[0] if groups else None).filter(update_due__lt=day_end)

    def clocks(filters: dict) -> Q:
        return sla_conditions(QueueFilters(**filters, day_end=day_end), at, via="")

    return _counting(rows, ("ticket_group",), UPDATE_COLUMNS, clocks)


def _unassigned_counting(hour, hours, day, *groups):
    """The unassigned active tickets by group and by how long they have waited."""
    rows = Ticket.objects.filter(ACTIVE_LITERAL)
    if groups:
        rows = rows.filter(ticket_conditions(QueueFilters(groups=tuple(groups[0])), 0))
    rows = rows.filter(ticket_conditions(QueueFilters(owners=("nobody",)), 0))

    def tickets(filters: dict) -> Q:
        return ticket_conditions(QueueFilters(**filters), 0)

    return _counting(rows, ("group_id",), _age_bands(hour, hours, day), tickets)


def _count(build, moments: tuple, groups: tuple[int, ...] | None) -> list[dict]:
    """``build``'s rows for these moments, for every group (``groups`` None) or for those,
    compiled once per connection (the clock's copy of a ticket's group is a 32-bit column)."""
    kinds = (dt.datetime,) * len(moments)
    if groups is None:
        return Prepared.of_kinds(build, kinds)(*moments)
    return Prepared.of_kinds(build, (*kinds, Prepared.INT32S))(*moments, list(groups))


def _by(counted: dict, position: int) -> dict:
    """``counted`` summed over every key but the one at ``position``."""
    summed: dict = defaultdict(lambda: defaultdict(int))
    for key, counts in counted.items():
        for name, count in counts.items():
            summed[key[position]][name] += count
    return summed


def _table(
    counted: dict,
    places: list[Place],
    columns: list[Column],
    shared: QueueFilters,
    scope_groups: tuple[int, ...],
    *,
    row_totals: bool,
) -> Table:
    """The numbers of a table (``counted`` by group): a row per place, a total per column
    over everything counted; with ``row_totals`` (the columns split the rows' tickets between
    them) a total per row and one of all."""
    rows = []
    for place in places:
        found = counted.get(place.group, {})
        here = replace(shared, groups=(place.group,))
        numbers = [
            _number(found.get(c.name, 0), replace(here, **c.filters), c.tone) for c in columns
        ]
        total = _number(sum(n.count for n in numbers), here) if row_totals else None
        rows.append(Row(place, numbers, total))
    everywhere = replace(shared, groups=scope_groups)
    totals = [
        _number(
            sum(found.get(c.name, 0) for found in counted.values()),
            replace(everywhere, **c.filters),
            c.tone,
        )
        for c in columns
    ]
    total = _number(sum(n.count for n in totals), everywhere) if row_totals else None
    return Table(columns, rows, totals, total)


def _age_bands(hour: dt.datetime, hours: dt.datetime, day: dt.datetime) -> list[Column]:
    """How long unassigned tickets have waited: since ``hour``, ``hours`` and ``day``, moments
    fixed when the board is drawn (to the second, as the links carry them), so that a band's
    link lists what it counted."""
    return [
        Column("hour", _("Under 1 hour"), {"created_after": hour}),
        Column("hours", _("1 to 4 hours"), {"created_after": hours, "created_before": hour}),
        Column("day", _("4 to 24 hours"), {"created_after": day, "created_before": hours}),
        Column("older", _("Over 1 day"), {"created_before": day}),
    ]


def _moments(at: dt.datetime) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """One hour, four hours and a day before ``at``: the age bands' edges."""
    hour = dt.timedelta(hours=1)
    return at - hour, at - 4 * hour, at - 24 * hour


def board(user, time_zone: str = "") -> Board:
    """The board of ``user`` (a supervisor or an admin), for the groups their scope covers."""
    scope = access.scope_of(user)
    at = clock.now().replace(microsecond=0)
    day_end = end_of_day(time_zone)
    sees_all = scope is not None and scope.sees_all
    groups = Group.objects.order_by("tier", "name").only("name", "name_hi", "tier")
    if sees_all:
        scope_groups: tuple = ()
    else:
        covers_groups = scope is not None and scope.access == access.Access.GROUPS
        scope_groups = tuple(sorted(scope.group_ids)) if covers_groups else ()
        groups = groups.filter(pk__in=scope_groups)
    places = [Place(localised_name(g), g.pk, g.tier) for g in groups]
    if not places:
        empty = Table([], [], [], None)
        return Board(at, [], False, empty, empty, empty, empty, [])

    # The active tickets counted by the columns the queue's filters on group, owner, priority
    # and tier compare, from the rollup the database keeps (tickets.active_counts): each
    # group's priorities and tiers, and each agent's load, are sums of these few rows.
    ranks = Priority.objects.order_by("rank").values_list("code", "rank")
    priorities = [Column(f"p{rank}", code, {"priorities": (code,)}) for code, rank in ranks]
    above = tuple(tier.value for tier in Tier if tier != Tier.L1)
    tiers = [Column(f"t{tier}", Tier(tier).label, {"tiers": (tier,)}) for tier in above]
    by_group: dict = defaultdict(lambda: defaultdict(int))
    load: dict = defaultdict(int)
    counted_groups = None if sees_all else scope_groups
    counted = active_counts.counted(counted_groups)
    for group, owner, rank, tier, count in counted:
        by_group[group][f"p{rank}"] += count
        by_group[group][f"t{tier}"] += count
        load[owner] += count

    # SLA at risk and breached, and customer updates overdue and due today, by group.
    service: dict = defaultdict(dict)
    for found in (
        _count(_sla_counting, (at,), counted_groups),
        _count(_update_counting, (at, day_end), counted_groups),
    ):
        for (group,), counts in _counted(found, ("ticket_group",)).items():
            service[group].update(counts)

    moments = _moments(at)
    bands = _age_bands(*moments)
    unowned = _by(_counted(_count(_unassigned_counting, moments, counted_groups), ("group_id",)), 0)

    # A row for the tickets without a group (their group was taken away), when there are any.
    if any(any(table[None].values()) for table in (by_group, service, unowned) if None in table):
        places.append(Place(str(_("No group")), None))
    escalated = [
        p
        for p in places
        if p.tier not in ("", Tier.L1) or any(by_group[p.group][c.name] for c in tiers)
    ]
    return Board(
        at=at,
        groups=[p for p in places if p.group is not None],
        sees_all=sees_all,
        open=_table(by_group, places, priorities, QueueFilters(), scope_groups, row_totals=True),
        service=_table(
            service,
            places,
            SLA_COLUMNS + UPDATE_COLUMNS,
            QueueFilters(),
            scope_groups,
            row_totals=False,
        ),
        unassigned=_table(
            unowned,
            places,
            bands,
            QueueFilters(owners=("nobody",)),
            scope_groups,
            row_totals=True,
        ),
        escalated=_table(
            by_group, escalated, tiers, QueueFilters(tiers=above), scope_groups, row_totals=True
        ),
        agents=_agents(sees_all, scope_groups, load),
    )


def _agents(sees_all: bool, scope_groups: tuple[int, ...], load: dict) -> list[AgentLoad]:
    """The agents of the board's groups (every agent for an ``all`` scope), with their
    presence and the active tickets they own there (``load``, by owner), against their
    capacity."""
    profiles = AgentProfile.objects.filter(user__is_active=True).select_related("user")
    if not sees_all:
        profiles = profiles.filter(groups__in=scope_groups).distinct()
    profiles = profiles.only(
        "user", "capacity", "presence", "user__first_name", "user__last_name", "user__email"
    ).order_by("user__first_name", "user__last_name", "user__email")
    return [
        AgentLoad(
            profile,
            _number(
                load.get(profile.user_id, 0),
                QueueFilters(owners=(str(profile.user_id),), groups=scope_groups),
            ),
        )
        for profile in profiles
    ]
