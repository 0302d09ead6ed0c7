"""The small steps every ticket service takes: lock the ticket at the version the caller read,
append the events that explain a change, save the ticket as a new version, and check input.

Private to the package: the services in the modules beside it are the public doors."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sampark.core import clock, events
from sampark.core.errors import (
    InvalidInput,
    StaleVersion,
)
from sampark.db.prepared import Prepared
from sampark.notifications.services import notify
from sampark.team.permissions import profile_of

from .. import access
from ..models import (
    Channel,
    Tag,
    Ticket,
    TicketEvent,
    tag_name,
)

MAX_TAGS = 20


def _require_agent(user, *, field: str = "owner"):
    if user is None or profile_of(user) is None:
        raise InvalidInput(_("Only active agents can own or work on tickets."), field=field)
    return user


def _is_supervisor(user) -> bool:
    profile = profile_of(user)
    return profile is not None and profile.is_supervisor


# Every change to a ticket starts here: compiled once per connection.
_locked = Prepared(
    lambda pk: (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("priority", "requester", "owner", "group")
        .filter(pk=pk)[:1]
    ),
    int,
)


def _lock(ticket_id: int, expected_version: int | None = None, *, actor=None) -> Ticket:
    """The ticket, locked for this transaction, at the version the caller read.

    With an ``actor`` (an agent acting, not the system), a ticket outside the actor's scope
    answers exactly like a missing one, before its version is compared: a stale-version
    conflict would tell that the ticket exists. What the actor may then do with it is asked of
    :mod:`sampark.tickets.access` by each service."""
    ticket = next(iter(_locked(ticket_id)), None)
    if ticket is None or (actor is not None and not access.can_see(actor, ticket)):
        raise access.ticket_not_found()
    if expected_version is not None and ticket.version != expected_version:
        raise StaleVersion(ticket.version)
    return ticket


def _save(ticket: Ticket, fields: set[str] | list[str], now=None) -> None:
    ticket.version += 1
    ticket.updated_at = now or clock.now()
    ticket.save(update_fields=[*set(fields), "version", "updated_at"])


def _event(
    ticket: Ticket,
    kind: str,
    *,
    channel: str,
    actor=None,
    contact=None,
    body: str = "",
    public: bool = False,
    data: dict | None = None,
    time_spent: int | None = None,
    at=None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        contact=contact,
        channel=channel,
        body=body,
        public=public,
        data=data or {},
        time_spent=time_spent,
        created_at=at or clock.now(),
    )


def _thread_note(
    ticket: Ticket,
    *,
    actor,
    body: str,
    data: dict,
    notice: str,
    kind: str,
    channel: str = Channel.AGENT,
    time_spent: int | None = None,
) -> TicketEvent:
    """An internal note in one of the ticket's own threads (an escalation's, a request for
    help's, written there or in the ticket's composer): a note on the timeline whose ``data``
    names the thread, so the timeline keeps the whole story. The owner hears of it
    (``notice``, a notification of ``kind``) unless the owner wrote it. Inside the caller's
    transaction, with the ticket locked."""
    now = clock.now()
    note = _event(
        ticket,
        TicketEvent.Kind.NOTE,
        channel=channel,
        actor=actor,
        body=body,
        data=data,
        time_spent=time_spent,
        at=now,
    )
    _save(ticket, set(), now)
    if ticket.owner_id is not None and ticket.owner_id != actor.pk:
        notify([ticket.owner], kind=kind, title=notice, body=body[:500], ticket=ticket)
    events.publish("ticket_message", ticket_id=ticket.pk, event_id=note.pk, kind=note.kind)
    return note


def _agent_ref(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.email, "email": user.email}


def normalise_tags(tags) -> list[str]:
    if not isinstance(tags, list | tuple):
        raise InvalidInput(_("Tags must be a list of words."), field="tags")
    clean = []
    for tag in tags:
        if not isinstance(tag, str):
            raise InvalidInput(_("Tags must be a list of words."), field="tags")
        name = tag_name(tag)
        if not name or len(name) > 50:
            raise InvalidInput(_("Each tag must be 1 to 50 characters long."), field="tags")
        if name not in clean:
            clean.append(name)
    if len(clean) > MAX_TAGS:
        raise InvalidInput(
            _("A ticket can have at most %(n)d tags.") % {"n": MAX_TAGS}, field="tags"
        )
    return clean


def _set_tags(ticket: Ticket, names: list[str]) -> None:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in names if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    ticket.tags.set([existing[n] for n in names])


def _check_choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise InvalidInput(
            _("%(field)s must be one of: %(choices)s.")
            % {"field": field, "choices": ", ".join(choices.values)},
            field=field,
        )
    return value


def _check_time_spent(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 86400:
        raise InvalidInput(_("Time spent must be 0 to 86400 seconds."), field="time_spent")
    return value


def _check_text(value: str, field: str, max_length: int, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidInput(_("%(field)s must be text.") % {"field": field}, field=field)
    value = value.strip()
    if required and not value:
        raise InvalidInput(_("%(field)s is required.") % {"field": field}, field=field)
    if len(value) > max_length:
        raise InvalidInput(
            _("%(field)s is longer than %(n)d characters.") % {"field": field, "n": max_length},
            field=field,
        )
    return value
