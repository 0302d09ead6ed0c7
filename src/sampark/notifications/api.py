"""An agent's own notifications: SLA warnings and breaches, customer updates due. A
notification about a ticket that has since left the agent's scope (handed over, moved to
another group) is gone with it: it named the ticket and its subject."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema

from sampark.api.pagination import decode_cursor, encode_cursor
from sampark.api.schema import Limit, PathId, Text
from sampark.core.errors import NotFound
from sampark.tickets import access

from . import services
from .models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    ticket: int | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None


def _inbox(user):
    """The user's notifications that they may still see."""
    rows = Notification.objects.filter(recipient=user)
    return access.visible(user, rows, via="ticket", optional=True)


def notification_out(row: Notification) -> dict:
    return {
        "id": row.pk,
        "kind": row.kind,
        "title": row.title,
        "body": row.body,
        "ticket": row.ticket_id,
        "created_at": row.created_at,
        "read_at": row.read_at,
    }


@router.get("/notifications", response=NotificationPage, summary="My notifications")
def list_notifications(
    request, unread: bool = False, cursor: Text(500) | None = None, limit: Limit = 50
):
    """The caller's own notifications, newest first. Nobody sees anyone else's."""
    rows = _inbox(request.auth).order_by("-id")
    if unread:
        rows = rows.filter(read_at__isnull=True)
    if cursor:
        rows = rows.filter(id__lt=decode_cursor(cursor, int)[0])
    items = list(rows[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return {
        "items": [notification_out(n) for n in items],
        "next_cursor": encode_cursor(items[-1].pk) if more else None,
    }


@router.post(
    "/notifications/{notification_id}/read",
    response=NotificationOut,
    summary="Mark a notification read",
)
def mark_notification_read(request, notification_id: PathId):
    row = _inbox(request.auth).filter(pk=notification_id).first()
    if row is None:
        raise NotFound(_("Notification not found."))
    services.mark_read(row)
    return notification_out(row)
