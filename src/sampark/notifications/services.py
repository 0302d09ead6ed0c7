"""Sending notifications to agents. Rows are written in the caller's transaction; real-time
push and chat-tool delivery subscribe to the ``notification`` domain event after commit."""

from django.db import transaction

from sampark.core import clock, events

from .models import Notification


@transaction.atomic
def notify(recipients, *, kind: str, title: str, body: str = "", ticket=None) -> list[Notification]:
    return notify_many([(recipients, kind, title, body, ticket)])


@transaction.atomic
def notify_many(notices, *, at=None) -> list[Notification]:
    """Several notifications in one insert: ``notices`` holds ``(recipients, kind, title, body,
    ticket)`` tuples; each recipient gets one row per notice (inactive users and None are
    skipped, and so is a user named twice in one notice)."""
    now = at or clock.now()
    pending = []
    for recipients, kind, title, body, ticket in notices:
        unique = {user.pk: user for user in recipients if user is not None and user.is_active}
        pending.extend(
            Notification(
                recipient=user,
                ticket=ticket,
                kind=kind,
                title=title[:200],
                body=body,
                created_at=now,
            )
            for user in unique.values()
        )
    rows = Notification.objects.bulk_create(pending) if pending else []
    for row in rows:
        events.publish("notification", notification_id=row.pk, recipient_id=row.recipient_id)
    return rows


@transaction.atomic
def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])
