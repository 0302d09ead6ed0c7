"""Per-ticket metrics, read from the event log, in business and in calendar time.

- first response: opening to the first public reply or logged call;
- resolution: opening to the last time the ticket became solved (None while unsolved);
- customer updates: public replies plus logged calls;
- time in each status: from the status history;
- handle time: the time agents logged on their replies, notes and calls.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sampark.calendars.hours import CALENDAR_TIME
from sampark.core import clock
from sampark.tickets.models import Ticket, TicketEvent

from . import clocks
from .services import HISTORY_KINDS, _schedule_for, history_of

Kind = TicketEvent.Kind


@dataclass
class Duration:
    business_seconds: float | None
    calendar_seconds: float | None

    def as_json(self) -> dict:
        return {
            "business_seconds": self.business_seconds,
            "calendar_seconds": self.calendar_seconds,
        }


def _span(schedule, start, end) -> Duration:
    if start is None or end is None:
        return Duration(None, None)
    return Duration(schedule.between(start, end), CALENDAR_TIME.between(start, end))


def ticket_metrics(ticket: Ticket, *, now: dt.datetime | None = None) -> dict:
    now = now or clock.now()
    events = list(
        TicketEvent.objects.filter(ticket=ticket)
        .only("kind", "created_at", "data", "time_spent")
        .order_by("created_at", "id")
    )
    history = history_of(
        ticket, [(e.kind, e.created_at, e.data) for e in events if e.kind in HISTORY_KINDS]
    )
    schedule = _schedule_for(ticket, business=True)
    first_response = next((r for r in history.responses if r >= history.opened_at), None)
    solved_at = next(
        (moment for moment, status in reversed(history.statuses) if status == "solved"), None
    )
    if history.status not in clocks.STOPPED:
        solved_at = None
    time_in_status: dict[str, dict] = {}
    boundaries = [*history.statuses, (now, None)]
    for (start, status), (end, _next) in zip(boundaries, boundaries[1:], strict=False):
        spent = time_in_status.setdefault(
            status, {"business_seconds": 0.0, "calendar_seconds": 0.0}
        )
        spent["business_seconds"] += schedule.between(start, max(start, end))
        spent["calendar_seconds"] += CALENDAR_TIME.between(start, max(start, end))
    handle = [e.time_spent for e in events if e.time_spent is not None]
    return {
        "first_response": _span(schedule, history.opened_at, first_response).as_json(),
        "resolution": _span(schedule, history.opened_at, solved_at).as_json(),
        "customer_updates": sum(1 for e in events if e.kind in (Kind.MESSAGE_OUT, Kind.CALL)),
        "customer_messages": sum(1 for e in events if e.kind == Kind.MESSAGE_IN),
        "reopened": sum(1 for e in events if e.kind == Kind.REOPENED),
        "time_in_status": time_in_status,
        "handle_time_seconds": sum(handle),
        "handle_time_entries": len(handle),
    }
