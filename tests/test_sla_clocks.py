"""SLA clock semantics as pure functions of a ticket's history: start, pause, resume, meet,
breach and the customer-update cadence, in calendar time and in office hours."""

import datetime as dt
from zoneinfo import ZoneInfo

from sampark.calendars.hours import CALENDAR_TIME, Schedule
from sampark.sla import clocks
from sampark.sla.clocks import ClockRules, History

IST = ZoneInfo("Asia/Kolkata")
LONDON = ZoneInfo("Europe/London")
HOUR = 3600
MINUTE = 60
PAUSED = frozenset({"pending", "on_hold"})

# The seeded "India office hours": Mon–Fri 09:30–18:30, Sat 09:30–14:00, national holidays.
INDIA_OFFICE = Schedule(
    time_zone="Asia/Kolkata",
    shifts={
        **{day: ((dt.time(9, 30), dt.time(18, 30)),) for day in range(5)},
        5: ((dt.time(9, 30), dt.time(14)),),
    },
    country="IN",
)
LONDON_OFFICE = Schedule(
    time_zone="Europe/London",
    shifts={day: ((dt.time(9), dt.time(17)),) for day in range(5)},
)


def ist(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=IST)


def rules(seconds, schedule=CALENDAR_TIME, paused=PAUSED, warn_fraction=0.75) -> ClockRules:
    return ClockRules(
        target_seconds=seconds,
        schedule=schedule,
        paused_statuses=frozenset(paused),
        warn_fraction=warn_fraction,
    )


def history(opened, *, statuses=(), customer=(), responses=(), first_status="open") -> History:
    """A ticket opened at ``opened`` (with its description as the first customer message)."""
    return History(
        opened_at=opened,
        statuses=[(opened, first_status), *statuses],
        customer_messages=[opened, *customer],
        responses=list(responses),
    )


OPENED = ist(2026, 12, 7, 10)  # Monday 7 December 2026, no holiday that week


# --- first response -----------------------------------------------------------------------


def test_first_response_is_due_one_target_after_opening_in_calendar_time():
    state = clocks.first_response(history(OPENED), rules(4 * HOUR), now=OPENED)

    assert state.due == ist(2026, 12, 7, 14)
    assert (state.met_at, state.breached, state.paused) == (None, False, False)


def test_business_time_first_response_waits_out_the_night():
    opened = ist(2026, 12, 7, 17, 30)  # Monday, one office hour left

    state = clocks.first_response(history(opened), rules(2 * HOUR, INDIA_OFFICE), now=opened)

    assert state.due == ist(2026, 12, 8, 10, 30)


def test_business_time_first_response_skips_the_weekend_after_the_short_saturday():
    opened = ist(2026, 12, 11, 17, 30)  # Friday: 1 h Friday, 4.5 h Saturday, 3.5 h Monday

    state = clocks.first_response(history(opened), rules(9 * HOUR, INDIA_OFFICE), now=opened)

    assert state.due == ist(2026, 12, 14, 13)


def test_business_time_first_response_skips_an_indian_public_holiday():
    # Friday 2 October 2026 is Gandhi Jayanti: Thursday 1 h, Saturday 4.5 h, Monday 3.5 h.
    opened = ist(2026, 10, 1, 17, 30)

    state = clocks.first_response(history(opened), rules(9 * HOUR, INDIA_OFFICE), now=opened)

    assert state.due == ist(2026, 10, 5, 13)


def test_first_public_reply_meets_the_first_response_target():
    replied = OPENED + dt.timedelta(minutes=20)
    ticket = history(OPENED, responses=[replied])

    state = clocks.first_response(ticket, rules(HOUR), now=OPENED + dt.timedelta(hours=5))

    assert state.met_at == replied
    assert state.breached is False
    assert state.crossings == []


def test_first_reply_after_the_due_time_is_met_but_breached():
    replied = OPENED + dt.timedelta(hours=2)
    ticket = history(OPENED, responses=[replied])

    state = clocks.first_response(ticket, rules(HOUR), now=replied)

    assert state.met_at == replied
    assert state.breached is True


def test_unanswered_ticket_crosses_its_warning_and_then_its_breach():
    ticket = history(OPENED)
    target = rules(HOUR)

    before = clocks.first_response(ticket, target, now=OPENED + dt.timedelta(minutes=44))
    warned = clocks.first_response(ticket, target, now=OPENED + dt.timedelta(minutes=45))
    breached = clocks.first_response(ticket, target, now=OPENED + dt.timedelta(hours=1))

    cycle = OPENED.astimezone(dt.UTC).isoformat()
    assert before.crossings == []
    assert warned.crossings == [("warning", cycle, OPENED + dt.timedelta(minutes=45))]
    assert breached.crossings == [
        ("warning", cycle, OPENED + dt.timedelta(minutes=45)),
        ("breach", cycle, OPENED + dt.timedelta(hours=1)),
    ]
    assert breached.breached is True


def test_warning_fraction_is_configurable():
    state = clocks.first_response(history(OPENED), rules(HOUR, warn_fraction=0.5), now=OPENED)

    assert state.warn_at == OPENED + dt.timedelta(minutes=30)


# --- pause and resume ---------------------------------------------------------------------


def test_pending_ticket_pauses_the_clock_and_shows_no_due_time():
    ticket = history(OPENED, statuses=[(ist(2026, 12, 7, 11), "pending")])

    state = clocks.first_response(ticket, rules(4 * HOUR), now=ist(2026, 12, 7, 20))

    assert state.paused is True
    assert (state.due, state.warn_at, state.breached) == (None, None, False)
    assert state.crossings == []


def test_customer_reply_resumes_the_clock_with_the_paused_time_added():
    ticket = history(
        OPENED,
        statuses=[(ist(2026, 12, 7, 11), "pending"), (ist(2026, 12, 7, 15), "open")],
        customer=[ist(2026, 12, 7, 15)],
    )

    state = clocks.first_response(ticket, rules(4 * HOUR), now=ist(2026, 12, 7, 15))

    assert state.paused is False
    assert state.due == ist(2026, 12, 7, 18)  # 1 h before the pause, 3 h after it


def test_business_time_pause_only_adds_the_office_hours_it_covered():
    # Unpaused, 9 office hours from Monday 10:00 end on Tuesday 10:00. Pending from Monday
    # 17:30 to Tuesday 10:30 covers one office hour on each day, so the due time moves 2 h.
    ticket = history(
        OPENED,
        statuses=[(ist(2026, 12, 7, 17, 30), "pending"), (ist(2026, 12, 8, 10, 30), "open")],
    )

    state = clocks.resolution(ticket, rules(9 * HOUR, INDIA_OFFICE), now=ist(2026, 12, 8, 10, 30))

    assert state.due == ist(2026, 12, 8, 12)


def test_clock_that_ran_out_before_the_pause_stays_breached():
    ticket = history(OPENED, statuses=[(ist(2026, 12, 7, 12), "pending")])

    state = clocks.first_response(ticket, rules(HOUR), now=ist(2026, 12, 7, 13))

    assert state.paused is True
    assert state.breached is True
    assert state.due == ist(2026, 12, 7, 11)


def test_status_outside_the_paused_set_does_not_pause():
    ticket = history(OPENED, statuses=[(ist(2026, 12, 7, 11), "on_hold")])

    state = clocks.resolution(ticket, rules(8 * HOUR, paused={"pending"}), now=ist(2026, 12, 7, 12))

    assert state.paused is False
    assert state.due == ist(2026, 12, 7, 18)


def test_deadline_skips_closed_halts_and_stops_at_an_open_one():
    halts = [(ist(2026, 12, 7, 11), ist(2026, 12, 7, 13)), (ist(2026, 12, 7, 16), None)]

    assert clocks.deadline(OPENED, 3 * HOUR, CALENDAR_TIME, halts) == (
        ist(2026, 12, 7, 15),
        False,
    )
    assert clocks.deadline(OPENED, 5 * HOUR, CALENDAR_TIME, halts) == (None, True)


# --- next response ------------------------------------------------------------------------


def test_next_response_has_no_clock_until_the_first_response():
    ticket = history(OPENED, customer=[ist(2026, 12, 7, 10, 30)])

    state = clocks.next_response(ticket, rules(HOUR), now=ist(2026, 12, 7, 12))

    assert state.due is None
    assert state.crossings == []


def test_next_response_runs_from_the_first_customer_message_that_waits_on_us():
    ticket = history(
        OPENED,
        responses=[ist(2026, 12, 7, 10, 15)],
        customer=[ist(2026, 12, 7, 11), ist(2026, 12, 7, 11, 30)],
    )

    state = clocks.next_response(ticket, rules(HOUR), now=ist(2026, 12, 7, 11, 30))

    assert state.due == ist(2026, 12, 7, 12)
    assert state.cycle == ist(2026, 12, 7, 11).astimezone(dt.UTC).isoformat()


def test_public_reply_meets_the_next_response_and_a_new_message_starts_a_new_cycle():
    replied = ist(2026, 12, 7, 11, 20)
    answered = history(
        OPENED, responses=[ist(2026, 12, 7, 10, 15), replied], customer=[ist(2026, 12, 7, 11)]
    )
    asked_again = history(
        OPENED,
        responses=[ist(2026, 12, 7, 10, 15), replied],
        customer=[ist(2026, 12, 7, 11), ist(2026, 12, 7, 14)],
    )

    met = clocks.next_response(answered, rules(HOUR), now=ist(2026, 12, 7, 13))
    waiting = clocks.next_response(asked_again, rules(HOUR), now=ist(2026, 12, 7, 14))

    assert (met.met_at, met.breached) == (replied, False)
    assert waiting.met_at is None
    assert waiting.due == ist(2026, 12, 7, 15)
    assert waiting.cycle != met.cycle


# --- resolution ---------------------------------------------------------------------------


def test_solving_the_ticket_meets_the_resolution_target():
    solved = ist(2026, 12, 7, 15)
    ticket = history(OPENED, statuses=[(solved, "solved")])

    state = clocks.resolution(ticket, rules(8 * HOUR), now=ist(2026, 12, 8, 10))

    assert state.met_at == solved
    assert state.due == ist(2026, 12, 7, 18)
    assert state.breached is False


def test_reopened_ticket_resolution_continues_where_it_left_off():
    ticket = history(
        OPENED,
        statuses=[(ist(2026, 12, 7, 12), "solved"), (ist(2026, 12, 8, 9), "open")],
        customer=[ist(2026, 12, 8, 9)],
    )

    state = clocks.resolution(ticket, rules(8 * HOUR), now=ist(2026, 12, 8, 9))

    assert state.met_at is None
    assert state.due == ist(2026, 12, 8, 15)  # 2 h used before solving, 6 h left


def test_closing_a_solved_ticket_keeps_the_resolution_met_when_it_was_solved():
    solved = ist(2026, 12, 7, 15)
    ticket = history(OPENED, statuses=[(solved, "solved"), (ist(2026, 12, 10, 9), "closed")])

    state = clocks.resolution(ticket, rules(8 * HOUR), now=ist(2026, 12, 10, 9))

    assert state.met_at == solved
    assert state.due == ist(2026, 12, 7, 18)


# --- customer updates ---------------------------------------------------------------------


def test_customer_update_is_due_one_interval_after_the_last_update():
    ticket = history(OPENED, responses=[ist(2026, 12, 7, 10, 30)])

    state = clocks.next_update(ticket, rules(2 * HOUR), now=ist(2026, 12, 7, 11))

    assert state.due == ist(2026, 12, 7, 12, 30)
    assert state.crossings == []


def test_missed_updates_fall_due_again_every_interval_with_one_reminder_for_the_latest():
    ticket = history(OPENED)

    state = clocks.next_update(ticket, rules(2 * HOUR), now=ist(2026, 12, 7, 16, 30))

    # Due at 12:00, 14:00 and 16:00; a sweep that comes late (a worker outage) sends one
    # reminder for the latest missed interval, not a burst of three.
    breaches = [(kind, at) for kind, _cycle, at in state.crossings if kind == "breach"]
    assert breaches == [("breach", ist(2026, 12, 7, 16))]
    assert state.breached
    assert state.due == ist(2026, 12, 7, 18)


def test_logged_call_restarts_the_update_cadence():
    ticket = history(OPENED, responses=[ist(2026, 12, 7, 13)])

    state = clocks.next_update(ticket, rules(2 * HOUR), now=ist(2026, 12, 7, 13))

    assert state.due == ist(2026, 12, 7, 15)
    assert [kind for kind, _cycle, _at in state.crossings] == []


def test_update_cadence_pauses_while_pending():
    ticket = history(OPENED, statuses=[(ist(2026, 12, 7, 11), "pending")])

    state = clocks.next_update(ticket, rules(2 * HOUR), now=ist(2026, 12, 7, 20))

    assert state.paused is True
    assert state.due is None
    assert state.crossings == []


def test_solved_ticket_needs_no_more_updates():
    ticket = history(OPENED, statuses=[(ist(2026, 12, 7, 11), "solved")])

    state = clocks.next_update(ticket, rules(2 * HOUR), now=ist(2026, 12, 8, 10))

    assert state.due is None
    assert state.crossings == []


# --- time zones ---------------------------------------------------------------------------


def test_london_office_hours_stay_local_across_the_spring_dst_change():
    # Friday 27 March 2026 16:00 GMT; clocks go forward on Sunday 29 March.
    opened = dt.datetime(2026, 3, 27, 16, tzinfo=LONDON)

    state = clocks.first_response(history(opened), rules(2 * HOUR, LONDON_OFFICE), now=opened)

    assert state.due == dt.datetime(2026, 3, 30, 10, tzinfo=LONDON)
    assert state.due.astimezone(dt.UTC) == dt.datetime(2026, 3, 30, 9, tzinfo=dt.UTC)


def test_same_history_gives_each_office_its_own_local_due_time():
    opened = dt.datetime(2026, 3, 27, 16, tzinfo=dt.UTC)  # 16:00 GMT, 21:30 IST on Friday
    ticket = history(opened)

    london = clocks.first_response(ticket, rules(2 * HOUR, LONDON_OFFICE), now=opened)
    kolkata = clocks.first_response(ticket, rules(2 * HOUR, INDIA_OFFICE), now=opened)

    assert london.due == dt.datetime(2026, 3, 30, 10, tzinfo=LONDON)
    assert kolkata.due == ist(2026, 3, 28, 11, 30)  # Saturday morning in Kolkata
