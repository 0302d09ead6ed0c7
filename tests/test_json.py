"""The API's JSON encoder (sampark.api.schema.dumps): orjson, RFC 3339 times, UTF-8 text."""

import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

from django.utils.translation import gettext_lazy
from ninja.responses import NinjaJSONEncoder

from sampark.api.schema import dumps

IST = timezone(timedelta(hours=5, minutes=30))

TIMES = {
    "created_at": datetime(2026, 11, 24, 9, 30, 5, 123456, tzinfo=UTC),
    "on_the_second": datetime(2026, 11, 24, 15, 0, tzinfo=UTC),
    "in_india": datetime(2026, 11, 24, 15, 0, 0, 250000, tzinfo=IST),
    "day": date(2026, 11, 24),
    "opens": time(9, 30),
}
WRITTEN = {
    "created_at": "2026-11-24T09:30:05.123456Z",
    "on_the_second": "2026-11-24T15:00:00Z",
    "in_india": "2026-11-24T15:00:00.250000+05:30",
    "day": "2026-11-24",
    "opens": "09:30:00",
}


def test_times_are_rfc_3339_with_microseconds_and_z_for_utc():
    assert json.loads(dumps(TIMES)) == WRITTEN
    for key, text in WRITTEN.items():
        if key != "opens":
            assert type(TIMES[key]).fromisoformat(text) == TIMES[key]  # nothing lost


def test_other_values_are_written_as_ninjas_encoder_wrote_them():
    data = {
        "spent": Decimal("12.50"),
        "label": gettext_lazy("English"),
        "subject": "प्रिंटर काम नहीं कर रहा",
        "nested": [{"n": 1, "ok": True, "none": None, "ratio": 0.25}],
    }

    out = dumps(data)

    assert json.loads(out) == json.loads(json.dumps(data, cls=NinjaJSONEncoder))
    assert "प्रिंटर".encode() in out  # UTF-8 text, not \\u escapes


def test_what_orjson_refuses_still_goes_out_through_the_json_module():
    data = {"custom_fields": {"meter_reading": 2**70}, **TIMES, "spent": Decimal("1.5")}

    assert json.loads(dumps(data)) == {
        "custom_fields": {"meter_reading": 2**70},
        **WRITTEN,
        "spent": "1.5",
    }
