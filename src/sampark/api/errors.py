"""How the API answers when something is wrong: the error body, the statuses every operation
can give, and one handler per kind of failure, each saying what went wrong in the request's
language. Never a 500 for bad input."""

from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sampark.core.errors import DomainError


class TooManyRequests(Exception):
    """A rate limit refused the request (429, with Retry-After)."""


SCHEMA = {
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
RESPONSES = {
    "400": "The body is not a JSON object, or the change is not possible as asked.",
    "401": "Missing or invalid API token.",
    "403": "The token's agent may not do this.",
    "404": "No such object at this path.",
    "409": "A conflict: the `version` sent is stale, or a name is already taken.",
    "413": "The request body is too large.",
    "422": "A value failed validation; `field` (or each `loc` in `detail`) names it.",
    "429": "Too many requests; try again after `Retry-After` seconds.",
}


def domain_error(request, exc: DomainError):
    body = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return body, exc.status


def unauthenticated(request, exc):
    message = _("Missing or invalid API token. Send 'Authorization: Bearer <token>'.")
    return {"detail": message}, 401


def too_many(request, exc):
    return {"detail": str(exc)}, 429


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


def invalid(request, exc: ValidationError):
    errors = [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": validation_message(error),
            "type": error.get("type", ""),
        }
        for error in exc.errors
    ]
    return {"detail": errors}, 422


# ninja's own fixed messages, in the request's language.
_NINJA_MESSAGES = {"Cannot parse request body": gettext_lazy("The body is not valid JSON.")}


def http_error(request, exc: HttpError):
    message = str(exc)
    message = str(_NINJA_MESSAGES.get(message, message))
    return {"detail": message}, exc.status_code


def too_big(request, exc):
    return {"detail": _("The request body is too large.")}, 413


# Each handler gives the body and the status; install() makes the response.
HANDLERS = {
    DomainError: domain_error,
    AuthenticationError: unauthenticated,
    TooManyRequests: too_many,
    ValidationError: invalid,
    HttpError: http_error,
    RequestDataTooBig: too_big,
}
RETRY_AFTER_SECONDS = 60


def install(api) -> None:
    """Answer every failure on ``api`` through the handlers above."""
    for error_class, handler in HANDLERS.items():
        api.add_exception_handler(error_class, _answering(api, handler))


def _answering(api, handler):
    def answer(request, exc):
        body, status = handler(request, exc)
        response = api.create_response(request, body, status=status)
        if status == 429:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    return answer
