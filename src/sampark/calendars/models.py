"""Business calendars: when a support centre works, in its own time zone.

SLA targets that count business time only count the hours a calendar is open: its weekly
shifts (split shifts allowed), minus India's national holidays (from the ``holidays``
package, with an optional state for regional ones) and the one-off dates admins add.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class BusinessCalendar(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Kolkata")
    always_open = models.BooleanField(
        _("open 24×7"), default=False, help_text=_("Every hour of every day counts.")
    )
    country = models.CharField(
        _("country for public holidays"),
        max_length=2,
        blank=True,
        default="IN",
        help_text=_("ISO code, e.g. IN. Empty: no public holidays."),
    )
    subdivision = models.CharField(
        _("state for regional holidays"),
        max_length=8,
        blank=True,
        help_text=_("e.g. MH, KA, DL. Empty: national holidays only."),
    )
    is_default = models.BooleanField(_("default calendar"), default=False)
    # Bumped on every change so cached schedules and SLA due times know to recompute.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """One shift on one weekday. An end of 00:00 means midnight at the end of the day."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["weekday", "start"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Holiday(models.Model):
    """A closed day added by an admin, on top of the public holidays of the calendar's
    country and state."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
