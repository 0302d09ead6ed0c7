"""Business-time arithmetic on a calendar: add working seconds to an instant, and count the
working seconds between two instants.

All maths happens on the calendar's own wall clock (zoneinfo): each local day's shifts become
intervals in UTC, so shifts stay at 09:00–18:00 local across DST changes, and holidays are
whole local days. Instants in and out are aware datetimes (UTC in the database).

Long spans are cheap: a schedule keeps, per local year, a running total of working
microseconds at the start of each local day, so a count or a deadline costs a look-up and a
binary search, not a walk over every day in between. The day-by-day walk remains for the
rare year in which the zone's clock skips or repeats a midnight in a way that blurs where a
local day begins; both give the same answers, to the microsecond.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import holidays as public_holidays

MIDNIGHT = dt.time(0, 0)
# A calendar with no working hours at all would make "add" loop forever; give up after this.
MAX_DAYS = 3 * 366

_MICROSECOND = dt.timedelta(microseconds=1)

Interval = tuple[dt.datetime, dt.datetime]


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


class _Year(NamedTuple):
    """Working time of one local calendar year: ``prefix[i]`` is the working microseconds
    before local day ``i`` (0 = 1 January), so ``prefix[-1]`` is the year's total."""

    first: int  # proleptic ordinal of 1 January
    prefix: list[int]


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
    # Memos, filled on first use. The snapshot is frozen, so they never go stale.
    _zone: dict[str, ZoneInfo] = field(default_factory=dict, init=False, compare=False, repr=False)
    _days: dict[dt.date, tuple[Interval, ...]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    # local year -> its running totals, or None when only the day-by-day walk is exact there
    _years: dict[int, _Year | None] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @property
    def zone(self) -> ZoneInfo:
        zone = self._zone.get("zone")
        if zone is None:
            zone = self._zone["zone"] = ZoneInfo(self.time_zone)
        return zone

    def is_holiday(self, day: dt.date) -> bool:
        return day in self.closed_dates or day in _public_holidays(
            self.country, self.subdivision, day.year
        )

    def is_open(self, moment: dt.datetime) -> bool:
        """Whether ``moment`` (aware) falls inside working hours."""
        day = moment.astimezone(self.zone).date()
        return any(start <= moment < end for start, end in self._open_intervals(day))

    def _open_intervals(self, day: dt.date) -> tuple[Interval, ...]:
        """The working intervals of one local day, in UTC so that differences are real
        elapsed time even on the day a DST change shortens or lengthens a shift."""
        intervals = self._days.get(day)
        if intervals is None:
            intervals = self._days[day] = self._intervals_of(day)
        return intervals

    def _intervals_of(self, day: dt.date) -> tuple[Interval, ...]:
        zone = self.zone
        if self.always_open:
            start = dt.datetime.combine(day, MIDNIGHT, tzinfo=zone)
            end = dt.datetime.combine(day + dt.timedelta(days=1), MIDNIGHT, tzinfo=zone)
            return ((start.astimezone(dt.UTC), end.astimezone(dt.UTC)),)
        if self.is_holiday(day):
            return ()
        intervals = []
        for start_time, end_time in self.shifts.get(day.weekday(), ()):
            start = dt.datetime.combine(day, start_time, tzinfo=zone)
            end_day = day + dt.timedelta(days=1) if end_time == MIDNIGHT else day
            end = dt.datetime.combine(end_day, end_time, tzinfo=zone)
            intervals.append((start.astimezone(dt.UTC), end.astimezone(dt.UTC)))
        return tuple(intervals)

    def _day_start(self, day: dt.date) -> dt.datetime | None:
        """The UTC instant at which local ``day`` begins, or None when the clock makes that
        unclear (a midnight that is repeated, or skipped by a jump that starts before it)."""
        midnight = dt.datetime.combine(day, MIDNIGHT, tzinfo=self.zone)
        start = midnight.astimezone(dt.UTC)
        other = midnight.replace(fold=1)
        if midnight.utcoffset() == other.utcoffset():
            return start  # an ordinary midnight
        # A jump forward that starts exactly at midnight: fold 0 reads midnight with the old
        # offset, which is the instant of the jump, the first of the day. Anything else
        # (midnight repeated, or skipped from before it) goes to the day-by-day walk.
        zone = self.zone
        if (
            start.astimezone(zone).date() == day
            and (start - _MICROSECOND).astimezone(zone).date() < day
            and other.astimezone(dt.UTC).astimezone(zone).date() < day
        ):
            return start
        return None

    def _year(self, year: int) -> _Year | None:
        if year in self._years:
            return self._years[year]
        try:
            built = self._build_year(year)
        except (OverflowError, ValueError):  # the ends of the calendar: walk instead
            built = None
        self._years[year] = built
        return built

    def _build_year(self, year: int) -> _Year | None:
        """Running totals for a local year, or None unless the local date only ever moves
        forward through the year and every working interval lies inside its own local day,
        which is what lets a count split into whole days plus part of one."""
        first = dt.date(year, 1, 1)
        days = (dt.date(year + 1, 1, 1) - first).days
        one_day = dt.timedelta(days=1)
        bounds = [self._day_start(first + i * one_day) for i in range(days + 1)]
        if any(bound is None for bound in bounds):
            return None
        prefix = [0]
        done = 0
        for i in range(days):
            for open_at, close_at in self._open_intervals(first + i * one_day):
                if open_at < close_at:
                    if open_at < bounds[i] or close_at > bounds[i + 1]:
                        return None
                    done += (close_at - open_at) // _MICROSECOND
            prefix.append(done)
        return _Year(first.toordinal(), prefix)

    def _elapsed(self, moment: dt.datetime) -> tuple[dt.date, _Year, int] | None:
        """(local day, its year, working microseconds from the year's start to ``moment``),
        or None when that year needs the day-by-day walk. ``moment`` is in UTC."""
        day = moment.astimezone(self.zone).date()
        year = self._year(day.year)
        if year is None:
            return None
        done = year.prefix[day.toordinal() - year.first]
        for open_at, close_at in self._open_intervals(day):
            if open_at < moment and open_at < close_at:
                done += (min(close_at, moment) - open_at) // _MICROSECOND
        return day, year, done

    def add(self, start: dt.datetime, seconds: float) -> dt.datetime:
        """The instant at which ``seconds`` of working time have passed since ``start``."""
        if seconds <= 0:
            return start
        remaining = dt.timedelta(seconds=seconds)
        start = start.astimezone(dt.UTC)
        if self.always_open:
            return start + remaining
        located = self._elapsed(start)
        if located is None:
            return self._walk_add(start, remaining)
        start_day, year, done = located
        wanted = remaining // _MICROSECOND
        target = done + wanted
        # The walk looked at MAX_DAYS days from the day before start's, and no further.
        last_day = start_day.toordinal() + MAX_DAYS - 2
        while True:
            total = year.prefix[-1]
            # Nothing more to add ends at the first working instant, so it needs time left.
            if target < total or (wanted and target == total):
                break
            target -= total
            next_year = year.first + len(year.prefix) - 1  # ordinal of the next 1 January
            if next_year > last_day:
                raise ClosedCalendar("The calendar has no working hours to count.")
            year = self._year(dt.date.fromordinal(next_year).year)
            if year is None:
                return self._walk_add(start, remaining)
        # The day whose working time reaches the target: exactly at its close is its own.
        index = (bisect_left if wanted else bisect_right)(year.prefix, target) - 1
        if year.first + index > last_day:
            raise ClosedCalendar("The calendar has no working hours to count.")
        day = dt.date.fromordinal(year.first + index)
        left = wanted if day == start_day else target - year.prefix[index]
        for open_at, close_at in self._open_intervals(day):
            begin = max(open_at, start)
            if begin >= close_at:
                continue
            available = (close_at - begin) // _MICROSECOND
            if left <= available:
                return begin + dt.timedelta(microseconds=left)
            left -= available
        return self._walk_add(start, remaining)  # not reached: the totals say it ends today

    def between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working seconds in [start, end)."""
        start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
        if end <= start:
            return 0.0
        if self.always_open:
            return (end - start).total_seconds()
        first, last = self._elapsed(start), self._elapsed(end)
        if first is None or last is None:
            return self._walk_between(start, end)
        total = last[2] - first[2]
        for year_number in range(first[0].year, last[0].year):
            year = self._year(year_number)
            if year is None:
                return self._walk_between(start, end)
            total += year.prefix[-1]
        return total / 1_000_000

    def _walk_add(self, start: dt.datetime, remaining: dt.timedelta) -> dt.datetime:
        """``add`` one local day at a time, for years without running totals."""
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

    def _walk_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """``between`` one local day at a time, for years without running totals."""
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
