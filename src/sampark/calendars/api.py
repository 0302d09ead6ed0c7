"""REST endpoints for business calendars and holidays. Reading is for every agent; changes
are for admins."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from sampark.api.schema import Input, IsoDate, IsoTime, PathId, Text
from sampark.core.errors import NotFound
from sampark.team.api import require_admin

from . import services
from .models import BusinessCalendar, Holiday

router = Router(tags=["configuration"])


class ShiftIn(Input):
    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    start: IsoTime
    end: IsoTime = Field(description="00:00 means midnight at the end of the day")


class ShiftOut(Schema):
    weekday: int
    start: str = Field(description="Local wall-clock time, HH:MM")
    end: str = Field(description="Local wall-clock time, HH:MM; 00:00 means midnight")


class HolidayIn(Input):
    date: IsoDate
    name: Text(100, 1)


class HolidayOut(Schema):
    id: int | None
    date: dt.date
    name: str
    public: bool


class CalendarIn(Input):
    name: Text(100, 1)
    time_zone: Text(64, 1) = "Asia/Kolkata"
    always_open: bool = False
    country: Text(2) = "IN"
    subdivision: Text(8) = ""
    is_default: bool = False
    hours: list[ShiftIn] = Field(default_factory=list, max_length=100)


class CalendarPatchIn(Input):
    name: Text(100, 1) | None = None
    time_zone: Text(64, 1) | None = None
    always_open: bool | None = None
    country: Text(2) | None = None
    subdivision: Text(8) | None = None
    is_default: bool | None = None
    hours: list[ShiftIn] | None = Field(None, max_length=100)


class CalendarOut(Schema):
    id: int
    name: str
    time_zone: str
    always_open: bool
    country: str
    subdivision: str
    is_default: bool
    hours: list[ShiftOut]


def calendar_out(calendar: BusinessCalendar) -> dict:
    return {
        "id": calendar.pk,
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "always_open": calendar.always_open,
        "country": calendar.country,
        "subdivision": calendar.subdivision,
        "is_default": calendar.is_default,
        "hours": [
            {"weekday": h.weekday, "start": f"{h.start:%H:%M}", "end": f"{h.end:%H:%M}"}
            for h in calendar.working_hours.all()
        ],
    }


def _calendar(calendar_id: int) -> BusinessCalendar:
    calendar = (
        BusinessCalendar.objects.prefetch_related("working_hours").filter(pk=calendar_id).first()
    )
    if calendar is None:
        raise NotFound(_("Calendar not found."))
    return calendar


def _shifts(hours: list[ShiftIn]) -> list[tuple[int, dt.time, dt.time]]:
    return [(h.weekday, h.start.replace(tzinfo=None), h.end.replace(tzinfo=None)) for h in hours]


@router.get("/calendars", response=list[CalendarOut], summary="Business calendars")
def list_calendars(request):
    return [calendar_out(c) for c in BusinessCalendar.objects.prefetch_related("working_hours")]


@router.post("/calendars", response={201: CalendarOut}, summary="Create a calendar")
def create_calendar(request, payload: CalendarIn):
    require_admin(request.auth)
    fields = payload.dict(exclude={"hours"})
    calendar = services.save_calendar(hours=_shifts(payload.hours), **fields)
    return Status(201, calendar_out(_calendar(calendar.pk)))


@router.get("/calendars/{calendar_id}", response=CalendarOut, summary="A calendar")
def get_calendar(request, calendar_id: PathId):
    return calendar_out(_calendar(calendar_id))


@router.patch("/calendars/{calendar_id}", response=CalendarOut, summary="Change a calendar")
def patch_calendar(request, calendar_id: PathId, payload: CalendarPatchIn):
    require_admin(request.auth)
    given = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    hours = _shifts(payload.hours) if "hours" in given else None
    given.pop("hours", None)
    services.save_calendar(_calendar(calendar_id), hours=hours, **given)
    return calendar_out(_calendar(calendar_id))


@router.get(
    "/calendars/{calendar_id}/holidays", response=list[HolidayOut], summary="Closed days in a year"
)
def list_holidays(request, calendar_id: PathId, year: int | None = Query(None, ge=1970, le=2100)):
    """The admin-added holidays and the public holidays of the calendar's country and state
    in ``year`` (default: this year)."""
    calendar = _calendar(calendar_id)
    year = year or dt.date.today().year
    own = [
        {"id": h.pk, "date": h.date, "name": h.name, "public": False}
        for h in calendar.holidays.filter(date__year=year)
    ]
    public = [
        {"id": None, "date": day, "name": name, "public": True}
        for day, name in services.public_holidays_in(calendar, year)
    ]
    return sorted(own + public, key=lambda h: (h["date"], h["public"]))


@router.post(
    "/calendars/{calendar_id}/holidays", response={201: HolidayOut}, summary="Add a holiday"
)
def add_holiday(request, calendar_id: PathId, payload: HolidayIn):
    require_admin(request.auth)
    holiday = services.add_holiday(_calendar(calendar_id), date=payload.date, name=payload.name)
    return Status(
        201, {"id": holiday.pk, "date": holiday.date, "name": holiday.name, "public": False}
    )


@router.delete(
    "/calendars/{calendar_id}/holidays/{holiday_id}",
    response={204: None},
    summary="Remove a holiday",
)
def remove_holiday(request, calendar_id: PathId, holiday_id: PathId):
    require_admin(request.auth)
    holiday = Holiday.objects.filter(pk=holiday_id, calendar_id=calendar_id).first()
    if holiday is None:
        raise NotFound(_("Holiday not found."))
    services.remove_holiday(holiday)
    return Status(204, None)
