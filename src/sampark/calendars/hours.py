"""Business-time arithmetic on a calendar: add working seconds to an instant, and count the
working seconds between two instants.

All maths happens on the calendar's own wall clock (zoneinfo), one local day at a time, so
shifts stay at 09:00–18:00 local across DST changes, and holidays are whole local days.
Instants in and out are aware datetimes (UTC in the database).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as public_holidays

MIDNIGHT = dt.time(0, 0)
# A calendar with no working hours at all would make "add" loop forever; give up after this.
MAX_DAYS = 3 * 366


class ClosedCalendar(ValueError):
    """The calendar never opens, so no business-time deadline can be computed."""


@lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str, year: int) -> frozenset[dt.date]:
    if not country:
        return frozenset()
    try:
        days = public_holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError:
        return frozenset()
    return frozenset(days.keys())


@dataclass(frozen=True)
class Schedule:
    """An immutable snapshot of a calendar, cheap to reuse for many tickets."""

    time_zone: str = "Asia/Kolkata"
    always_open: bool = False
    # weekday (0 = Monday) -> sorted ((start, end), ...); end MIDNIGHT = end of the day
    shifts: dict[int, tuple[tuple[dt.time, dt.time], ...]] = field(default_factory=dict)
    closed_dates: frozenset[dt.date] = frozenset()
    country: str = ""
    subdivision: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_holiday(self, day: dt.date) -> bool:
        return day in self.closed_dates or day in _public_holidays(
            self.country, self.subdivision, day.year
        )

    def _open_intervals(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The working intervals of one local day, in UTC so that differences are real
        elapsed time even on the day a DST change shortens or lengthens a shift."""
        zone = self.zone
        if self.always_open:
            start = dt.datetime.combine(day, MIDNIGHT, tzinfo=zone)
            end = dt.datetime.combine(day + dt.timedelta(days=1), MIDNIGHT, tzinfo=zone)
            return [(start.astimezone(dt.UTC), end.astimezone(dt.UTC))]
        if self.is_holiday(day):
            return []
        intervals = []
        for start_time, end_time in self.shifts.get(day.weekday(), ()):
            start = dt.datetime.combine(day, start_time, tzinfo=zone)
            end_day = day + dt.timedelta(days=1) if end_time == MIDNIGHT else day
            end = dt.datetime.combine(end_day, end_time, tzinfo=zone)
            intervals.append((start.astimezone(dt.UTC), end.astimezone(dt.UTC)))
        return intervals

    def add(self, start: dt.datetime, seconds: float) -> dt.datetime:
        """The instant at which ``seconds`` of working time have passed since ``start``."""
        if seconds <= 0:
            return start
        remaining = dt.timedelta(seconds=seconds)
        start = start.astimezone(dt.UTC)
        day = start.astimezone(self.zone).date() - dt.timedelta(days=1)
        for _ in range(MAX_DAYS):
            for open_at, close_at in self._open_intervals(day):
                begin = max(open_at, start)
                if begin >= close_at:
                    continue
                available = close_at - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += dt.timedelta(days=1)
        raise ClosedCalendar("The calendar has no working hours to count.")

    def between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working seconds in [start, end)."""
        start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
        if end <= start:
            return 0.0
        if self.always_open:
            return (end - start).total_seconds()
        total = dt.timedelta()
        day = start.astimezone(self.zone).date() - dt.timedelta(days=1)
        last = end.astimezone(self.zone).date()
        while day <= last:
            for open_at, close_at in self._open_intervals(day):
                begin, finish = max(open_at, start), min(close_at, end)
                if finish > begin:
                    total += finish - begin
            day += dt.timedelta(days=1)
        return total.total_seconds()


CALENDAR_TIME = Schedule(always_open=True, time_zone="UTC")
