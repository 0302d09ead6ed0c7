"""Admin for business calendars: weekly shifts written as text, holidays added one by one."""

import datetime as dt
import re

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sampark.customers.admin import ServiceModelAdmin

from . import services
from .models import BusinessCalendar, Holiday, Weekday

DAY_NAMES = {label[:3].lower(): value for value, label in Weekday.choices}
DAY_NAMES.update(
    {
        name.lower()[:3]: value
        for value, name in enumerate(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    }
)
SHIFT = re.compile(r"^\s*(\w+)\s+(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")


def format_shifts(calendar: BusinessCalendar) -> str:
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    return "\n".join(
        f"{names[h.weekday]} {h.start:%H:%M}-{h.end:%H:%M}" for h in calendar.working_hours.all()
    )


def parse_shifts(text: str) -> list[tuple[int, dt.time, dt.time]]:
    shifts = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = SHIFT.match(line)
        day = DAY_NAMES.get(match.group(1).lower()[:3]) if match else None
        if day is None:
            raise forms.ValidationError(
                _("Line %(n)d: write a shift as “Mon 09:30-18:30”.") % {"n": number}
            )
        try:
            start = dt.time.fromisoformat(match.group(2).zfill(5))
            end = dt.time.fromisoformat(match.group(3).zfill(5))
        except ValueError:
            raise forms.ValidationError(
                _("Line %(n)d: not a time of day.") % {"n": number}
            ) from None
        shifts.append((day, start, end))
    return shifts


class CalendarForm(forms.ModelForm):
    weekly_hours = forms.CharField(
        label=_("weekly hours"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One shift per line, e.g. “Mon 09:30-18:30”. Split shifts: two lines for "
            "the day. 00:00 as the end means midnight."
        ),
    )

    class Meta:
        model = BusinessCalendar
        fields = ["name", "time_zone", "always_open", "country", "subdivision", "is_default"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["weekly_hours"].initial = format_shifts(self.instance)

    def clean_weekly_hours(self):
        return parse_shifts(self.cleaned_data.get("weekly_hours") or "")


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ServiceModelAdmin):
    form = CalendarForm
    list_display = ["name", "time_zone", "always_open", "country", "subdivision", "is_default"]
    list_filter = ["always_open", "country"]
    search_fields = ["name"]

    def save_through_service(self, request, obj, form, change):
        fields = self.changes(form, change, CalendarForm.Meta.fields)
        hours = form.cleaned_data["weekly_hours"]
        return services.save_calendar(self.current(obj), hours=hours, **fields)


@admin.register(Holiday)
class HolidayAdmin(ServiceModelAdmin):
    list_display = ["date", "name", "calendar"]
    list_filter = ["calendar"]
    date_hierarchy = "date"
    search_fields = ["name"]
    fields = ["calendar", "date", "name"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        return services.add_holiday(data["calendar"], date=data["date"], name=data["name"])

    def delete_model(self, request, obj):
        services.remove_holiday(obj)

    def delete_queryset(self, request, queryset):
        for holiday in queryset.select_related("calendar"):
            services.remove_holiday(holiday)
