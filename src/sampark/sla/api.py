"""REST endpoints of the service-level app: per-ticket metrics."""

from ninja import Router, Schema

from sampark.apischema import PathId
from sampark.tickets.queries import get_ticket

from . import metrics

router = Router(tags=["service levels"])


class DurationOut(Schema):
    business_seconds: float | None
    calendar_seconds: float | None


class StatusTimeOut(Schema):
    business_seconds: float
    calendar_seconds: float


class MetricsOut(Schema):
    first_response: DurationOut
    resolution: DurationOut
    customer_updates: int
    customer_messages: int
    reopened: int
    time_in_status: dict[str, StatusTimeOut]
    handle_time_seconds: int
    handle_time_entries: int


@router.get("/tickets/{ticket_id}/metrics", response=MetricsOut, summary="A ticket's metrics")
def ticket_metrics(request, ticket_id: PathId):
    """First response, resolution, customer updates, time in each status and handle time,
    read from the event log, in business time (the group's calendar) and calendar time."""
    return metrics.ticket_metrics(get_ticket(ticket_id))
