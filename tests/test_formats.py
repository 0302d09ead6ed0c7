"""``sampark.formats.date_text`` writes a moment exactly as Django's ``date_format`` does, in
both languages and every format the workspace uses."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from sampark.formats import date_text

FORMATS = ("DATETIME_FORMAT", "DATE_FORMAT", "TIME_FORMAT", "SHORT_DATETIME_FORMAT")


@pytest.mark.parametrize("language", ["en", "hi"])
def test_date_text_is_what_date_format_writes(language):
    moments = [
        dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)
        for month, day, hour, minute in [
            (1, 1, 0, 0),
            (9, 30, 6, 30),
            (12, 7, 12, 5),
            (5, 15, 23, 59),
        ]
    ]
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo("Asia/Kolkata")):
        for moment in moments:
            local = timezone.localtime(moment)
            for name in FORMATS:
                assert date_text(local, name) == date_format(local, name)
    if language == "hi":  # the month as Sampark's catalogue spells it
        with translation.override("hi"), timezone.override(zoneinfo.ZoneInfo("Asia/Kolkata")):
            assert date_text(timezone.localtime(moments[2])) == "7 दिसंबर 2026, 17:35"
