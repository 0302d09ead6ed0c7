"""Business-time arithmetic: nights, weekends, Indian public holidays, split shifts and DST."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sampark.calendars import services as calendars
from sampark.calendars.hours import CALENDAR_TIME, ClosedCalendar, Schedule

IST = ZoneInfo("Asia/Kolkata")
LONDON = ZoneInfo("Europe/London")
HOUR = 3600
WEEKDAYS_9_TO_6 = {d: ((dt.time(9), dt.time(18)),) for d in range(5)}


def ist(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=IST)


def office(**kwargs) -> Schedule:
    return Schedule(time_zone="Asia/Kolkata", shifts=WEEKDAYS_9_TO_6, country="IN", **kwargs)


def test_deadline_within_the_same_working_day():
    assert office().add(ist(2026, 11, 23, 10), 2 * HOUR) == ist(2026, 11, 23, 12)


def test_deadline_carries_over_the_night():
    # Friday 27 Nov 2026, 17:00 + 4 working hours: 1 h on Friday, 3 h from Monday 09:00.
    assert office().add(ist(2026, 11, 27, 17), 4 * HOUR) == ist(2026, 11, 30, 12)


def test_work_arriving_at_night_starts_counting_at_opening_time():
    assert office().add(ist(2026, 11, 25, 23, 30), HOUR) == ist(2026, 11, 26, 10)


def test_weekend_is_skipped():
    assert office().add(ist(2026, 11, 28, 11), HOUR) == ist(2026, 11, 30, 10)


def test_indian_public_holiday_is_skipped():
    # 24 Nov 2026 is Guru Nanak's birthday, a national holiday in the holidays package.
    assert office().add(ist(2026, 11, 23, 17), 2 * HOUR) == ist(2026, 11, 25, 10)


def test_regional_holiday_only_in_its_state():
    # 19 Feb 2026 is Shivaji Jayanti in Maharashtra, a working day in Karnataka.
    start = ist(2026, 2, 18, 17)
    assert office(subdivision="MH").add(start, 2 * HOUR) == ist(2026, 2, 20, 10)
    assert office(subdivision="KA").add(start, 2 * HOUR) == ist(2026, 2, 19, 10)


def test_admin_added_holiday_is_skipped():
    closed = office(closed_dates=frozenset({dt.date(2026, 11, 25)}))
    assert closed.add(ist(2026, 11, 23, 17), 2 * HOUR) == ist(2026, 11, 26, 10)


def test_split_shift_skips_the_lunch_break():
    split = Schedule(
        time_zone="Asia/Kolkata",
        shifts={0: ((dt.time(9), dt.time(13)), (dt.time(14), dt.time(18)))},
    )
    assert split.add(ist(2026, 11, 23, 12), 2 * HOUR) == ist(2026, 11, 23, 15)
    assert split.between(ist(2026, 11, 23, 8), ist(2026, 11, 23, 20)) == 8 * HOUR


def test_shift_until_midnight():
    late = Schedule(time_zone="Asia/Kolkata", shifts={0: ((dt.time(18), dt.time(0)),)})
    assert late.add(ist(2026, 11, 23, 23), HOUR) == ist(2026, 11, 24, 0)


def test_between_counts_only_working_seconds():
    assert office().between(ist(2026, 11, 27, 17), ist(2026, 11, 30, 12)) == 4 * HOUR


def test_add_and_between_agree():
    schedule = office()
    start = ist(2026, 12, 31, 16, 45)
    due = schedule.add(start, 7.5 * HOUR)
    assert schedule.between(start, due) == 7.5 * HOUR


def test_calendar_time_counts_every_second():
    start = dt.datetime(2026, 11, 28, 22, tzinfo=dt.UTC)
    assert CALENDAR_TIME.add(start, 5 * HOUR) == start + dt.timedelta(hours=5)


def test_dst_calendar_keeps_local_shift_times():
    london = Schedule(time_zone="Europe/London", shifts=WEEKDAYS_9_TO_6)
    # Clocks go back on Sunday 25 Oct 2026: Friday 17:00 BST + 2 h = Monday 10:00 GMT.
    due = london.add(dt.datetime(2026, 10, 23, 17, tzinfo=LONDON), 2 * HOUR)
    assert due == dt.datetime(2026, 10, 26, 10, tzinfo=LONDON)
    assert due.astimezone(dt.UTC).hour == 10


def test_24x7_day_of_dst_change_is_23_real_hours():
    london = Schedule(time_zone="Europe/London", always_open=True)
    start = dt.datetime(2026, 3, 29, 0, tzinfo=LONDON)
    end = dt.datetime(2026, 3, 30, 0, tzinfo=LONDON)
    assert london.between(start, end) == 23 * HOUR


def test_same_instant_gives_different_local_deadlines_in_two_zones():
    moment = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)  # 17:30 IST, 12:00 GMT
    kolkata = office().add(moment, 2 * HOUR)
    london = Schedule(time_zone="Europe/London", shifts=WEEKDAYS_9_TO_6).add(moment, 2 * HOUR)
    assert kolkata == ist(2026, 11, 25, 10, 30)  # 24th is a holiday in India
    assert london == dt.datetime(2026, 11, 23, 14, tzinfo=LONDON)


def test_calendar_that_never_opens_raises():
    with pytest.raises(ClosedCalendar):
        Schedule(time_zone="Asia/Kolkata").add(ist(2026, 1, 1), HOUR)


@pytest.mark.django_db
def test_overlapping_shifts_are_refused():
    from sampark.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        calendars.save_calendar(
            name="Overlap",
            hours=[(0, dt.time(9), dt.time(13)), (0, dt.time(12), dt.time(18))],
        )


@pytest.mark.django_db
def test_holiday_added_mid_flight_changes_the_schedule():
    calendar = calendars.save_calendar(
        name="Desk", hours=[(d, dt.time(9), dt.time(18)) for d in range(5)], country="IN"
    )
    before = calendars.schedule_of(calendar).add(ist(2026, 12, 1, 17), 2 * HOUR)
    calendars.add_holiday(calendar, date=dt.date(2026, 12, 2), name="Office Puja")
    after = calendars.schedule_of(calendar).add(ist(2026, 12, 1, 17), 2 * HOUR)
    assert before == ist(2026, 12, 2, 10)
    assert after == ist(2026, 12, 3, 10)


@pytest.mark.django_db
def test_seeded_default_calendar_is_indian_office_hours():
    calendar = calendars.default_calendar()
    assert calendar.time_zone == "Asia/Kolkata"
    schedule = calendars.schedule_of(calendar)
    # Saturday 28 Nov closes at 14:00: half an hour then, half an hour from Monday 09:30.
    assert schedule.add(ist(2026, 11, 28, 13, 30), HOUR) == ist(2026, 11, 30, 10)
