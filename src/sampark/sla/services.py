"""SLA clocks: matching a policy, recomputing a ticket's clocks from its log, and the sweep
that fires each warning, breach and update reminder exactly once."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from sampark.calendars.hours import CALENDAR_TIME, ClosedCalendar, Schedule
from sampark.calendars.models import BusinessCalendar
from sampark.calendars.services import default_calendar, schedule_of
from sampark.core import clock, events
from sampark.core.errors import InvalidInput, check_unique_name
from sampark.db import configuration
from sampark.db.inserts import insert
from sampark.db.prepared import Prepared
from sampark.notifications.services import notify_many
from sampark.team import queries as team
from sampark.tickets import services as tickets
from sampark.tickets.models import ACTIVE_STATUSES, Status, Ticket, TicketEvent

from . import clocks
from .models import SLAAlert, SLAPolicy, Target, TicketClock

logger = logging.getLogger(__name__)
Kind = TicketEvent.Kind

CLOCK_FUNCTIONS = {
    Target.FIRST_RESPONSE: clocks.first_response,
    Target.NEXT_RESPONSE: clocks.next_response,
    Target.RESOLUTION: clocks.resolution,
    Target.NEXT_UPDATE: clocks.next_update,
}
HISTORY_KINDS = (
    Kind.CREATED,
    Kind.STATUS,
    Kind.REOPENED,
    Kind.MERGED,
    Kind.MESSAGE_IN,
    Kind.MESSAGE_OUT,
    Kind.CALL,
    Kind.SPLIT_FROM,
    Kind.REPLY_WITHDRAWN,
)


# --- policies -----------------------------------------------------------------------------


@configuration.cached
def active_policies() -> list[SLAPolicy]:
    """The active policies with their conditions, cached until configuration changes
    (:mod:`sampark.db.configuration`)."""
    return list(SLAPolicy.objects.filter(active=True).prefetch_related("priorities", "groups"))


def _conditions(policy: SLAPolicy) -> tuple[frozenset[int], frozenset[int]]:
    """The policy's priority and group ids, kept on the (cached) instance: a related manager
    is a class built on each access, and the sweep matches thousands of tickets."""
    conditions = policy.__dict__.get("_sampark_conditions")
    if conditions is None:
        conditions = (
            frozenset(p.pk for p in policy.priorities.all()),
            frozenset(g.pk for g in policy.groups.all()),
        )
        policy._sampark_conditions = conditions
    return conditions


def match_policy(ticket: Ticket, policies: list[SLAPolicy] | None = None) -> SLAPolicy | None:
    """The first active policy, in position order, whose every condition the ticket meets."""
    if policies is None:
        policies = active_policies()
    tier = ticket.organization.tier if ticket.organization_id else None
    for policy in policies:
        priority_ids, group_ids = _conditions(policy)
        if priority_ids and ticket.priority_id not in priority_ids:
            continue
        if group_ids and ticket.group_id not in group_ids:
            continue
        if policy.organization_tiers and tier not in policy.organization_tiers:
            continue
        if policy.channels and ticket.channel not in policy.channels:
            continue
        return policy
    return None


@transaction.atomic
def save_policy(
    policy: SLAPolicy | None = None, *, priorities=None, groups=None, **fields
) -> SLAPolicy:
    """Create or change a policy; every active ticket is recomputed after commit."""
    for name in (
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "update_interval_minutes",
    ):
        value = fields.get(name)
        if value is not None and (not isinstance(value, int) or value <= 0):
            raise InvalidInput(_("Targets must be a positive number of minutes."), field=name)
    if "warn_fraction" in fields and not 0 < fields["warn_fraction"] < 1:
        raise InvalidInput(
            _("The warning fraction must be between 0 and 1."), field="warn_fraction"
        )
    check_unique_name(
        SLAPolicy,
        fields,
        policy,
        missing=_("A policy needs a name."),
        taken=_("An SLA policy with this name already exists."),
    )
    if policy is None:
        policy = SLAPolicy.objects.create(**fields)
    else:
        for name, value in fields.items():
            setattr(policy, name, value)
        policy.revision += 1
        policy.save(update_fields=[*fields, "revision"])
    if priorities is not None:
        policy.priorities.set(priorities)
    if groups is not None:
        policy.groups.set(groups)
    # Active tickets are recomputed in the background after commit (sla.subscribers).
    events.publish("sla_policy_changed", policy_id=policy.pk)
    return policy


# --- recomputing a ticket's clocks --------------------------------------------------------

# A history row: (kind, created_at, data) of one TicketEvent of HISTORY_KINDS, in log order.
HistoryRow = tuple[str, dt.datetime, dict]
_LOOK_UP = object()  # "find the default calendar yourself"


def history_of(ticket: Ticket, rows: Iterable[HistoryRow]) -> clocks.History:
    history = clocks.History(opened_at=ticket.created_at)
    history.statuses.append((ticket.created_at, Status.NEW))
    for kind, created_at, data in rows:
        if kind in (Kind.STATUS, Kind.REOPENED):
            history.statuses.append((created_at, data.get("to", Status.OPEN)))
        elif kind == Kind.MERGED:
            history.statuses.append((created_at, Status.CLOSED))
        elif kind == Kind.MESSAGE_IN:
            history.customer_messages.append(created_at)
        elif kind in (Kind.MESSAGE_OUT, Kind.CALL):
            history.responses.append(created_at)
        elif kind == Kind.REPLY_WITHDRAWN and data.get("reply_at"):
            # A reply taken back in its undo window never reached the customer.
            withdrawn = dt.datetime.fromisoformat(data["reply_at"])
            if withdrawn in history.responses:
                history.responses.remove(withdrawn)
    if history.status != ticket.status:
        # Rows loaded by bulk paths may lack a status event; trust the ticket's column.
        history.statuses.append((ticket.updated_at, ticket.status))
    return history


def _schedule_for(ticket: Ticket, business: bool, fallback=_LOOK_UP) -> Schedule:
    """The schedule a business-time target counts on: the group's calendar, else the default
    one (``fallback``, when the caller has already loaded it)."""
    if not business:
        return CALENDAR_TIME
    calendar = None
    if ticket.group_id and ticket.group.calendar_id:
        calendar = ticket.group.calendar
    if calendar is None:
        calendar = default_calendar() if fallback is _LOOK_UP else fallback
    return schedule_of(calendar) if calendar else CALENDAR_TIME


def compute(
    ticket: Ticket,
    policy: SLAPolicy | None,
    rows: Iterable[HistoryRow],
    now: dt.datetime,
    *,
    fallback_calendar=_LOOK_UP,
) -> dict[str, clocks.ClockState]:
    if policy is None:
        return {}
    history = history_of(ticket, rows)
    paused = set()
    if policy.pause_when_pending:
        paused.add(Status.PENDING)
    if policy.pause_when_on_hold:
        paused.add(Status.ON_HOLD)
    states = {}
    schedules: dict[bool, Schedule] = {}
    for target, function in CLOCK_FUNCTIONS.items():
        minutes = policy.target_minutes(target)
        if not minutes:
            continue
        business = policy.counts_business_time(target)
        if business not in schedules:
            schedules[business] = _schedule_for(ticket, business, fallback_calendar)
        rules = clocks.ClockRules(
            target_seconds=minutes * 60,
            schedule=schedules[business],
            paused_statuses=frozenset(paused),
            warn_fraction=policy.warn_fraction,
        )
        try:
            states[target] = function(history, rules, now)
        except ClosedCalendar:
            logger.warning("ticket %s: calendar never opens; %s has no due time", ticket.pk, target)
    return states


def _next_deadline(states: dict[str, clocks.ClockState], fired: set[tuple]) -> dt.datetime | None:
    """The earliest warning or breach that has not fired yet."""
    upcoming = []
    for target, state in states.items():
        if (state.met_at is not None or state.paused) and not state.breached:
            continue
        if state.warn_at and (target, "warning", state.cycle) not in fired:
            upcoming.append(state.warn_at)
        if state.due and (target, "breach", state.cycle) not in fired:
            upcoming.append(state.due)
    return min(upcoming) if upcoming else None


STORED_FIELDS = [
    "policy",
    "clocks",
    "next_deadline",
    "computed_at",
    "sla_due",
    "at_risk_from",
    "update_due",
    "ticket_group",
    "ticket_owner",
]


def _clock_fields(ticket: Ticket, policy, states, fired: set[tuple], now) -> dict:
    stored = {target: state.as_json() for target, state in states.items()}
    due = clocks.DueTimes.of(stored)
    return {
        "policy": policy,
        "clocks": stored,
        "next_deadline": _next_deadline(states, fired),
        "computed_at": now,
        "sla_due": due.sla_due,
        "at_risk_from": due.at_risk_from,
        "update_due": due.update_due,
        "ticket_group": ticket.group_id,
        "ticket_owner": ticket.owner_id,
    }


def _fired_by_ticket(ticket_ids: list[int]) -> dict[int, set[tuple]]:
    fired: dict[int, set[tuple]] = defaultdict(set)
    rows = SLAAlert.objects.filter(ticket_id__in=ticket_ids).values_list(
        "ticket_id", "target", "kind", "cycle"
    )
    for ticket_id, target, kind, cycle in rows:
        fired[ticket_id].add((target, kind, cycle))
    return fired


# What matching a policy and reading calendars need of a ticket.
_CLOCK_RELATED = ("organization", "group", "group__calendar", "owner")


def _load_many(ticket_ids: list[int]) -> tuple[dict[int, Ticket], dict[int, list[HistoryRow]]]:
    """The tickets (with what matching and calendars need) and their history rows: two
    queries however many tickets."""
    found = Ticket.objects.select_related(*_CLOCK_RELATED).in_bulk(ticket_ids)
    return found, _history_rows(ticket_ids)


# One ticket as _load_many reads it, for the recompute after each change: compiled once.
_ticket_for_clocks = Prepared(
    lambda pk: Ticket.objects.select_related(*_CLOCK_RELATED).filter(pk=pk), int
)


_history = Prepared(
    lambda ticket_ids: (
        TicketEvent.objects.filter(ticket_id__in=ticket_ids, kind__in=HISTORY_KINDS)
        .order_by("ticket_id", "created_at", "id")
        .values_list("ticket_id", "kind", "created_at", "data")
    ),
    Prepared.INTS,
)


def _history_rows(ticket_ids: list[int]) -> dict[int, list[HistoryRow]]:
    """Each ticket's history rows, in log order, with one query."""
    rows: dict[int, list[HistoryRow]] = defaultdict(list)
    for ticket_id, kind, created_at, data in _history(ticket_ids) if ticket_ids else ():
        rows[ticket_id].append((kind, created_at, data))
    return rows


def _upsert(ticket: Ticket, policy, states, fired: set[tuple], now) -> TicketClock:
    """Store one ticket's clocks with a single INSERT ... ON CONFLICT DO UPDATE, not
    update_or_create's select, savepoints and insert or update: this runs after every change
    to every ticket."""
    row = TicketClock(ticket_id=ticket.pk, **_clock_fields(ticket, policy, states, fired, now))
    insert([row], update_conflicts=(["ticket"], STORED_FIELDS))
    return row


@transaction.atomic
def recompute(ticket_id: int, *, now: dt.datetime | None = None) -> TicketClock:
    """Rebuild the ticket's clocks from its log, policy and calendar; store them with the next
    deadline the sweep must act on."""
    now = now or clock.now()
    ticket = next(iter(_ticket_for_clocks(ticket_id)), None)
    if ticket is None:
        raise Ticket.DoesNotExist(ticket_id)
    policy = match_policy(ticket)
    states = compute(ticket, policy, _history_rows([ticket_id])[ticket_id], now)
    return _upsert(ticket, policy, states, _fired_by_ticket([ticket_id])[ticket_id], now)


def start_clocks(
    ticket: Ticket, *, history: list[HistoryRow] | None = None, now: dt.datetime | None = None
) -> TicketClock:
    """The clocks of a ticket opened in this transaction, from the object in hand: its log so
    far (the opening, a first message, messages split from another ticket) is ``history``
    when the opener passes it, else one query; nothing has fired for it yet. Runs inside the
    opening transaction, so the ticket never exists without its clocks; its one write is the
    last thing it does."""
    now = now or clock.now()
    rows = _history_rows([ticket.pk])[ticket.pk] if history is None else history
    policy = match_policy(ticket)
    states = compute(ticket, policy, rows, now)
    row = _upsert(ticket, policy, states, set(), now)
    # Whoever renders the new ticket finds its clocks (and policy) without a query.
    Ticket.sla_clock.related.set_cached_value(ticket, row)
    return row


YIELD_BETWEEN_WRITES = 0.0005  # seconds; the writer turn is polled every 0.1-0.2 ms


def recompute_active_now(batch: int = 500) -> int:
    """Recompute every active ticket, each in its own transaction; the number recomputed.

    Ids are read a batch at a time, each batch read to the end before any write: on SQLite a
    statement still open (``iterator()``) keeps a read snapshot on the connection, and once
    another process had committed, every write transaction begun beside it failed at once
    with "database is locked"."""
    count, after = 0, 0
    active = Ticket.objects.filter(status__in=ACTIVE_STATUSES).order_by("pk")
    while ids := list(active.filter(pk__gt=after).values_list("pk", flat=True)[:batch]):
        for ticket_id in ids:
            recompute(ticket_id)
            # Between two of these transactions, leave the write lock to the requests that
            # wait for it (in this process or another): otherwise this loop takes it back
            # before they notice it was free, for the minutes a large help desk takes.
            time.sleep(YIELD_BETWEEN_WRITES)
        count += len(ids)
        after = ids[-1]
    return count


# --- the sweep ----------------------------------------------------------------------------


@dataclass
class SweepResult:
    tickets: int = 0
    warnings: int = 0
    breaches: int = 0
    reminders: int = 0
    failed: int = 0

    def add(self, other: SweepResult) -> None:
        for counter in dataclass_fields(self):
            setattr(self, counter.name, getattr(self, counter.name) + getattr(other, counter.name))


@dataclass
class _Sweep:
    """What one sweep loads once and reuses for every ticket it visits."""

    now: dt.datetime
    policies: list[SLAPolicy]
    calendar: BusinessCalendar | None
    supervisors_by_group: dict[int, list] = field(default_factory=dict)
    failed: set[int] = field(default_factory=set)

    def supervisors(self, ticket: Ticket) -> list:
        if not ticket.group_id:
            return []
        users = self.supervisors_by_group.get(ticket.group_id)
        if users is None:
            users = team.agents_of([ticket.group_id], roles=team.SUPERVISORS)[ticket.group_id]
            self.supervisors_by_group[ticket.group_id] = users
        return users


@dataclass
class _Plan:
    """One due ticket: its freshly computed clocks and the crossings not yet fired."""

    ticket: Ticket
    policy: SLAPolicy | None
    states: dict[str, clocks.ClockState]
    fired: set[tuple]
    # (target, kind, cycle, due)
    crossings: list[tuple[str, str, str, dt.datetime]]

    @property
    def acts_on_ticket(self) -> bool:
        """A breach whose policy changes the ticket (priority, tier): recompute afterwards."""
        policy = self.policy
        return (
            policy is not None
            and (policy.raise_priority_on_breach or policy.escalate_on_breach)
            and any(kind == SLAAlert.Kind.BREACH for _t, kind, _c, _d in self.crossings)
        )


def _plan(ticket: Ticket, rows: list[HistoryRow], fired: set[tuple], sweep: _Sweep) -> _Plan:
    policy = match_policy(ticket, sweep.policies)
    states = compute(ticket, policy, rows, sweep.now, fallback_calendar=sweep.calendar)
    crossings = [
        (target, kind, cycle, due)
        for target, state in states.items()
        for kind, cycle, due in state.crossings
        if (target, kind, cycle) not in fired
    ]
    return _Plan(ticket, policy, states, set(fired), crossings)


def _alert(plan: _Plan, target: str, kind: str, cycle: str, now) -> SLAAlert:
    return SLAAlert(ticket=plan.ticket, target=target, kind=kind, cycle=cycle, created_at=now)


def _claim_one_by_one(plan: _Plan, now) -> None:
    """Record the plan's alerts one at a time, dropping those another worker fired first."""
    won = []
    for target, kind, cycle, due in plan.crossings:
        try:
            with transaction.atomic():
                _alert(plan, target, kind, cycle, now).save(force_insert=True)
        except IntegrityError:
            continue
        won.append((target, kind, cycle, due))
    plan.crossings = won


def _apply(plans: list[_Plan], sweep: _Sweep, result: SweepResult) -> None:
    """Everything the plans' crossings (already recorded as alerts) cause: timeline events and
    notifications in one insert each, the breach actions, and the stored clocks."""
    now = sweep.now
    timeline, notices, actions = [], [], []
    for plan in plans:
        ticket = plan.ticket
        for target, kind, cycle, due in plan.crossings:
            plan.fired.add((target, kind, cycle))
            label = Target(target).label
            to_owner = [ticket.owner] if ticket.owner else sweep.supervisors(ticket)
            if target == Target.NEXT_UPDATE and kind == SLAAlert.Kind.BREACH:
                timeline.append((ticket.pk, Kind.FOLLOW_UP, target, due, cycle))
                title = _("Customer update due on #%(n)s") % {"n": ticket.number}
                body = _("Call or message the customer with progress on “%(s)s”.") % {
                    "s": ticket.subject
                }
                notices.append((to_owner, "follow_up", title, body, ticket))
                result.reminders += 1
            elif kind == SLAAlert.Kind.WARNING:
                timeline.append((ticket.pk, Kind.SLA_WARNING, target, due, cycle))
                title = _("%(target)s due soon on #%(n)s") % {"target": label, "n": ticket.number}
                notices.append((to_owner, "sla_warning", title, "", ticket))
                result.warnings += 1
            else:
                timeline.append((ticket.pk, Kind.SLA_BREACH, target, due, cycle))
                result.breaches += 1
                if plan.policy.notify_on_breach:
                    title = _("%(target)s breached on #%(n)s") % {
                        "target": label,
                        "n": ticket.number,
                    }
                    recipients = [ticket.owner, *sweep.supervisors(ticket)]
                    notices.append((recipients, "sla_breach", title, "", ticket))
                reason = _("SLA breach: %(target)s") % {"target": label}
                if plan.policy.raise_priority_on_breach:
                    actions.append((tickets.raise_priority, ticket.pk, reason))
                if plan.policy.escalate_on_breach:
                    actions.append((tickets.escalate_to_next_tier, ticket.pk, reason))
    tickets.record_sla_events(timeline, at=now)
    notify_many(notices, at=now)
    for action, ticket_id, reason in actions:
        action(ticket_id, reason=reason)
    stored = {}
    for plan in plans:
        if plan.acts_on_ticket:
            recompute(plan.ticket.pk, now=now)  # the breach action changed the ticket
        else:
            stored[plan.ticket.pk] = _clock_fields(
                plan.ticket, plan.policy, plan.states, plan.fired, now
            )
    _store_many(stored)
    result.tickets += len(plans)


def _store_many(rows: dict[int, dict]) -> None:
    """Update many tickets' clock rows at once. ``bulk_update`` builds a CASE expression per
    field and row, and that took longer than computing the clocks did. PostgreSQL gets one
    UPDATE ... FROM (VALUES ...), one round trip; SQLite, in-process, a prepared UPDATE run for
    each row."""
    if not rows:
        return
    fields = [TicketClock._meta.get_field(name) for name in STORED_FIELDS]
    params = []
    for ticket_id, values in rows.items():
        row = []
        for f in fields:
            value = values[f.name]
            if f.is_relation:
                value = value.pk if value is not None else None
            row.append(f.get_db_prep_save(value, connection))
        params.append([*row, ticket_id])
    quote = connection.ops.quote_name
    table = quote(TicketClock._meta.db_table)
    columns = [quote(f.column) for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [f.db_type(connection) for f in fields] + ["bigint"]
            row_sql = "(" + ", ".join(f"%s::{t}" for t in types) + ")"
            names = ", ".join([*columns, "ticket_id"])
            sets = ", ".join(f"{c} = v.{c}" for c in columns)
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([row_sql] * len(params))}) "  # noqa: S608
                f"AS v({names}) WHERE {table}.ticket_id = v.ticket_id",
                [value for row in params for value in row],
            )
        else:
            sets = ", ".join(f"{c} = %s" for c in columns)
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE ticket_id = %s", params)  # noqa: S608


def _sweep_batch(ticket_ids: list[int], sweep: _Sweep, result: SweepResult) -> None:
    """Act on a batch of claimed tickets with a handful of queries. When the batch cannot be
    written at once (another process fired one of its alerts first, or one ticket's action
    fails), fall back to one ticket at a time, so that one broken ticket holds back no other."""
    found, rows = _load_many(ticket_ids)
    fired = _fired_by_ticket(ticket_ids)
    plans = []
    for ticket_id in ticket_ids:
        ticket = found.get(ticket_id)
        if ticket is None:
            continue  # deleted since the claim; its clock went with it
        try:
            plans.append(_plan(ticket, rows[ticket_id], fired[ticket_id], sweep))
        except Exception:
            logger.exception("SLA sweep could not compute the clocks of ticket %s", ticket_id)
            result.failed += 1
            sweep.failed.add(ticket_id)
    outcome = SweepResult()
    try:
        with transaction.atomic():
            SLAAlert.objects.bulk_create(
                _alert(plan, target, kind, cycle, sweep.now)
                for plan in plans
                for target, kind, cycle, _due in plan.crossings
            )
            _apply(plans, sweep, outcome)
    except Exception:
        logger.info("SLA sweep: a batch of %s tickets goes one ticket at a time", len(plans))
    else:
        result.add(outcome)
        return
    for plan in plans:
        plan.fired = set(fired[plan.ticket.pk])
        outcome = SweepResult()
        try:
            with transaction.atomic():
                _claim_one_by_one(plan, sweep.now)
                _apply([plan], sweep, outcome)
        except Exception:
            # One broken ticket must not hold back every other ticket's alerts.
            logger.exception("SLA sweep failed on ticket %s", plan.ticket.pk)
            result.failed += 1
            sweep.failed.add(plan.ticket.pk)
        else:
            result.add(outcome)


def sweep(
    *, now: dt.datetime | None = None, batch: int = 200, max_tickets: int = 100_000
) -> SweepResult:
    """Act on every ticket whose next deadline has passed. Reads only due tickets (the partial
    index on next_deadline); on PostgreSQL concurrent workers skip each other's rows. Each
    batch is loaded, computed and written with a fixed number of queries."""
    now = now or clock.now()
    result = SweepResult()
    state: _Sweep | None = None
    while result.tickets < max_tickets:
        with transaction.atomic():
            due = TicketClock.objects.select_for_update(skip_locked=True).filter(
                next_deadline__lte=now
            )
            if state is not None and state.failed:
                due = due.exclude(ticket_id__in=state.failed)  # retried by the next sweep
            claimed = list(
                due.order_by("next_deadline").values_list("ticket_id", flat=True)[:batch]
            )
            if claimed:
                if state is None:
                    state = _Sweep(now=now, policies=active_policies(), calendar=default_calendar())
                _sweep_batch(claimed, state, result)
        if len(claimed) < batch:
            break
    return result
