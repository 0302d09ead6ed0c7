"""The REST API v1: authentication, rate limits, error mapping and the routers of each app.

Every endpoint needs ``Authorization: Bearer <token>`` of an active agent. Errors are JSON
``{"detail": ..., "field"?: ...}`` with 400/401/403/404/409/413/422/429, never a 500 for bad
input.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from sampark.api import errors, ratelimit
from sampark.api.schema import dumps
from sampark.assignment.api import router as assignment_router
from sampark.calendars.api import router as calendars_router
from sampark.customers.api import router as customers_router
from sampark.db import configuration
from sampark.mail.api import router as mail_router
from sampark.mail.delivery_api import router as delivery_router
from sampark.notifications.api import router as notifications_router
from sampark.routing.api import router as routing_router
from sampark.sla.api import router as sla_router
from sampark.team.api import router as team_router
from sampark.team.permissions import profile_of
from sampark.team.services import authenticate_token
from sampark.tickets import access
from sampark.tickets.api import router as tickets_router
from sampark.tickets.config_api import router as ticket_config_router
from sampark.tickets.escalation_api import router as escalation_router

_AUTH_FAILURES = ratelimit.parse_rate(f"{settings.SAMPARK_AUTH_FAILURES_PER_MINUTE}/m")
_API_RATE = ratelimit.parse_rate(settings.SAMPARK_API_RATE)


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


class AgentToken(HttpBearer):
    """A per-agent API token. Repeated failures from one address are slowed down (429).

    The failures are counted, and looked at, only when a token fails: a good token costs no
    read of the count (one round trip less per request on PostgreSQL), and a guesser over the
    limit gets 429 for every further guess whatever it is. A token is 256 random bits, so
    the limit guards the server's time, not the tokens."""

    openapi_description = "A per-agent API token: `sampark token create --email you@example`."

    def __call__(self, request):
        user = super().__call__(request)
        if user is None:
            if not ratelimit.hit("auth-fail", _client_address(request), _AUTH_FAILURES):
                raise errors.TooManyRequests(_("Too many failed authentications; wait a minute."))
        elif not ratelimit.hit("api", str(user.pk), _API_RATE):
            raise errors.TooManyRequests(_("Too many requests for this token; slow down."))
        return user

    def authenticate(self, request, token):
        # The configuration generation read to trust the token, which a view that writes
        # nothing before it reads configuration may carry on (configuration.snapshot).
        with configuration.snapshot() as reading:
            found = authenticate_token(token)
            if found is not None:
                # Under the same reading: the agent's groups cost no query of their own.
                access.attach_scope(found.user)
        request.configuration_reading = reading
        if found is None or profile_of(found.user) is None:
            return None
        request.user = found.user
        return found.user


class UnicodeJSONRenderer(JSONRenderer):
    """Devanagari goes out as UTF-8 text, not as \\u escapes; the same encoder as the hot
    read paths (sampark.api.schema.dumps)."""

    def render(self, request, data, *, response_status):
        return dumps(data)


WRITES = {"post", "put", "patch", "delete"}


class SamparkAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """Plain verbs named after the view (``create_ticket``, ``list_tickets``), so generated
        clients read well. They are part of the contract: tests/test_openapi_client.py pins
        them, and a rename is a breaking change."""
        return operation.view_func.__name__

    def get_openapi_schema(self, **kwargs):
        """The document, with the error responses every operation can give: ninja lists only
        the success codes a view declares, and the contract is the whole document."""
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = errors.SCHEMA
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
                        code, {"description": errors.RESPONSES[code], "content": error}
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


errors.install(api)

# Before the tickets: its /tickets/take-next must not be read as /tickets/{ticket_id}.
api.add_router("", assignment_router)
api.add_router("", tickets_router)
api.add_router("", customers_router)
api.add_router("", team_router)
api.add_router("", ticket_config_router)
api.add_router("", escalation_router)
api.add_router("", calendars_router)
api.add_router("", sla_router)
api.add_router("", notifications_router)
api.add_router("", routing_router)
api.add_router("", mail_router)
api.add_router("", delivery_router)
