"""SLA clock semantics, as pure functions of a ticket's history.

A clock counts (business or calendar) time from its start while the ticket waits on us. It
stops while the ticket is solved or closed, and pauses while it is pending or on hold when the
policy says so; it resumes on the customer's reply (which the log records as pending -> open).
Every due time is recomputed from the whole history, so a priority, policy or calendar change
mid-flight simply gives new due times.

- first response: from opening until the first public reply or logged call;
- next response: from each customer message that waits on us until the next public reply or
  call (one cycle per wait);
- resolution: from opening until solved; a reopened ticket keeps counting where it left off;
- customer update: the regular cadence; due one interval after the last public reply or call
  (or the opening), and due again every interval after that while nobody updates the customer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sampark.calendars.hours import Schedule

ACTIVE = {"new", "open", "pending", "on_hold"}
STOPPED = {"solved", "closed"}


@dataclass
class History:
    """What the clocks need from the event log, in time order."""

    opened_at: dt.datetime
    # (time, new status), starting with the status at opening
    statuses: list[tuple[dt.datetime, str]] = field(default_factory=list)
    customer_messages: list[dt.datetime] = field(default_factory=list)
    # public replies and logged calls: each responds to the customer and updates them
    responses: list[dt.datetime] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.statuses[-1][1] if self.statuses else "new"


@dataclass
class ClockRules:
    target_seconds: float
    schedule: Schedule
    paused_statuses: frozenset[str]
    warn_fraction: float = 0.75


@dataclass
class ClockState:
    due: dt.datetime | None = None
    met_at: dt.datetime | None = None
    breached: bool = False
    paused: bool = False
    warn_at: dt.datetime | None = None
    cycle: str = ""
    # Deadlines this clock has crossed, with their cycle keys: [(kind, cycle, at)]
    crossings: list[tuple[str, str, dt.datetime]] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "due": _iso(self.due),
            "met_at": _iso(self.met_at),
            "breached": self.breached,
            "paused": self.paused,
            "warn_at": _iso(self.warn_at),
            "cycle": self.cycle,
        }


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat() if moment else None


@dataclass(frozen=True)
class DueTimes:
    """What the queues sort and count by, from a ticket's stored clocks (``as_json`` of each):
    the nearest due time of a running clock (``sla_due``), the moment the ticket becomes at
    risk (the earliest warning point, or due time, of a running clock: ``at_risk_from``), and
    the customer update's due time (``update_due``). All three are fixed moments until the
    clocks are recomputed, so "at risk now" is ``at_risk_from <= now``: time passing needs
    no write. A clock that is met, paused or has no target runs no more, and counts nowhere."""

    sla_due: dt.datetime | None = None
    at_risk_from: dt.datetime | None = None
    update_due: dt.datetime | None = None

    @classmethod
    def of(cls, stored: dict) -> DueTimes:
        dues, risks, update_due = [], [], None
        for target, state in stored.items():
            if not state.get("due") or state.get("met_at") or state.get("paused"):
                continue
            due = dt.datetime.fromisoformat(state["due"])
            dues.append(due)
            risks.append(
                dt.datetime.fromisoformat(state["warn_at"]) if state.get("warn_at") else due
            )
            if target == "next_update":
                update_due = due
        return cls(min(dues, default=None), min(risks, default=None), update_due)


def _intervals(history: History, statuses: set[str] | frozenset[str]):
    """[(from, until or None)] while the ticket was in one of ``statuses``."""
    spans = []
    opened: dt.datetime | None = None
    for moment, status in history.statuses:
        if status in statuses and opened is None:
            opened = moment
        elif status not in statuses and opened is not None:
            spans.append((opened, moment))
            opened = None
    if opened is not None:
        spans.append((opened, None))
    return spans


def _halts(history: History, rules: ClockRules):
    """When the clock does not run: stopped (solved/closed) or paused, merged and sorted."""
    return sorted(_intervals(history, STOPPED | rules.paused_statuses), key=lambda s: s[0])


def deadline(start: dt.datetime, seconds: float, schedule: Schedule, halts) -> tuple:
    """(due, halted_now): when ``seconds`` of running time since ``start`` will have passed,
    skipping the halts; (None, True) while a halt is still open before that."""
    cursor, remaining = start, seconds
    for halt_from, halt_until in halts:
        if halt_until is not None and halt_until <= cursor:
            continue
        if halt_from > cursor:
            available = schedule.between(cursor, halt_from)
            if remaining <= available:
                return schedule.add(cursor, remaining), False
            remaining -= available
        if halt_until is None:
            return None, True
        cursor = max(cursor, halt_until)
    return schedule.add(cursor, remaining), False


def _halted_now(history: History, rules: ClockRules) -> bool:
    return history.status in (STOPPED | rules.paused_statuses)


def _single_clock(start, met_at, history, rules, now, cycle) -> ClockState:
    halts = _halts(history, rules)
    if met_at is not None:
        halts = [(a, b) for a, b in halts if a < met_at]
    due, _halted = deadline(start, rules.target_seconds, rules.schedule, halts)
    warn_at, _ = deadline(start, rules.target_seconds * rules.warn_fraction, rules.schedule, halts)
    state = ClockState(due=due, met_at=met_at, cycle=cycle, warn_at=warn_at)
    if met_at is not None:
        state.breached = due is not None and met_at > due
        state.warn_at = None
        if state.breached:
            # Met late, perhaps before any sweep saw it run out: the breach still counts.
            state.crossings.append(("breach", cycle, due))
        return state
    state.paused = _halted_now(history, rules)
    if state.paused:
        # A halted clock shows no due time; it was breached if it ran out before halting.
        state.breached = due is not None and due <= now
        if not state.breached:
            state.due = state.warn_at = None
    else:
        state.breached = due is not None and due <= now
    if warn_at is not None and warn_at <= now:
        state.crossings.append(("warning", cycle, warn_at))
    if due is not None and due <= now:
        state.crossings.append(("breach", cycle, due))
    return state


def first_response(history: History, rules: ClockRules, now: dt.datetime) -> ClockState:
    met = next((r for r in history.responses if r >= history.opened_at), None)
    return _single_clock(history.opened_at, met, history, rules, now, _iso(history.opened_at))


def resolution(history: History, rules: ClockRules, now: dt.datetime) -> ClockState:
    # Met when the final solved/closed span began (closing a solved ticket keeps that time);
    # earlier solved spans of a reopened ticket are halts.
    met = _intervals(history, STOPPED)[-1][0] if history.status in STOPPED else None
    return _single_clock(history.opened_at, met, history, rules, now, _iso(history.opened_at))


def next_response(history: History, rules: ClockRules, now: dt.datetime) -> ClockState:
    """The current (or last) wait: the first customer message after our last response."""
    first = next((r for r in history.responses if r >= history.opened_at), None)
    if first is None:
        return ClockState()  # the first-response clock covers this wait
    waiting_since = None
    met_at = None
    responses = sorted(history.responses)
    for message in sorted(history.customer_messages):
        if message <= first:
            continue
        if waiting_since is None or (met_at is not None and message > met_at):
            waiting_since = message
            met_at = next((r for r in responses if r >= message), None)
    if waiting_since is None:
        return ClockState()
    return _single_clock(waiting_since, met_at, history, rules, now, _iso(waiting_since))


def running_time(start: dt.datetime, end: dt.datetime, schedule: Schedule, halts) -> float:
    """Seconds the clock counted between ``start`` and ``end``: working time outside halts."""
    total, cursor = 0.0, start
    for halt_from, halt_until in halts:
        if cursor >= end:
            return total
        if halt_until is not None and halt_until <= cursor:
            continue
        if halt_from >= end:
            break
        if halt_from > cursor:
            total += schedule.between(cursor, halt_from)
        if halt_until is None:
            return total
        cursor = max(cursor, halt_until)
    if cursor < end:
        total += schedule.between(cursor, end)
    return total


def next_update(history: History, rules: ClockRules, now: dt.datetime) -> ClockState:
    """The update cadence: due one interval after the last update, and again every interval
    while nobody updates the customer. Intervals missed before ``now`` are counted in one step
    (not walked one by one), and only the latest of them gives a reminder."""
    if history.status in STOPPED:
        return ClockState()
    last_update = max([history.opened_at, *history.responses])
    halts = _halts(history, rules)
    interval = rules.target_seconds
    state = ClockState(cycle=_iso(last_update))
    start = last_update
    missed = int(running_time(last_update, now, rules.schedule, halts) // interval)
    if missed:
        # The latest missed interval ran from (missed - 1) to missed intervals after the update.
        missed_start, _ = deadline(last_update, (missed - 1) * interval, rules.schedule, halts)
        missed_due, _ = deadline(missed_start, interval, rules.schedule, halts)
        state.breached = True
        state.crossings = [("breach", _iso(missed_start), missed_due)]
        start = missed_due
    for _ in range(2):  # the current interval; a second pass only if rounding put it in the past
        due, halted = deadline(start, interval, rules.schedule, halts)
        if due is None:
            state.paused = halted
            state.due = state.warn_at = None
            return state
        warn_at, _ = deadline(start, interval * rules.warn_fraction, rules.schedule, halts)
        cycle = _iso(start)
        if due > now:
            state.due, state.warn_at, state.cycle = due, warn_at, cycle
            if warn_at is not None and warn_at <= now:
                state.crossings.append(("warning", cycle, warn_at))
            return state
        state.breached = True
        state.crossings = [("breach", cycle, due)]
        start = due
    return state
