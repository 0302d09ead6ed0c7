"""Types shared by every API module: ids, text, pages and the error body.

Input types reject at the edge what the database would choke on later (ids past 64 bits, NUL
characters, lone surrogates), so any input, valid or not, gets a clear 4xx and never a 500.
"""

import datetime as dt
import json
from datetime import datetime
from typing import Annotated, Any

import orjson
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, model_validator

from sampark.core.errors import InvalidInput
from sampark.team.permissions import profile_of

MAX_ID = 2**63 - 1


def _not_a_boolean(value):
    if isinstance(value, bool):
        raise ValueError(_("must be a number, not true or false"))
    return value


# The bounds come before the validator: pydantic cannot push constraints placed after a
# BeforeValidator into the integer schema, and wrote them into the OpenAPI document as bare
# `ge`/`le` keys that no client reads instead of minimum/maximum.
Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_not_a_boolean)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=200)]


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError(_("must not contain NUL characters"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("must be valid Unicode text")) from None
    return value


def Text(max_length: int, min_length: int = 0):  # noqa: N802 - reads as a type
    return Annotated[
        str, Field(min_length=min_length, max_length=max_length), AfterValidator(_clean_text)
    ]


class Input(Schema):
    """A request body: a JSON object, validated as one, strictly.

    ninja's Schema reads any value through its attributes (fit for rendering models), which
    would take a string or a number where an object belongs as an empty object; and pydantic's
    lax mode would read 0 as false, true as 1 and a number as a date. Inputs refuse all of that
    with a 422. Dates and times are ISO text (``IsoDate``, ``IsoTime``)."""

    model_config = ConfigDict(strict=True)

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler, info):
        if not isinstance(values, dict | BaseModel):
            raise ValueError(_("must be a JSON object"))
        return handler(values)


def _iso_text(value):
    if not isinstance(value, str):
        raise ValueError(_("must be ISO 8601 text"))
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_text), Field(strict=False)]
IsoTime = Annotated[dt.time, BeforeValidator(_iso_text), Field(strict=False)]


class Error(Schema):
    detail: Any
    field: str | None = None


class AgentRef(Schema):
    id: int
    name: str
    email: str


class GroupRef(Schema):
    id: int
    name: str
    tier: str


class OrganizationRef(Schema):
    id: int
    name: str
    tier: str


class Stamp(Schema):
    created_at: datetime


def agent_ref(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.email, "email": user.email}


def group_ref(group) -> dict | None:
    if group is None:
        return None
    return {"id": group.pk, "name": group.name, "tier": group.tier}


def organization_ref(organization) -> dict | None:
    if organization is None:
        return None
    return {"id": organization.pk, "name": organization.name, "tier": organization.tier}


def changed_fields(payload: Schema) -> dict:
    """The fields a PATCH body actually set; null means 'leave as it is' for plain fields."""
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}


def _no_such(model, pk: int, field: str) -> InvalidInput:
    return InvalidInput(
        _("No %(what)s has id %(id)s.") % {"what": model._meta.verbose_name, "id": pk},
        field=field,
    )


def referenced(model, pk: int | None, *, field: str):
    """The row a request body refers to by id (None stays None); a 422 naming the field when
    there is no such row, so unknown ids never reach a service."""
    if pk is None:
        return None
    row = model._default_manager.filter(pk=pk).first()
    if row is None:
        raise _no_such(model, pk, field)
    return row


def referenced_all(model, ids: list[int], *, field: str) -> list:
    rows = list(model._default_manager.filter(pk__in=ids))
    if missing := set(ids) - {row.pk for row in rows}:
        raise _no_such(model, min(missing), field)
    return rows


def referenced_agent(pk: int | None, *, field: str):
    """An active agent by user id, for owner, collaborator and account-manager fields."""
    if pk is None:
        return None
    user = get_user_model().objects.select_related("agent").filter(pk=pk, is_active=True).first()
    if user is None or profile_of(user) is None:
        raise InvalidInput(_("No active agent has id %(id)s.") % {"id": pk}, field=field)
    return user


_ninja_default = NinjaJSONEncoder().default


def _time_text(value):
    """Dates and times as orjson writes them, for the json module's fallback."""
    if isinstance(value, dt.date | dt.time):
        return orjson.dumps(value, option=orjson.OPT_UTC_Z)[1:-1].decode()
    return _ninja_default(value)


def dumps(data) -> bytes:
    """The API's JSON as UTF-8. orjson writes it (a tenth of the json module's time for a
    50-ticket page), times included: RFC 3339 with microseconds, and ``Z`` for UTC. Lazy
    translations, decimals and the rest go through ninja's encoder. What orjson refuses, such as
    an integer beyond 64 bits in a ticket's custom fields, goes to the json module instead.

    Handing times to ninja's encoder (milliseconds) cost a Python call for each of a queue
    page's 330 timestamps, an eighth of the page's CPU."""
    try:
        return orjson.dumps(data, default=_ninja_default, option=orjson.OPT_UTC_Z)
    except orjson.JSONEncodeError:
        return json.dumps(data, default=_time_text, ensure_ascii=False).encode()


def rendered(data, status: int = 200) -> HttpResponse:
    """JSON for a hot read path, built straight from the dict the endpoint assembled.

    The endpoint still declares its response schema (the OpenAPI contract), and the
    schemathesis suite checks that responses conform to it; skipping ninja's second pydantic
    pass over a 50-ticket page saves about a third of the request's CPU."""
    return HttpResponse(dumps(data), status=status, content_type="application/json; charset=utf-8")
