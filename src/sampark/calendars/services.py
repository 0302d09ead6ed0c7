"""Changes to business calendars. Every change bumps the calendar's revision, so cached
schedules are rebuilt and the SLA clocks that depend on it can be recomputed."""

import datetime as dt
import zoneinfo

import holidays as public_holidays
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from sampark.core import events
from sampark.core.errors import Conflict, InvalidInput, check_unique_name
from sampark.db import configuration

from .hours import MIDNIGHT, Schedule
from .models import BusinessCalendar, Holiday, WorkingHours

Shift = tuple[int, dt.time, dt.time]


def _check_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(
            _("Unknown time zone “%(z)s”.") % {"z": name}, field="time_zone"
        ) from None
    return name


def _check_region(country: str, subdivision: str) -> None:
    if not country:
        if subdivision:
            raise InvalidInput(_("A state needs a country."), field="subdivision")
        return
    try:
        supported = public_holidays.country_holidays(country).subdivisions
    except NotImplementedError:
        raise InvalidInput(
            _("No public holidays are known for country “%(c)s”.") % {"c": country},
            field="country",
        ) from None
    if subdivision and subdivision not in supported:
        raise InvalidInput(
            _("“%(s)s” is not a state of %(c)s.") % {"s": subdivision, "c": country},
            field="subdivision",
        )


def validate_shifts(shifts: list[Shift]) -> list[Shift]:
    """Shifts sorted by day and start; each starts before it ends (an end of 00:00 is
    midnight) and no two on the same day overlap."""
    clean = []
    for weekday, start, end in shifts:
        if weekday not in range(7):
            raise InvalidInput(_("Weekday must be 0 (Monday) to 6 (Sunday)."), field="hours")
        if end != MIDNIGHT and end <= start:
            raise InvalidInput(
                _("A shift must start before it ends (%(s)s–%(e)s).")
                % {"s": start.strftime("%H:%M"), "e": end.strftime("%H:%M")},
                field="hours",
            )
        clean.append((weekday, start, end))
    clean.sort(key=lambda shift: (shift[0], shift[1]))
    for (day_a, _start_a, end_a), (day_b, start_b, _end_b) in zip(clean, clean[1:], strict=False):
        if day_a == day_b and (end_a == MIDNIGHT or end_a > start_b):
            raise InvalidInput(
                _("Shifts on the same day overlap at %(t)s.") % {"t": start_b.strftime("%H:%M")},
                field="hours",
            )
    return clean


def _touch(calendar: BusinessCalendar) -> None:
    BusinessCalendar.objects.filter(pk=calendar.pk).update(revision=F("revision") + 1)
    calendar.refresh_from_db(fields=["revision"])
    events.publish("calendar_changed", calendar_id=calendar.pk)


@transaction.atomic
def save_calendar(
    calendar: BusinessCalendar | None = None, *, hours: list[Shift] | None = None, **fields
) -> BusinessCalendar:
    """Create or change a calendar; ``hours`` replaces its weekly shifts when given."""
    allowed = {"name", "time_zone", "always_open", "country", "subdivision", "is_default"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput(_("Unknown calendar fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    check_unique_name(
        BusinessCalendar,
        fields,
        calendar,
        missing=_("A calendar needs a name."),
        taken=_("A calendar with this name already exists."),
    )
    if "time_zone" in fields:
        _check_zone(fields["time_zone"])
    country = fields.get("country", calendar.country if calendar else "IN").upper()
    subdivision = fields.get("subdivision", calendar.subdivision if calendar else "").upper()
    if "country" in fields or "subdivision" in fields:
        _check_region(country, subdivision)
        fields["country"], fields["subdivision"] = country, subdivision
    shifts = validate_shifts(hours) if hours is not None else None
    if fields.get("is_default"):
        BusinessCalendar.objects.filter(is_default=True).update(is_default=False)
    if calendar is None:
        calendar = BusinessCalendar.objects.create(**fields)
    elif fields:
        for name, value in fields.items():
            setattr(calendar, name, value)
        calendar.save(update_fields=list(fields))
    if shifts is not None:
        calendar.working_hours.all().delete()
        WorkingHours.objects.bulk_create(
            WorkingHours(calendar=calendar, weekday=d, start=s, end=e) for d, s, e in shifts
        )
    _touch(calendar)
    return calendar


@transaction.atomic
def add_holiday(calendar: BusinessCalendar, *, date: dt.date, name: str) -> Holiday:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput(_("A holiday needs a name of up to 100 characters."), field="name")
    if calendar.holidays.filter(date=date).exists():
        raise Conflict(_("%(d)s is already a holiday in this calendar.") % {"d": date})
    holiday = Holiday.objects.create(calendar=calendar, date=date, name=name)
    _touch(calendar)
    return holiday


@transaction.atomic
def remove_holiday(holiday: Holiday) -> None:
    calendar = holiday.calendar
    holiday.delete()
    _touch(calendar)


_schedules: dict[tuple[int, int], Schedule] = {}


def schedule_of(calendar: BusinessCalendar) -> Schedule:
    """The calendar as a Schedule, cached per revision (changes anywhere bump it)."""
    key = (calendar.pk, calendar.revision)
    schedule = _schedules.get(key)
    if schedule is None:
        shifts: dict[int, list[tuple[dt.time, dt.time]]] = {}
        for row in calendar.working_hours.order_by("weekday", "start"):
            shifts.setdefault(row.weekday, []).append((row.start, row.end))
        schedule = Schedule(
            time_zone=calendar.time_zone,
            always_open=calendar.always_open,
            shifts={day: tuple(s) for day, s in shifts.items()},
            closed_dates=frozenset(calendar.holidays.values_list("date", flat=True)),
            country=calendar.country,
            subdivision=calendar.subdivision,
        )
        if len(_schedules) > 512:
            _schedules.clear()
        _schedules[key] = schedule
    return schedule


@configuration.cached
def default_calendar() -> BusinessCalendar | None:
    return BusinessCalendar.objects.filter(is_default=True).first()


def public_holidays_in(calendar: BusinessCalendar, year: int) -> list[tuple[dt.date, str]]:
    if not calendar.country:
        return []
    try:
        days = public_holidays.country_holidays(
            calendar.country, subdiv=calendar.subdivision or None, years=year
        )
    except NotImplementedError:
        return []
    return sorted(days.items())
