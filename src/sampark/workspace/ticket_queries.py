"""What the ticket page reads: the ticket (only if the agent may see it), its timeline a page
at a time, the customer 360, the SLA countdowns, the agent's draft, and who else is on the
ticket right now (:func:`who_is_on`, which the queues use for their row markers too).

Each piece is one bounded query; the page's query count does not grow with its history
(tests/test_workspace_ticket.py asserts it)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Max, Q
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sampark.core import clock
from sampark.customers.models import Asset, Identity
from sampark.db import configuration
from sampark.db.prepared import Prepared
from sampark.mail import queries as deliveries
from sampark.routing import reasons
from sampark.team import queries as team
from sampark.team.models import AgentProfile, Group
from sampark.tickets import access
from sampark.tickets import queries as tickets
from sampark.tickets.models import Priority, Ticket, TicketEvent
from sampark.tickets.problems import problems_in

from . import mail_queries, ticket_words
from .models import Draft, TicketViewer
from .services.ticket_page import VIEWER_TTL

User = get_user_model()
Kind = TicketEvent.Kind

TIMELINE_SIZE = 50
OTHER_TICKETS = 5
# The timeline's filters: what each shows (None: everything).
TIMELINE_FILTERS: dict[str, tuple[str, ...] | None] = {
    "all": None,
    "messages": (Kind.MESSAGE_IN, Kind.MESSAGE_OUT),
    "notes": (Kind.NOTE,),
    "calls": (Kind.CALL,),
}
TIMELINE_LABELS = {
    "all": gettext_lazy("All"),
    "messages": gettext_lazy("Messages"),
    "notes": gettext_lazy("Notes"),
    "calls": gettext_lazy("Calls"),
}


def ticket_for(user, ticket_id: int) -> Ticket:
    """The ticket, ready to show, or the NotFound a missing one raises when ``user`` may not
    see it."""
    return tickets.get_ticket(ticket_id, scope=access.scope_of(user))


def timeline(ticket: Ticket, show: str = "all", cursor: str | None = None) -> tickets.Page:
    """The newest events (oldest of them first, as they read), or the page before ``cursor``."""
    page = tickets.ticket_events(
        ticket, kinds=TIMELINE_FILTERS.get(show), cursor=cursor, limit=TIMELINE_SIZE
    )
    page.items.reverse()
    mail_queries.with_mail(ticket_words.as_rows(page.items, ticket))
    deliveries.attach_deliveries(page.items)
    return page


def newest_event_id(ticket: Ticket) -> int:
    """The id of the ticket's latest event: what the page has shown, so that a later send can
    list the events that came after it."""
    history = TicketEvent.objects.filter(ticket_id__in=tickets.history_ticket_ids(ticket))
    return history.aggregate(newest=Max("id"))["newest"] or 0


def version_of(ticket_id: int) -> int:
    """The ticket's current version (0 when it is gone): the heartbeat's cheap staleness check."""
    return Ticket.objects.filter(pk=ticket_id).values_list("version", flat=True).first() or 0


def events_since(ticket: Ticket, event_id: int, limit: int = 20) -> list[TicketEvent]:
    """What happened on the ticket after the event ``event_id``, oldest first."""
    rows = TicketEvent.objects.filter(
        ticket_id__in=tickets.history_ticket_ids(ticket), id__gt=event_id
    ).select_related("actor", "contact")
    rows = mail_queries.with_mail(ticket_words.as_rows(list(rows.order_by("id")[:limit]), ticket))
    deliveries.attach_deliveries(rows)
    return rows


# --- one problem, one ticket -------------------------------------------------------------


@dataclass
class SplitSuggestion:
    """A customer message that holds several problems: the first stays on the ticket, each
    of the ``others`` may be split into a ticket of its own (``text``, and ``subject``: its
    first sentence);
    ``split_into``: numbers of tickets already split off from this message."""

    event: TicketEvent
    first: str
    others: list[dict]
    split_into: list[int]


_SENTENCE_END = re.compile(r"(?<=[.!?।])\s")


def _subject_of(problem: str) -> str:
    """A new ticket's subject from a problem's words: its first sentence, at most 120
    characters."""
    return Truncator(_SENTENCE_END.split(problem, maxsplit=1)[0]).chars(120)


def split_suggestions(events: list[TicketEvent]) -> list[SplitSuggestion]:
    """The customer messages among ``events`` (timeline rows, :func:`timeline`; not those of
    merged tickets) that clearly hold several
    problems (:func:`sampark.tickets.problems.problems_in`). Reads nothing: the page suggests,
    an agent splits."""
    split_off: dict[int, list[int]] = defaultdict(list)
    for event in events:
        if event.kind == Kind.SPLIT:
            for event_id in event.data.get("event_ids", ()):
                split_off[event_id].append(event.data.get("number"))
    found = []
    for event in events:
        if event.kind != Kind.MESSAGE_IN or event.merged:
            continue
        problems = problems_in(event.body)
        if problems:
            others = [{"text": p, "subject": _subject_of(p)} for p in problems[1:]]
            found.append(SplitSuggestion(event, problems[0], others, split_off.get(event.pk, [])))
    return found


# --- the customer 360 ---------------------------------------------------------------------


@dataclass
class Customer:
    """The requester, their organization and its account manager, the ways they reach us, their
    equipment, and their other tickets (only those the agent may see)."""

    identities: list[Identity]
    assets: list[Asset]
    account_manager: object | None
    other_tickets: list[Ticket]


_identities_of = Prepared(
    lambda contact: Identity.objects.filter(contact_id=contact).order_by("kind", "value")[:20],
    int,
)
_assets_of = Prepared(
    lambda contact, asset: Asset.objects.filter(Q(contact_id=contact) | Q(pk__in=asset)).order_by(
        "id"
    )[:10],
    int,
    Prepared.INTS,
)
_account_manager_of = Prepared(
    lambda organization: User.objects.filter(managed_organizations=organization).only(
        "first_name", "last_name", "email"
    )[:1],
    int,
)


def customer_of(ticket: Ticket, user) -> Customer:
    account_manager = None
    if ticket.organization_id is not None:
        account_manager = next(iter(_account_manager_of(ticket.organization_id)), None)
    asset = [ticket.asset_id] if ticket.asset_id is not None else []
    others = (
        access.visible(user, Ticket.objects.filter(requester_id=ticket.requester_id))
        .exclude(pk=ticket.pk)
        .only("number", "subject", "status", "channel", "language", "created_at")
        .order_by("-created_at", "-id")
    )
    return Customer(
        identities=_identities_of(ticket.requester_id),
        assets=_assets_of(ticket.requester_id, asset),
        account_manager=account_manager,
        other_tickets=list(others[:OTHER_TICKETS]),
    )


# --- why the ticket came here ------------------------------------------------------------


_opening_data = Prepared(
    lambda ticket: (
        TicketEvent.objects.filter(ticket_id=ticket, kind=Kind.CREATED)
        .order_by("id")
        .values_list("data", flat=True)[:1]
    ),
    int,
)


def why_here(ticket: Ticket) -> reasons.Explanation | None:
    """The routing decision and owner choice its opening event recorded, in words."""
    opening = next(iter(_opening_data(ticket.pk)), None)
    return reasons.explain(opening)


# --- SLA countdowns -----------------------------------------------------------------------

SLA_TARGETS = (
    ("first_response", gettext_lazy("First response")),
    ("next_response", gettext_lazy("Next response")),
    ("resolution", gettext_lazy("Resolution")),
    ("next_update", gettext_lazy("Customer update")),
)


@dataclass
class Countdown:
    """One SLA clock as the header shows it. ``state``: met, paused, breached, warning (past
    the policy's warning point) or on_track; the browser ticks ``due`` and ``warn_at``."""

    target: str
    label: str
    state: str
    due: datetime | None = None
    warn_at: datetime | None = None
    met_at: datetime | None = None
    text: str = field(default="")


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def duration_words(seconds: float) -> str:
    """A span as the countdown writes it: "2 d 3 h", "1 h 20 min", "5 min"."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    return _("%(m)s min") % {"m": minutes}


def countdown_words() -> dict[str, str]:
    """The words the browser needs to tick the countdowns, in the page's language."""
    return {
        "due_in": _("due in %(time)s"),
        "overdue": _("overdue by %(time)s"),
        "days": _("%(d)s d %(h)s h"),
        "hours": _("%(h)s h %(m)s min"),
        "minutes": _("%(m)s min"),
        "warning": _("at risk"),
    }


def countdowns(ticket: Ticket, now: datetime | None = None) -> list[Countdown]:
    """The ticket's SLA clocks that have a target, from the clocks the SLA app keeps."""
    now = now or clock.now()
    row = getattr(ticket, "sla_clock", None)
    clocks = row.clocks if row is not None else {}
    shown = []
    for target, label in SLA_TARGETS:
        stored = clocks.get(target) or {}
        due, met_at = _moment(stored.get("due")), _moment(stored.get("met_at"))
        if due is None and met_at is None:
            continue
        countdown = Countdown(
            target, str(label), "on_track", due=due, warn_at=_moment(stored.get("warn_at"))
        )
        countdown.met_at = met_at
        if met_at is not None:
            countdown.state, countdown.text = "met", _("met")
        elif stored.get("paused"):
            countdown.state, countdown.text = "paused", _("paused")
        elif stored.get("breached") or due <= now:
            countdown.state = "breached"
            countdown.text = _("overdue by %(time)s") % {
                "time": duration_words((now - due).total_seconds())
            }
        else:
            if countdown.warn_at is not None and countdown.warn_at <= now:
                countdown.state = "warning"
            countdown.text = _("due in %(time)s") % {
                "time": duration_words((due - now).total_seconds())
            }
        shown.append(countdown)
    return shown


# --- who else is on the ticket ------------------------------------------------------------


_viewers = Prepared(
    lambda ids, since, excluding: (
        TicketViewer.objects.filter(ticket_id__in=ids, seen_at__gte=since)
        .exclude(user_id=excluding)
        .select_related("user")
        .only("ticket_id", "state", "user__first_name", "user__last_name", "user__email")
        .order_by("ticket_id", "state", "user_id")  # "replying" sorts before "viewing"
    ),
    Prepared.INTS,
    datetime,
    Prepared.INT32,
)


def who_is_on(ticket_ids, *, excluding=None) -> dict[int, list[tuple[object, str]]]:
    """``{ticket_id: [(user, "viewing" | "replying")]}`` for the agents whose ticket page beat
    within the last half minute (replying first); ``excluding``: leave this user out (oneself).
    One query for any number of tickets, so a queue can mark its rows."""
    ids = list(ticket_ids)
    if not ids:
        return {}
    # No user has the id 0: leaving it out leaves everyone in.
    rows = _viewers(ids, clock.now() - VIEWER_TTL, excluding.pk if excluding is not None else 0)
    found: dict[int, list[tuple[object, str]]] = defaultdict(list)
    for row in rows:
        found[row.ticket_id].append((row.user, row.state))
    return dict(found)


# --- the agent's own things ---------------------------------------------------------------


_draft_of = Prepared(
    lambda ticket, user: Draft.objects.filter(
        Q(ticket_id=ticket) | Q(ticket__merged_into_id=ticket), user_id=user
    ).order_by("-updated_at", "-id")[:1],
    int,
    Prepared.INT32,
)


def draft_for(user, ticket: Ticket) -> Draft | None:
    """The agent's draft on this ticket, or one brought along from a ticket merged into it."""
    return next(iter(_draft_of(ticket.pk, user.pk)), None)


# --- what the action forms offer ----------------------------------------------------------
# Configuration, kept per process while its generation holds (``sampark.db.configuration``):
# shared by every request, so read-only, hence tuples.


@configuration.cached
def groups() -> tuple[Group, ...]:
    """Every group, by tier and name: where a ticket may be escalated, whom a request for
    help may ask."""
    return tuple(
        Group.objects.only("name", "name_hi", "tier", "escalates_to_id").order_by("tier", "name")
    )


def next_in_chain(ticket: Ticket, groups: list[Group]) -> Group | None:
    """The group an escalation with no group chosen goes to, as the escalation service
    decides (the group's escalation group, else the first of the next tier), worked out from
    ``groups`` (all of them, in tier order) without a query."""
    higher = [group for group in groups if group.tier > ticket.tier]
    own = next((group for group in groups if group.pk == ticket.group_id), None)
    target = own.escalates_to_id if own is not None else None
    configured = next((group for group in higher if group.pk == target), None)
    return configured or (higher[0] if higher else None)


@configuration.cached
def agent_choices() -> tuple[tuple[int, str], ...]:
    """The active agents by name, as (id, name escaped for HTML): the people a ticket can go
    to or pull in. The ticket page draws up to four option lists of them, each as long as the
    team, from these, without a template tag per option."""
    agents = team.active_agents().only("first_name", "last_name", "email")
    return tuple((agent.pk, escape(ticket_words.person(agent))) for agent in agents)


@configuration.cached
def priorities() -> tuple[Priority, ...]:
    return tuple(Priority.objects.order_by("rank"))


def visible_ticket_id(user, number: int) -> int | None:
    """The id of the ticket with this number, when ``user`` may see it."""
    rows = access.visible(user, Ticket.objects.filter(number=number))
    return rows.values_list("id", flat=True).first()


def is_agent(user_id: int) -> bool:
    return AgentProfile.objects.filter(user_id=user_id, user__is_active=True).exists()


def email_of(event: TicketEvent):
    """The email a public reply sent or is holding (None when it sent none)."""
    return deliveries.email_of(event.pk)
