"""Who may see and work on which ticket: the one access layer every door asks.

Each agent has a ticket access scope (``AgentProfile.ticket_access``), set by an admin:

- ``all``: every ticket (the default for admins and supervisors);
- ``groups``: tickets queued in one of the agent's groups (the default for agents);
- ``own``: nothing beyond what every scope includes:

and every scope includes the tickets the agent owns or collaborates on, whatever their group.
A ticket outside someone's scope does not exist for them: the API answers it exactly like a
missing one (the same 404 and body), and it never appears in a list, a queue, a timeline or a
count. Reading and writing are decided here, as plain predicates on a ticket
(:func:`can_see`, :func:`can_change`, :func:`can_reply`, ...), and as conditions that narrow
querysets (:func:`visible`, :func:`ticket_condition`) for the read paths in ``queries.py``.

Every function takes ``who``: a user, or the :class:`Scope` already worked out for them.
Working it out needs the agent's group ids, which are read once per configuration generation
(``sampark.db.configuration``: agent profiles and their groups move it), and the API works it
out while it checks the token (:func:`attach_scope`), so a request pays no query for it. A
customer principal (the portal) will be a second kind of scope: the predicates and
:func:`ticket_condition` are the places that will tell the two apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sampark.core.errors import NotFound
from sampark.db import configuration
from sampark.team.models import AgentProfile
from sampark.team.permissions import profile_of

from .models import Ticket

Access = AgentProfile.TicketAccess
Collaboration = Ticket.collaborators.through
_SCOPE_ATTRIBUTE = "_sampark_ticket_scope"


@dataclass(frozen=True)
class Scope:
    """What one agent may see, as the queries need it."""

    user_id: int
    access: str
    group_ids: frozenset[int]
    supervisor: bool

    @property
    def sees_all(self) -> bool:
        return self.access == Access.ALL

    def covers_group(self, group_id: int | None) -> bool:
        """Every ticket of this group is in scope (not merely the agent's own ones)."""
        return self.sees_all or (self.access == Access.GROUPS and group_id in self.group_ids)


@configuration.keyed(size=4096)
def _group_ids(user_id: int) -> frozenset[int]:
    return frozenset(
        AgentProfile.groups.through.objects.filter(agentprofile__user_id=user_id).values_list(
            "group_id", flat=True
        )
    )


def _work_out(user) -> Scope | None:
    profile = profile_of(user)
    if profile is None:
        return None
    access = profile.ticket_access
    return Scope(
        user_id=user.pk,
        access=access,
        group_ids=_group_ids(user.pk) if access == Access.GROUPS else frozenset(),
        supervisor=profile.is_supervisor,
    )


def scope_of(who) -> Scope | None:
    """The scope of ``who`` (a user, or a Scope); None for anyone who is not an active agent,
    who sees no ticket at all."""
    if who is None or isinstance(who, Scope):
        return who
    try:
        return getattr(who, _SCOPE_ATTRIBUTE)
    except AttributeError:
        return _work_out(who)


def attach_scope(user) -> Scope | None:
    """Work out the user's scope once and keep it on this user instance, for the rest of a
    request. Only for instances that live as long as one request (the API's token check
    builds new ones each time): a kept scope does not follow later changes."""
    scope = _work_out(user)
    setattr(user, _SCOPE_ATTRIBUTE, scope)
    return scope


# --- predicates ---------------------------------------------------------------------------


def _collaborates(scope: Scope, ticket: Ticket) -> bool:
    listed = getattr(ticket, "collaborator_list", None)  # loaded by queries.tickets_by_id
    if listed is not None:
        return any(user.pk == scope.user_id for user in listed)
    return Collaboration.objects.filter(ticket_id=ticket.pk, user_id=scope.user_id).exists()


def can_see(who, ticket: Ticket) -> bool:
    """The ticket exists for ``who``: it may be read, listed and counted."""
    scope = scope_of(who)
    if scope is None:
        return False
    if scope.covers_group(ticket.group_id) or ticket.owner_id == scope.user_id:
        return True
    return _collaborates(scope, ticket)


def can_change(who, ticket: Ticket) -> bool:
    """Fields, status, priority, group; internal notes. Handing the ticket to another owner
    also needs :func:`can_reassign`."""
    return can_see(who, ticket)


def _speaks_for(scope: Scope, ticket: Ticket) -> bool:
    return ticket.owner_id is None or ticket.owner_id == scope.user_id or scope.supervisor


def can_reply(who, ticket: Ticket) -> bool:
    """A public reply or a logged call: the owner is the one face to the customer (an unowned
    ticket becomes the replying agent's); supervisors may step in; collaborators write
    internal notes instead."""
    scope = scope_of(who)
    return can_see(scope, ticket) and _speaks_for(scope, ticket)


def can_reassign(who, ticket: Ticket) -> bool:
    """Give the ticket another owner: its current owner or a supervisor, or anyone who may
    change an unowned ticket."""
    scope = scope_of(who)
    return can_see(scope, ticket) and _speaks_for(scope, ticket)


def can_escalate(who, ticket: Ticket) -> bool:
    return can_see(who, ticket)


def can_collaborate(who, ticket: Ticket) -> bool:
    """Pull a collaborator in, or take one off (the one pulled in then sees the ticket)."""
    return can_see(who, ticket)


def can_ask_for_help(who, ticket: Ticket) -> bool:
    """Ask agents, a group or a skill to swarm on the ticket, and close the request: its
    owner or a supervisor (anyone who may change an unowned ticket). Those asked see the
    request (the ticket's number and subject, and the message) before they join; the ticket
    itself comes into their scope when they join it as collaborators."""
    scope = scope_of(who)
    return can_see(scope, ticket) and _speaks_for(scope, ticket)


def can_split(who, ticket: Ticket) -> bool:
    return can_see(who, ticket)


def can_merge(who, ticket: Ticket, into: Ticket) -> bool:
    """Close ``ticket`` as a duplicate of ``into``: both must exist for ``who``."""
    scope = scope_of(who)
    return can_see(scope, ticket) and can_see(scope, into)


# --- the query side -----------------------------------------------------------------------


def collaborations_of(scope: Scope) -> QuerySet:
    """The ids of the tickets the agent collaborates on, as a subquery."""
    return Collaboration.objects.filter(user_id=scope.user_id).values("ticket_id")


def ticket_condition(who, via: str = "", *, optional: bool = False) -> Q | None:
    """The condition a ticket meets when it is in scope: for Ticket rows, or through the
    foreign key ``via`` (``"ticket"`` for events, clocks and notifications; ``optional``: rows
    with no ticket pass too). None when there is nothing to narrow (``all``), so that such
    users pay nothing.

    As one OR this is a filter on rows found another way (a contact's tickets, a page of
    events): for whole lists, ``queries`` splits it into one index range per part."""
    scope = scope_of(who)
    field = f"{via}__" if via else ""
    ticket_id = f"{via}_id" if via else "pk"
    if scope is None:
        condition = Q(**{f"{ticket_id}__in": []})
    elif scope.sees_all:
        return None
    else:
        condition = Q(**{f"{field}owner_id": scope.user_id}) | Q(
            **{f"{ticket_id}__in": collaborations_of(scope)}
        )
        if scope.access == Access.GROUPS and scope.group_ids:
            condition |= Q(**{f"{field}group_id__in": sorted(scope.group_ids)})
    if optional:
        condition |= Q(**{f"{ticket_id}__isnull": True})
    return condition


def visible(who, rows: QuerySet, via: str = "", *, optional: bool = False) -> QuerySet:
    """``rows`` (tickets, or rows pointing at a ticket through ``via``) narrowed to those in
    scope."""
    condition = ticket_condition(who, via, optional=optional)
    return rows if condition is None else rows.filter(condition)


def ticket_not_found() -> NotFound:
    """What a missing ticket, and one outside the scope, answer: the same words."""
    return NotFound(_("Ticket not found."))


def require_visible(who, ticket_id: int) -> None:
    """Raise what a missing ticket raises unless ``ticket_id`` is in scope. For the write
    paths, before a service runs: nothing is written for a ticket that does not exist for
    ``who``. An ``all`` scope asks nothing here (the service answers a missing id itself)."""
    scope = scope_of(who)
    if scope is not None and scope.sees_all:
        return
    if not visible(scope, Ticket.objects.filter(pk=ticket_id)).exists():
        raise ticket_not_found()


def visible_ticket(who, ticket_id: int, rows: QuerySet | None = None) -> Ticket:
    """The ticket with this id from ``rows`` (all tickets by default), or the NotFound a
    missing one gives when it does not exist for ``who``."""
    rows = Ticket.objects.all() if rows is None else rows
    found = visible(who, rows.filter(pk=ticket_id)).first()
    if found is None:
        raise ticket_not_found()
    return found
