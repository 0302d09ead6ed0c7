"""Business-time arithmetic by per-year running totals gives exactly what the day-by-day walk
gave: the walk, as it was, is kept here as the reference and compared to the microsecond."""

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sampark.calendars.hours import MAX_DAYS, MIDNIGHT, ClosedCalendar, Schedule

HOUR = 3600
DAY = 24 * HOUR

PROPERTIES = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


# The reference: Schedule.add and Schedule.between as they were, one local day at a time. --


def reference_intervals(schedule: Schedule, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    zone = ZoneInfo(schedule.time_zone)
    if schedule.always_open:
        start = dt.datetime.combine(day, MIDNIGHT, tzinfo=zone)
        end = dt.datetime.combine(day + dt.timedelta(days=1), MIDNIGHT, tzinfo=zone)
        return [(start.astimezone(dt.UTC), end.astimezone(dt.UTC))]
    if schedule.is_holiday(day):
        return []
    intervals = []
    for start_time, end_time in schedule.shifts.get(day.weekday(), ()):
        start = dt.datetime.combine(day, start_time, tzinfo=zone)
        end_day = day + dt.timedelta(days=1) if end_time == MIDNIGHT else day
        end = dt.datetime.combine(end_day, end_time, tzinfo=zone)
        intervals.append((start.astimezone(dt.UTC), end.astimezone(dt.UTC)))
    return intervals


def reference_add(schedule: Schedule, start: dt.datetime, seconds: float) -> dt.datetime:
    if seconds <= 0:
        return start
    remaining = dt.timedelta(seconds=seconds)
    start = start.astimezone(dt.UTC)
    day = start.astimezone(ZoneInfo(schedule.time_zone)).date() - dt.timedelta(days=1)
    for _ in range(MAX_DAYS):
        for open_at, close_at in reference_intervals(schedule, day):
            begin = max(open_at, start)
            if begin >= close_at:
                continue
            available = close_at - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += dt.timedelta(days=1)
    raise ClosedCalendar("The calendar has no working hours to count.")


def reference_between(schedule: Schedule, start: dt.datetime, end: dt.datetime) -> float:
    start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    if end <= start:
        return 0.0
    if schedule.always_open:
        return (end - start).total_seconds()
    zone = ZoneInfo(schedule.time_zone)
    total = dt.timedelta()
    day = start.astimezone(zone).date() - dt.timedelta(days=1)
    last = end.astimezone(zone).date()
    while day <= last:
        for open_at, close_at in reference_intervals(schedule, day):
            begin, finish = max(open_at, start), min(close_at, end)
            if finish > begin:
                total += finish - begin
        day += dt.timedelta(days=1)
    return total.total_seconds()


def outcome(function, *args):
    """A result or the exception class, so that raising ClosedCalendar compares too."""
    try:
        return function(*args)
    except ClosedCalendar:
        return ClosedCalendar


# Strategies. ------------------------------------------------------------------------------

# Kolkata has no DST; London and New York change at 01:00 and 02:00; Santiago's clocks jump
# forward at midnight; Azores repeats its midnight hour, so its years take the walk.
ZONES = [
    "Asia/Kolkata",
    "Europe/London",
    "America/New_York",
    "America/Santiago",
    "Atlantic/Azores",
]
# Year ends and clock changes (London, New York, Santiago, Azores) from 2025 to 2027.
EDGE_DATES = [
    dt.date(year, month, day)
    for year in (2025, 2026, 2027)
    for month, day in ((1, 1), (12, 30), (12, 31))
] + [
    dt.date(2025, 3, 30),
    dt.date(2025, 10, 26),
    dt.date(2026, 3, 29),
    dt.date(2026, 10, 25),
    dt.date(2027, 3, 28),
    dt.date(2027, 10, 31),
    dt.date(2025, 3, 9),
    dt.date(2025, 11, 2),
    dt.date(2026, 3, 8),
    dt.date(2026, 11, 1),
    dt.date(2026, 4, 4),
    dt.date(2026, 4, 5),
    dt.date(2026, 9, 5),
    dt.date(2026, 9, 6),
]
IN_HOLIDAY_DATES = [dt.date(2026, 1, 26), dt.date(2026, 8, 15), dt.date(2026, 10, 2)]


def clock(minutes: int) -> dt.time:
    return MIDNIGHT if minutes == 24 * 60 else dt.time(minutes // 60, minutes % 60)


@st.composite
def day_shifts(draw):
    """Sorted, non-overlapping shifts on a half-hour grid, possibly split, possibly running
    until MIDNIGHT (the end of the day) or starting at 00:00."""
    marks = sorted(draw(st.sets(st.integers(0, 48), max_size=6)))
    pairs = [(marks[i] * 30, marks[i + 1] * 30) for i in range(0, len(marks) - 1, 2)]
    return tuple((clock(a), clock(b)) for a, b in pairs)


OFFICE = {d: ((dt.time(9), dt.time(18)),) for d in range(6)}
SPLIT = {d: ((dt.time(9), dt.time(13)), (dt.time(14), dt.time(18))) for d in range(5)}
LATE = {d: ((dt.time(0), dt.time(2)), (dt.time(18), MIDNIGHT)) for d in range(7)}
# Around the DST changes of London and New York: shifts that start or end in the gap or in
# the repeated hour, and split shifts that overlap in UTC on the day the clocks go forward.
NIGHT = {d: ((dt.time(0, 30), dt.time(1, 30)), (dt.time(2), dt.time(3, 30))) for d in range(7)}

SHIFTS = st.one_of(
    st.sampled_from([OFFICE, SPLIT, LATE, NIGHT]),
    st.dictionaries(st.integers(0, 6), day_shifts(), max_size=7),
)


@st.composite
def schedules(draw) -> Schedule:
    zone = draw(st.sampled_from(ZONES))
    if draw(st.integers(0, 9)) == 0:
        return Schedule(time_zone=zone, always_open=True)
    country, subdivision = draw(
        st.sampled_from([("", ""), ("IN", ""), ("IN", "MH"), ("IN", "KA"), ("US", "NY")])
    )
    closed = draw(
        st.frozensets(
            st.one_of(
                st.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 31)),
                st.sampled_from(EDGE_DATES + IN_HOLIDAY_DATES),
            ),
            max_size=6,
        )
    )
    return Schedule(
        time_zone=zone,
        shifts=draw(SHIFTS),
        closed_dates=closed,
        country=country,
        subdivision=subdivision,
    )


@st.composite
def instants(draw, zone: str) -> dt.datetime:
    """An instant on the zone's wall clock: often on the half-hour grid (the edges of
    shifts), a microsecond either side of it, or anywhere."""
    day = draw(
        st.one_of(
            st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
            st.sampled_from(EDGE_DATES),
        )
    )
    minutes = draw(st.integers(0, 47)) * 30
    nudge = draw(
        st.one_of(
            st.just(dt.timedelta()),
            st.sampled_from([dt.timedelta(microseconds=-1), dt.timedelta(microseconds=1)]),
            st.integers(0, 30 * 60 * 10**6 - 1).map(lambda us: dt.timedelta(microseconds=us)),
        )
    )
    local = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes) + nudge
    moment = local.replace(tzinfo=ZoneInfo(zone), fold=draw(st.integers(0, 1)))
    if draw(st.booleans()):
        return moment.astimezone(dt.UTC)
    return moment


SPANS = st.one_of(
    st.integers(1, 120).map(lambda m: m * 60.0),  # minutes
    st.integers(1, 80).map(lambda h: h * 1800.0),  # up to a few working days
    st.integers(1, 730).map(lambda d: d * 9.0 * HOUR),  # working days, up to ~2 years' worth
    st.floats(1e-6, 2 * 365 * DAY, allow_nan=False),  # anything up to two years, fractional
    st.sampled_from([1e-7, 5e-7, 1e-6, 0.5, 1.0]),  # rounds to 0 or 1 microsecond
)


# Properties. ------------------------------------------------------------------------------


@PROPERTIES
@given(data=st.data(), schedule=schedules(), seconds=SPANS)
def test_add_matches_the_day_by_day_walk(data, schedule, seconds):
    start = data.draw(instants(schedule.time_zone))
    assert outcome(schedule.add, start, seconds) == outcome(reference_add, schedule, start, seconds)


@PROPERTIES
@given(data=st.data(), schedule=schedules(), span=st.integers(0, 2 * 366 * DAY))
def test_between_matches_the_day_by_day_walk(data, schedule, span):
    start = data.draw(instants(schedule.time_zone))
    end = data.draw(
        st.one_of(
            st.just(start + dt.timedelta(seconds=span)),
            instants(schedule.time_zone),  # anywhere, also before start
        )
    )
    assert schedule.between(start, end) == reference_between(schedule, start, end)


@PROPERTIES
@given(data=st.data(), schedule=schedules(), span=st.integers(1, 400 * DAY))
def test_deadline_that_lands_exactly_on_a_boundary(data, schedule, span):
    """The working time up to some instant (often a closing time), added back: the deadline
    is that closing time, never the next opening, just as the walk found it."""
    start = data.draw(instants(schedule.time_zone))
    end = data.draw(
        st.one_of(
            instants(schedule.time_zone),
            st.just(start + dt.timedelta(seconds=span)),
        )
    )
    seconds = reference_between(schedule, start, end)
    assert schedule.between(start, end) == seconds
    assert outcome(schedule.add, start, seconds) == outcome(reference_add, schedule, start, seconds)


@settings(PROPERTIES, max_examples=100)
@given(data=st.data(), schedule=schedules())
def test_one_snapshot_answers_many_questions_consistently(data, schedule):
    """The memos fill up as questions arrive in any order; answers never depend on it."""
    for _ in range(3):
        start = data.draw(instants(schedule.time_zone))
        seconds = data.draw(SPANS)
        assert outcome(schedule.add, start, seconds) == outcome(
            reference_add, schedule, start, seconds
        )
        end = data.draw(instants(schedule.time_zone))
        assert schedule.between(start, end) == reference_between(schedule, start, end)


# Examples. --------------------------------------------------------------------------------

IST = ZoneInfo("Asia/Kolkata")


def ist(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=IST)


def office() -> Schedule:
    return Schedule(time_zone="Asia/Kolkata", shifts=OFFICE, country="IN")


def test_deadline_at_closing_time_is_not_the_next_opening():
    # Friday 27 Nov 2026, 17:00 + 1 working hour closes the day; Saturday opens at 09:00.
    assert office().add(ist(2026, 11, 27, 17), HOUR) == ist(2026, 11, 27, 18)
    # A year's worth of working time from 1 January 09:00 ends at 18:00 on the last working
    # day of the year, not at the first opening of the next.
    schedule = office()
    year = schedule.between(ist(2026, 1, 1), ist(2027, 1, 1))
    due = schedule.add(ist(2026, 1, 1), year)
    assert due == reference_add(schedule, ist(2026, 1, 1), year)
    assert due.astimezone(IST).date().year == 2026
    assert due.astimezone(IST).time() == dt.time(18)


def test_long_spans_cross_year_ends():
    schedule = office()
    start = ist(2026, 6, 1, 12, 34, 56, 789)
    for days in (1, 30, 200, 400, 700):
        end = start + dt.timedelta(days=days)
        assert schedule.between(start, end) == reference_between(schedule, start, end)
        seconds = days * 9 * HOUR * 6 / 7
        assert schedule.add(start, seconds) == reference_add(schedule, start, seconds)


def test_calendar_with_no_shifts():
    closed = Schedule(time_zone="Asia/Kolkata", country="IN")
    with pytest.raises(ClosedCalendar):
        closed.add(ist(2026, 1, 1), HOUR)
    with pytest.raises(ClosedCalendar):
        closed.add(ist(2026, 12, 31, 23, 59), 1e-7)  # rounds to no time at all
    assert closed.between(ist(2026, 1, 1), ist(2028, 6, 1)) == 0
    assert closed.between(ist(2026, 1, 1), ist(2026, 1, 2)) == 0


def test_calendar_that_opens_only_after_the_search_gives_up():
    # Closed every day for the next three years and more: the walk gave up, and so do we.
    start = dt.date(2026, 1, 1)
    shut = frozenset(start + dt.timedelta(days=i) for i in range(MAX_DAYS + 5))
    schedule = Schedule(time_zone="Asia/Kolkata", shifts=OFFICE, closed_dates=shut)
    with pytest.raises(ClosedCalendar):
        schedule.add(ist(2026, 1, 1), HOUR)
    with pytest.raises(ClosedCalendar):
        reference_add(schedule, ist(2026, 1, 1), HOUR)
    # Just inside the bound, both find it.
    near = frozenset(start + dt.timedelta(days=i) for i in range(MAX_DAYS - 10))
    schedule = Schedule(time_zone="Asia/Kolkata", shifts=OFFICE, closed_dates=near)
    assert schedule.add(ist(2026, 1, 1), HOUR) == reference_add(schedule, ist(2026, 1, 1), HOUR)


def test_nothing_to_add_returns_start_unchanged():
    start = ist(2026, 11, 28, 11)  # a Saturday
    assert office().add(start, 0) is start
    assert office().add(start, -5) is start


def test_always_open_counts_elapsed_time():
    london = Schedule(time_zone="Europe/London", always_open=True)
    start = dt.datetime(2026, 3, 28, 12, tzinfo=dt.UTC)  # elapsed, not wall-clock, days
    assert london.add(start, DAY) == start.astimezone(dt.UTC) + dt.timedelta(days=1)
    assert london.add(start, DAY) == reference_add(london, start, DAY)
    assert london.between(start, start + dt.timedelta(days=400)) == 400 * DAY


def test_years_whose_midnight_is_repeated_take_the_walk():
    """Azores repeats the hour from midnight when its clocks go back: no running totals for
    those years, the walk instead. Santiago's clocks jump forward at midnight: totals."""
    azores = Schedule(time_zone="Atlantic/Azores", shifts=LATE)
    assert azores._year(2026) is None
    santiago = Schedule(time_zone="America/Santiago", shifts=LATE)
    assert santiago._year(2026) is not None
    jump = dt.datetime.combine(dt.date(2026, 9, 6), MIDNIGHT, tzinfo=santiago.zone)
    assert jump.utcoffset() != jump.replace(fold=1).utcoffset()
    for schedule in (azores, santiago):
        start = dt.datetime(2026, 3, 1, 23, tzinfo=schedule.zone)
        for seconds in (HOUR, 90 * DAY):
            assert schedule.add(start, seconds) == reference_add(schedule, start, seconds)
        end = start + dt.timedelta(days=300)
        assert schedule.between(start, end) == reference_between(schedule, start, end)


def test_a_span_that_runs_into_a_year_without_totals():
    """Colombo's clocks went back across midnight in April 2006: a span starting in 2005
    (with totals) that reaches into or across 2006 walks, and agrees with the walk."""
    colombo = Schedule(time_zone="Asia/Colombo", shifts=OFFICE)
    assert colombo._year(2005) is not None
    assert colombo._year(2006) is None
    start = dt.datetime(2005, 6, 1, 10, tzinfo=colombo.zone)
    for seconds in (HOUR, 300 * 9 * HOUR, 600 * 9 * HOUR):
        assert colombo.add(start, seconds) == reference_add(colombo, start, seconds)
    for days in (30, 400, 800):
        end = start + dt.timedelta(days=days)
        assert colombo.between(start, end) == reference_between(colombo, start, end)


def test_memos_do_not_change_what_a_schedule_is():
    used, fresh = office(), office()
    used.add(ist(2026, 11, 23, 10), 100 * HOUR)
    assert used == fresh
    assert repr(used) == repr(fresh)
    moved = dataclasses.replace(used, time_zone="Europe/London")
    assert moved.zone == ZoneInfo("Europe/London")
    assert moved.add(ist(2026, 11, 23, 10), HOUR) == reference_add(
        moved, ist(2026, 11, 23, 10), HOUR
    )


def test_zone_is_built_once():
    schedule = office()
    assert schedule.zone is schedule.zone


def test_a_start_in_the_last_instant_of_a_year():
    schedule = office()
    start = dt.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=IST)
    for seconds in (1e-6, HOUR, 9 * HOUR, 300 * 9 * HOUR):
        assert schedule.add(start, seconds) == reference_add(schedule, start, seconds)
    end = start + dt.timedelta(microseconds=2)
    assert schedule.between(start, end) == reference_between(schedule, start, end) == 0
