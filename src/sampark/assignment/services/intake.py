"""Who a new ticket goes to, decided inside the transaction that opens it.

In order:

1. the single point of contact (SPOC): the account manager of the contact's organization,
   else the owner of the contact's active ticket or of one solved within
   SAMPARK_SPOC_WINDOW_DAYS. An SPOC on leave stands aside for their delegate. The SPOC (or
   delegate) takes the ticket when online with room under their capacity;
2. a busy SPOC (away, offline or at capacity): the ticket waits for them up to the group's
   ``spoc_wait_minutes`` (a :class:`Reservation`), unowned in the group's queue, and goes to
   them when they are back (``taking.settle_waiting``), else to step 3 when the wait is over;
3. the group's strategy: among its online agents not on leave and under capacity, those with
   every routed skill (when the strategy requires them), preferring those who speak the
   ticket's language, the least loaded (active tickets against capacity) or the next in turn
   (round robin); with the ``queue`` method nobody, and agents take the ticket with "Take next".

Load is read inside the transaction that assigns, after locking the chosen agent's profile
row (``SELECT ... FOR UPDATE``; on SQLite the write lock is the database's): two concurrent
assignments to one agent take turns, and the second counts the first's ticket, so no agent
goes over capacity. Strategies and leaves are configuration, read once per generation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from sampark.core import clock
from sampark.customers.models import Contact
from sampark.db import configuration
from sampark.db.prepared import Prepared
from sampark.team.models import AgentProfile
from sampark.team.permissions import profile_of
from sampark.tickets.models import ACTIVE_STATUSES, Ticket

from ..models import Handover, Leave, Reservation, RoundRobinTurn, Strategy

User = get_user_model()
Method = Strategy.Method
ONLINE = AgentProfile.Presence.ONLINE
# Languages an agent must speak to answer a ticket written in each: Hinglish is Hindi in
# Latin letters; a mixed message needs both.
SPOKEN = {"hi": {"hi"}, "en": {"en"}, "hinglish": {"hi"}, "mixed": {"hi", "en"}}
DEFAULT_STRATEGY = Strategy(method=Method.QUEUE, spoc_wait_minutes=0)
# Chosen agents whose room vanished between the candidates' read and the lock: try this many.
MAX_CLAIMS = 5


@dataclass(frozen=True)
class Choice:
    """Who a new ticket goes to and why (``reason``, recorded on its opening event).

    ``owner`` None: the ticket waits in the group's queue, for ``waiting_for`` until
    ``waiting_until`` when that is set. ``leave``: the owner (or the agent waited for) is a
    delegate standing in during this leave, with its ``handover_note``, and the ticket goes
    back with the agent's other customers."""

    owner: Any
    reason: str
    waiting_for: Any = None
    waiting_until: datetime | None = None
    leave: int | None = None
    handover_note: str = ""


@dataclass(frozen=True)
class Candidate:
    """An agent as the strategy weighs them: read in one query for the whole group."""

    user_id: int
    capacity: int
    load: int
    skills: frozenset[str]
    languages: frozenset[str]

    @property
    def has_room(self) -> bool:
        return self.load < self.capacity


# --- configuration --------------------------------------------------------------------------


@configuration.cached
def _strategies() -> dict[int, Strategy]:
    return {s.group_id: s for s in Strategy.objects.all()}


def strategy_of(group_id: int | None) -> Strategy:
    """The group's strategy; a group without one queues its tickets for "Take next"."""
    return _strategies().get(group_id, DEFAULT_STRATEGY)


class Away(NamedTuple):
    """An agent's leave as intake reads it."""

    leave: int
    delegate: int
    note: str  # the handover note


@configuration.cached
def _leaves() -> dict[int, Away]:
    """Agents on leave now, by user id."""
    rows = Leave.objects.filter(state=Leave.State.ON_LEAVE).values_list(
        "agent_id", "pk", "delegate_id", "note"
    )
    return {agent: Away(leave, delegate, note) for agent, leave, delegate, note in rows}


def on_leave(user_id: int) -> Away | None:
    """The agent's leave when they are on leave now, else None."""
    return _leaves().get(user_id)


# --- the single point of contact --------------------------------------------------------


def sticky_owner(contact: Contact, *, has_tickets: bool = True) -> tuple[Any, str]:
    """The contact's single point of contact and why: the organization's account manager,
    else the owner of the contact's active ticket or of one solved within
    SAMPARK_SPOC_WINDOW_DAYS (the most recently updated); else (None, "queue").
    ``has_tickets=False`` (a contact created a moment ago) skips looking for earlier tickets.
    Whether they can take the ticket now is :func:`choose_owner`'s question."""
    organization = contact.organization
    if organization is not None and organization.account_manager_id:
        manager = organization.account_manager
        if manager.is_active and profile_of(manager) is not None:
            return manager, "account_manager"
    if not has_tickets:
        return None, "queue"
    since = clock.now() - timedelta(days=settings.SAMPARK_SPOC_WINDOW_DAYS)
    recent = _owner_of_active(contact.pk) or _owner_of_solved(contact.pk, since)
    if recent:
        return recent[0].owner, "returning_customer"
    return None, "queue"


def _owned_tickets_of(contact_id: int):
    return Ticket.objects.filter(
        requester_id=contact_id,
        owner__isnull=False,
        owner__is_active=True,
        merged_into__isnull=True,
    ).select_related("owner")


_owner_of_active = Prepared(
    lambda contact_id: (
        _owned_tickets_of(contact_id)
        .filter(status__in=ACTIVE_STATUSES)
        .order_by("-updated_at", "-id")[:1]
    ),
    int,
)
_owner_of_solved = Prepared(
    lambda contact_id, since: (
        _owned_tickets_of(contact_id).filter(solved_at__gte=since).order_by("-solved_at", "-id")[:1]
    ),
    int,
    datetime,
)


# --- load and the lock ----------------------------------------------------------------------


def _active_count():
    """Active tickets owned by the outer row's user, as a subquery."""
    owned = (
        Ticket.objects.filter(owner_id=OuterRef("user_id"), status__in=ACTIVE_STATUSES)
        .order_by()
        .values("owner_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(owned, output_field=IntegerField()), Value(0))


def load_of(user_ids: Iterable[int]) -> dict[int, int]:
    """Active tickets owned by each agent (0 for none): one query."""
    ids = sorted(set(user_ids))
    counted = (
        Ticket.objects.filter(owner_id__in=ids, status__in=ACTIVE_STATUSES)
        .order_by()
        .values_list("owner_id")
        .annotate(n=Count("pk"))
    )
    return {user_id: 0 for user_id in ids} | dict(counted)


class _NoRoom(Exception):
    """A claim refused: rolls its savepoint back, and so releases the lock it took."""


def claim(user_id: int) -> bool:
    """Lock the agent's profile for this transaction and say whether they can take one more
    ticket now: active, online, not on leave, and under capacity. The load is counted after
    the lock, in a statement of its own, so it includes the tickets of any assignment that
    held the lock before (READ COMMITTED takes a new snapshot for each statement).

    The claim runs in a savepoint: a refused claim rolls it back, which releases the lock.
    A transaction so holds at most one agent's lock, taken last (the agent it assigns), and
    two assignments never wait for each other's agents (a deadlock)."""
    try:
        with transaction.atomic():
            if not _has_room(user_id):
                raise _NoRoom
    except _NoRoom:
        return False
    return True


def _has_room(user_id: int) -> bool:
    row = (
        AgentProfile.objects.select_for_update(of=("self",))
        .filter(user_id=user_id, user__is_active=True)
        .order_by()
        .values_list("presence", "capacity")
        .first()
    )
    if row is None or row[0] != ONLINE or on_leave(user_id) is not None:
        return False
    return Ticket.objects.filter(owner_id=user_id, status__in=ACTIVE_STATUSES).count() < row[1]


# --- the strategy -------------------------------------------------------------------------


@configuration.keyed(size=1024)
def _roster(group_id: int) -> tuple[tuple[int, int, frozenset[str], frozenset[str]], ...]:
    """The group's active agents as configuration keeps them: (user id, capacity, skills,
    languages), read once per generation (agent profiles and users move it)."""
    rows = (
        AgentProfile.objects.filter(groups=group_id, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", "capacity", "skills", "languages")
    )
    return tuple(
        (user, capacity, frozenset(skills or ()), frozenset(languages or ()))
        for user, capacity, skills, languages in rows
    )


def candidates(group_id: int, *, excluded: Iterable[int] = ()) -> list[Candidate]:
    """The group's agents who could take a ticket now (online, active, not on leave), with
    their load. The roster comes from the per-process configuration; presence and load, which
    move all day, are one query for the group's agents, whatever their number."""
    away = set(excluded) | set(_leaves())
    roster = {row[0]: row for row in _roster(group_id) if row[0] not in away}
    if not roster:
        return []
    online = (
        AgentProfile.objects.filter(user_id__in=sorted(roster), presence=ONLINE)
        .order_by()
        .annotate(load=_active_count())
        .values_list("user_id", "load")
    )
    return [
        Candidate(user, roster[user][1], load, roster[user][2], roster[user][3])
        for user, load in online
    ]


def rank(
    pool: Sequence[Candidate],
    *,
    method: str,
    skills: Iterable[str] = (),
    language: str = "",
    match_skills: bool = True,
    match_language: bool = True,
    last_agent: int | None = None,
) -> list[int]:
    """The user ids worth trying, best first: in memory, no query (what the routing
    benchmark times). Agents without room are out; with ``match_skills``, so are those
    lacking a routed skill; with ``match_language``, those who speak the ticket's language
    come first when there are any. Then the least loaded (load against capacity), or, for
    round robin, the agents after ``last_agent`` in id order, wrapping round."""
    pool = [c for c in pool if c.has_room]
    needed = frozenset(skills)
    if match_skills and needed:
        pool = [c for c in pool if needed <= c.skills]
    spoken = SPOKEN.get(language)
    if match_language and spoken:
        speakers = [c for c in pool if spoken <= c.languages]
        pool = speakers or pool
    if method == Method.ROUND_ROBIN:
        ids = sorted(c.user_id for c in pool)
        after = [i for i in ids if last_agent is not None and i > last_agent]
        return after + [i for i in ids if i not in after]
    pool.sort(key=lambda c: (c.load / c.capacity, c.load, c.user_id))
    return [c.user_id for c in pool]


def _turn(group_id: int) -> RoundRobinTurn:
    """The group's round-robin turn, locked: concurrent round-robin assignments in one group
    take turns here."""
    locked = RoundRobinTurn.objects.select_for_update().filter(group_id=group_id)
    turn = locked.first()
    if turn is None:
        RoundRobinTurn.objects.bulk_create(
            [RoundRobinTurn(group_id=group_id)], ignore_conflicts=True
        )
        turn = locked.first()
    return turn


def assign_by_strategy(
    group_id: int | None,
    strategy: Strategy,
    *,
    skills: Iterable[str] = (),
    language: str = "",
    excluded: Iterable[int] = (),
) -> Any:
    """The agent the group's strategy gives a ticket to, claimed (see :func:`claim`), or
    None (the ``queue`` method, or nobody with room)."""
    if group_id is None or strategy.method == Method.QUEUE:
        return None
    turn = _turn(group_id) if strategy.method == Method.ROUND_ROBIN else None
    ranked = rank(
        candidates(group_id, excluded=excluded),
        method=strategy.method,
        skills=skills,
        language=language,
        match_skills=strategy.match_skills,
        match_language=strategy.match_language,
        last_agent=turn.last_agent_id if turn else None,
    )
    for user_id in ranked[:MAX_CLAIMS]:
        if claim(user_id):
            if turn is not None:
                turn.last_agent_id = user_id
                turn.save(update_fields=["last_agent_id"])
            return User.objects.get(pk=user_id)
    return None


# --- the decision ---------------------------------------------------------------------------


def choose_owner(
    contact: Contact,
    *,
    group_id: int | None,
    skills: Iterable[str] = (),
    language: str = "",
    has_tickets: bool = True,
) -> Choice:
    """Who a new ticket from ``contact`` in group ``group_id`` goes to (see the module's
    docstring). Call inside the transaction that writes the ticket, then :func:`record`."""
    strategy = strategy_of(group_id)
    spoc, reason = sticky_owner(contact, has_tickets=has_tickets)
    away = on_leave(spoc.pk) if spoc is not None else None
    leave, note = (away.leave, away.note) if away is not None else (None, "")
    if away is not None:
        spoc, reason = User.objects.get(pk=away.delegate), "delegate"
    if spoc is not None:
        if claim(spoc.pk):
            return Choice(spoc, reason, leave=leave, handover_note=note)
        if strategy.spoc_wait_minutes:
            until = clock.now() + timedelta(minutes=strategy.spoc_wait_minutes)
            return Choice(None, "waiting_for_spoc", spoc, until, leave=leave, handover_note=note)
    excluded = [spoc.pk] if spoc is not None else []
    owner = assign_by_strategy(
        group_id, strategy, skills=skills, language=language, excluded=excluded
    )
    if owner is not None:
        return Choice(owner, strategy.method)
    return Choice(None, "queue")


def record(ticket: Ticket, choice: Choice) -> None:
    """What the decision leaves besides the ticket's owner: the wait for a busy SPOC (or
    delegate), and a delegate's ticket to give back after the leave. In the opening
    transaction."""
    if choice.waiting_for is not None:
        Reservation.objects.create(
            ticket=ticket,
            agent=choice.waiting_for,
            reason="delegate" if choice.leave else "spoc",
            until=choice.waiting_until,
            leave_id=choice.leave,
        )
    if choice.leave is not None and choice.owner is not None:
        Handover.objects.create(leave_id=choice.leave, ticket=ticket)
