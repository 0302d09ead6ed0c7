"""The REST API v1: authentication, rate limits, error mapping and the routers of each app.

Every endpoint needs ``Authorization: Bearer <token>`` of an active agent. Errors are JSON
``{"detail": ..., "field"?: ...}`` with 400/401/403/404/409/413/422/429, never a 500 for bad
input.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from sampark import ratelimit
from sampark.apischema import dumps
from sampark.calendars.api import router as calendars_router
from sampark.customers.api import router as customers_router
from sampark.db import configuration
from sampark.errors import DomainError
from sampark.notifications.api import router as notifications_router
from sampark.sla.api import router as sla_router
from sampark.team.api import router as team_router
from sampark.team.permissions import profile_of
from sampark.team.services import authenticate_token
from sampark.tickets.api import router as tickets_router
from sampark.tickets.config_api import router as ticket_config_router

_AUTH_FAILURES = ratelimit.parse_rate(f"{settings.SAMPARK_AUTH_FAILURES_PER_MINUTE}/m")
_API_RATE = ratelimit.parse_rate(settings.SAMPARK_API_RATE)


class TooManyRequests(Exception):
    pass


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


class AgentToken(HttpBearer):
    """A per-agent API token. Repeated failures from one address are slowed down (429)."""

    openapi_description = "A per-agent API token: `sampark token create --email you@example`."

    def __call__(self, request):
        address = _client_address(request)
        if ratelimit.seen("auth-fail", address, _AUTH_FAILURES) >= (_AUTH_FAILURES or (1, 0))[0]:
            raise TooManyRequests(_("Too many failed authentications; wait a minute."))
        user = super().__call__(request)
        if user is None:
            ratelimit.hit("auth-fail", address, _AUTH_FAILURES)
        elif not ratelimit.hit("api", str(user.pk), _API_RATE):
            raise TooManyRequests(_("Too many requests for this token; slow down."))
        return user

    def authenticate(self, request, token):
        # The configuration generation read to trust the token, which a view that writes
        # nothing before it reads configuration may carry on (configuration.snapshot).
        with configuration.snapshot() as reading:
            found = authenticate_token(token)
        request.configuration_reading = reading
        if found is None or profile_of(found.user) is None:
            return None
        request.user = found.user
        return found.user


class UnicodeJSONRenderer(JSONRenderer):
    """Devanagari goes out as UTF-8 text, not as \\u escapes; the same encoder as the hot
    read paths (sampark.apischema.dumps)."""

    def render(self, request, data, *, response_status):
        return dumps(data)


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {
            "anyOf": [
                {"type": "string"},
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "loc": {"type": "array", "items": {"type": "string"}},
                            "msg": {"type": "string"},
                            "type": {"type": "string"},
                        },
                    },
                },
            ]
        },
        "field": {"type": "string"},
    },
    "required": ["detail"],
}
ERROR_RESPONSES = {
    "400": "The body is not a JSON object, or the change is not possible as asked.",
    "401": "Missing or invalid API token.",
    "403": "The token's agent may not do this.",
    "404": "No such object at this path.",
    "409": "A conflict: the `version` sent is stale, or a name is already taken.",
    "413": "The request body is too large.",
    "422": "A value failed validation; `field` (or each `loc` in `detail`) names it.",
    "429": "Too many requests; try again after `Retry-After` seconds.",
}
WRITES = {"post", "put", "patch", "delete"}


class SamparkAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """The document, with the error responses every operation can give: ninja lists only
        the success codes a view declares, and the contract is the whole document."""
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                codes = ["401", "403", "429"]
                if "{" in path:
                    codes.append("404")
                if operation.get("parameters") or operation.get("requestBody"):
                    codes.append("422")
                if method in WRITES:
                    codes += ["400", "409"]
                if operation.get("requestBody"):
                    codes.append("413")
                responses = operation.setdefault("responses", {})
                for code in sorted(codes):
                    responses.setdefault(
                        code, {"description": ERROR_RESPONSES[code], "content": error}
                    )
        return schema


api = SamparkAPI(
    renderer=UnicodeJSONRenderer(),
    title="Sampark API",
    version="1",
    description=(
        "The help desk's REST API. Tickets are owned by a single point of contact; customers "
        "are one person across channels. Lists page with `next_cursor`; changes to a ticket "
        "carry the `version` you read, and a stale one gets 409."
    ),
    auth=AgentToken(),
    urls_namespace="api-v1",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    body = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request,
        {"detail": _("Missing or invalid API token. Send 'Authorization: Bearer <token>'.")},
        status=401,
    )


@api.exception_handler(TooManyRequests)
def too_many(request, exc):
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = "60"
    return response


# pydantic's messages are English only: the common ones, said in the request's language.
# ``type`` stays pydantic's, for programs; a type not listed keeps pydantic's message.
_MUST = {
    "missing": gettext_lazy("Field required"),
    "extra_forbidden": gettext_lazy("Unknown field"),
    "string_type": gettext_lazy("Must be text"),
    "string_too_short": gettext_lazy("Must be at least %(min_length)s characters long"),
    "string_too_long": gettext_lazy("Must be at most %(max_length)s characters long"),
    "int_type": gettext_lazy("Must be a whole number"),
    "int_parsing": gettext_lazy("Must be a whole number"),
    "int_from_float": gettext_lazy("Must be a whole number"),
    "float_type": gettext_lazy("Must be a number"),
    "float_parsing": gettext_lazy("Must be a number"),
    "bool_type": gettext_lazy("Must be true or false"),
    "bool_parsing": gettext_lazy("Must be true or false"),
    "greater_than_equal": gettext_lazy("Must be at least %(ge)s"),
    "greater_than": gettext_lazy("Must be greater than %(gt)s"),
    "less_than_equal": gettext_lazy("Must be at most %(le)s"),
    "less_than": gettext_lazy("Must be less than %(lt)s"),
    "literal_error": gettext_lazy("Must be one of: %(expected)s"),
    "enum": gettext_lazy("Must be one of: %(expected)s"),
    "list_type": gettext_lazy("Must be a list"),
    "too_short": gettext_lazy("Must have at least %(min_length)s items"),
    "too_long": gettext_lazy("Must have at most %(max_length)s items"),
    "dict_type": gettext_lazy("Must be an object"),
    "model_type": gettext_lazy("Must be an object"),
    "model_attributes_type": gettext_lazy("Must be an object"),
    "date_parsing": gettext_lazy("Must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": gettext_lazy("Must be a date (YYYY-MM-DD)"),
    "time_parsing": gettext_lazy("Must be a time (HH:MM)"),
    "datetime_parsing": gettext_lazy("Must be a date and time (RFC 3339)"),
    "datetime_from_date_parsing": gettext_lazy("Must be a date and time (RFC 3339)"),
}
_VALUE_ERROR = "Value error, "  # pydantic's prefix to a validator's own (translated) message


def validation_message(error: dict) -> str:
    """One pydantic error's message in the active language."""
    kind, message = error.get("type", ""), str(error.get("msg", ""))
    if kind == "value_error" and message.startswith(_VALUE_ERROR):
        return message[len(_VALUE_ERROR) :]
    template = _MUST.get(kind)
    if template is None:
        return message
    try:
        return str(template) % (error.get("ctx") or {})
    except (KeyError, TypeError, ValueError):
        return message


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    errors = [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": validation_message(error),
            "type": error.get("type", ""),
        }
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": errors}, status=422)


# ninja's own fixed messages, in the request's language.
_NINJA_MESSAGES = {"Cannot parse request body": gettext_lazy("The body is not valid JSON.")}


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    message = str(exc)
    message = str(_NINJA_MESSAGES.get(message, message))
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc):
    return api.create_response(request, {"detail": _("The request body is too large.")}, status=413)


api.add_router("", tickets_router)
api.add_router("", customers_router)
api.add_router("", team_router)
api.add_router("", ticket_config_router)
api.add_router("", calendars_router)
api.add_router("", sla_router)
api.add_router("", notifications_router)
