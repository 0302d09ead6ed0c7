"""The API's JSON encoder (sampark.apischema.dumps): orjson, with ninja's formats kept."""

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy
from ninja.responses import NinjaJSONEncoder

from sampark.apischema import dumps


def reference(data) -> object:
    return json.loads(json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False))


def test_it_writes_what_ninjas_encoder_wrote_for_every_kind_of_value():
    data = {
        "created_at": datetime(2026, 11, 24, 9, 30, 5, 123456, tzinfo=UTC),
        "due": datetime(2026, 11, 24, 15, 0, tzinfo=UTC) + timedelta(hours=5, minutes=30),
        "day": date(2026, 11, 24),
        "spent": Decimal("12.50"),
        "label": gettext_lazy("English"),
        "subject": "प्रिंटर काम नहीं कर रहा",
        "nested": [{"n": 1, "ok": True, "none": None, "ratio": 0.25}],
    }

    out = dumps(data)

    assert json.loads(out) == reference(data)
    assert json.loads(out)["created_at"] == "2026-11-24T09:30:05.123Z"
    assert "प्रिंटर".encode() in out  # UTF-8 text, not \\u escapes


def test_what_orjson_refuses_still_goes_out_through_the_json_module():
    data = {"custom_fields": {"meter_reading": 2**70}}

    assert json.loads(dumps(data)) == data
