import datetime as dt

from django.db import migrations


def seed(apps, schema_editor):
    Calendar = apps.get_model("calendars", "BusinessCalendar")
    Hours = apps.get_model("calendars", "WorkingHours")
    if Calendar.objects.exists():
        return
    office = Calendar.objects.create(
        name="India office hours", time_zone="Asia/Kolkata", country="IN", is_default=True
    )
    shifts = [(day, dt.time(9, 30), dt.time(18, 30)) for day in range(5)]
    shifts.append((5, dt.time(9, 30), dt.time(14, 0)))
    Hours.objects.bulk_create(
        Hours(calendar=office, weekday=d, start=s, end=e) for d, s, e in shifts
    )
    Calendar.objects.create(name="24×7", time_zone="Asia/Kolkata", always_open=True, country="")


def unseed(apps, schema_editor):
    apps.get_model("calendars", "BusinessCalendar").objects.filter(
        name__in=["India office hours", "24×7"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("calendars", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
