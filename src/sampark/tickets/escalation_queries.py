"""What escalation and swarming read: a ticket's escalation work items and swarms with their
internal threads, the open escalations of a group, and an agent's requests for help. Each is a
fixed number of queries whatever the number of rows (tests assert it)."""

from __future__ import annotations

from django.db.models import Prefetch

from sampark.db.prepared import Prepared

from . import access
from .models import ACTIVE_STATUSES, Escalation, SwarmInvitation, SwarmRequest, Ticket, TicketEvent

MAX_LISTED = 100


def _threads(ticket: Ticket, key: str) -> dict[int, list[TicketEvent]]:
    """The ticket's notes that name an escalation or a swarm (``key``), by its id."""
    notes = (
        TicketEvent.objects.filter(ticket_id=ticket.pk, kind=TicketEvent.Kind.NOTE)
        .filter(data__has_key=key)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    threads: dict[int, list[TicketEvent]] = {}
    for note in notes[:500]:
        threads.setdefault(note.data.get(key), []).append(note)
    return threads


def _escalations_of(ticket_id: int, *, open_only: bool):
    rows = Escalation.objects.filter(ticket_id=ticket_id).select_related(
        "from_group", "to_group", "raised_by", "assignee", "closed_by"
    )
    if open_only:
        rows = rows.filter(closed_at__isnull=True)
    return rows.order_by("opened_at", "id")[:MAX_LISTED]


def _swarms_of(ticket_id: int, *, open_only: bool):
    rows = (
        SwarmRequest.objects.filter(ticket_id=ticket_id)
        .select_related("requested_by", "group", "closed_by")
        .prefetch_related(
            Prefetch(
                "invitations",
                queryset=SwarmInvitation.objects.select_related("agent").order_by("id"),
            )
        )
    )
    if open_only:
        rows = rows.filter(closed_at__isnull=True)
    return rows.order_by("opened_at", "id")[:MAX_LISTED]


# Every ticket page asks for both: compiled once per connection.
_escalations = Prepared(_escalations_of, int)
_swarms = Prepared(_swarms_of, int)


def _with_threads(ticket: Ticket, found: list, key: str) -> list:
    """``found`` (the ticket's escalations or swarms), each with ``thread``: its notes."""
    threads = _threads(ticket, key) if found else {}
    for item in found:
        item.thread = threads.get(item.pk, [])
    return found


def ticket_escalations(ticket: Ticket, *, open_only: bool = False) -> list[Escalation]:
    """The ticket's escalations, oldest first, each with ``thread`` (its notes)."""
    return _with_threads(ticket, _escalations(ticket.pk, open_only=open_only), "escalation")


def ticket_swarms(ticket: Ticket, *, open_only: bool = False) -> list[SwarmRequest]:
    """The ticket's requests for help, oldest first, with their invitations and ``thread``."""
    return _with_threads(ticket, _swarms(ticket.pk, open_only=open_only), "swarm")


def swarm(swarm_id: int, who) -> SwarmRequest | None:
    """A request for help as someone who sees its ticket or was asked to help reads it."""
    found = (
        SwarmRequest.objects.filter(pk=swarm_id)
        .select_related("ticket", "requested_by", "group", "closed_by")
        .prefetch_related(
            Prefetch(
                "invitations",
                queryset=SwarmInvitation.objects.select_related("agent").order_by("id"),
            )
        )
        .first()
    )
    if found is None:
        return None
    scope = access.scope_of(who)
    asked = any(i.agent_id == getattr(scope, "user_id", None) for i in found.invitations.all())
    if not asked and not access.can_see(scope, found.ticket):
        return None
    found.thread = _threads(found.ticket, "swarm").get(found.pk, []) if not asked else []
    return found


def swarm_requests_for(user, *, limit: int = MAX_LISTED) -> list[SwarmInvitation]:
    """The open requests for help this agent was asked to and has not answered, newest
    first: the ticket's number, subject and priority, who asks and why."""
    rows = (
        waiting_for(user)
        .select_related(
            "swarm__requested_by", "swarm__group", "swarm__ticket__priority", "swarm__ticket__group"
        )
        .order_by("-swarm__opened_at", "-id")
    )
    return list(rows[:limit])


def waiting_for(user):
    """The agent's unanswered invitations to open requests on active tickets."""
    return waiting_for_agent(user.pk)


def waiting_for_agent(user_id: int):
    """:func:`waiting_for` by the agent's user id."""
    return SwarmInvitation.objects.filter(
        agent_id=user_id,
        state=SwarmInvitation.State.INVITED,
        swarm__closed_at__isnull=True,
        swarm__ticket__status__in=ACTIVE_STATUSES,
    )


def swarm_request_count(user) -> int:
    return waiting_for(user).count()


def open_escalations(who, group_ids, *, limit: int = MAX_LISTED) -> list[Escalation]:
    """The open escalations to these groups on active tickets ``who`` may see, nearest due
    first."""
    rows = Escalation.objects.filter(closed_at__isnull=True, to_group_id__in=list(group_ids))
    rows = access.visible(who, rows, via="ticket").filter(ticket__status__in=ACTIVE_STATUSES)
    rows = rows.select_related("ticket__priority", "ticket__owner", "to_group", "assignee")
    return list(rows.order_by("due_at", "id")[:limit])


def escalations_due(ticket_ids, group_ids) -> dict[int, Escalation]:
    """For each of these tickets, its open escalation to one of ``group_ids`` that is due
    first (with ``due_at`` and ``warn_at`` only): one query for a page of a queue. The
    tickets are ones the caller may already see."""
    rows = (
        Escalation.objects.filter(
            ticket_id__in=list(ticket_ids), to_group_id__in=list(group_ids), closed_at__isnull=True
        )
        .only("ticket_id", "due_at", "warn_at")
        .order_by("-due_at", "-id")
    )
    # Latest due first, so that each ticket keeps its earliest.
    return {item.ticket_id: item for item in rows} if ticket_ids and group_ids else {}


def escalation(escalation_id: int, who) -> Escalation | None:
    """One escalation with its thread, when ``who`` may see its ticket."""
    found = (
        Escalation.objects.filter(pk=escalation_id)
        .select_related("ticket", "from_group", "to_group", "raised_by", "assignee", "closed_by")
        .first()
    )
    if found is None or not access.can_see(who, found.ticket):
        return None
    found.thread = _threads(found.ticket, "escalation").get(found.pk, [])
    return found
