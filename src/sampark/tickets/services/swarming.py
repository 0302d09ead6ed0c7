"""Swarming: the owner (or a supervisor) asks named agents, a group or a skill for help on a
ticket without handing it over. Each agent asked gets an invitation; those who join become
collaborators and add internal notes, each of which the owner hears of; the request is closed
with a summary. Every step is a TicketEvent."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from sampark.core import clock, events
from sampark.core.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from sampark.notifications.services import notify
from sampark.team.models import AgentProfile, Group

from .. import access
from ..models import Channel, SwarmInvitation, SwarmRequest, Ticket, TicketEvent
from ._steps import _agent_ref, _check_text, _event, _lock, _require_agent, _save, _thread_note

Kind = TicketEvent.Kind
State = SwarmInvitation.State
User = get_user_model()
MAX_INVITED = 50


def _invitees(ticket: Ticket, actor, agents, group: Group | None, skill: str) -> list:
    """The active agents asked: the named ones, the group's members and those with the skill,
    less the owner, the one asking and those already collaborating."""
    wanted: dict[int, object] = {}
    for agent in agents:
        _require_agent(agent, field="agents")
        wanted[agent.pk] = agent
    profiles = AgentProfile.objects.filter(user__is_active=True).select_related("user")
    if group is not None:
        for profile in profiles.filter(groups=group):
            wanted[profile.user_id] = profile.user
    if skill:
        wanted_skill = skill.casefold()
        for profile in profiles.only("skills", "user"):
            if any(str(s).casefold() == wanted_skill for s in profile.skills or ()):
                wanted[profile.user_id] = profile.user
    helping = set(ticket.collaborators.values_list("pk", flat=True))
    left_out = {ticket.owner_id, actor.pk, *helping}
    return [agent for pk, agent in sorted(wanted.items()) if pk not in left_out]


@transaction.atomic
def request_swarm(
    ticket_id: int,
    *,
    actor,
    message: str,
    agents=(),
    group: Group | None = None,
    skill: str = "",
) -> SwarmRequest:
    """Ask for help around the ticket; the owner stays the owner."""
    _require_agent(actor, field="actor")
    message = _check_text(message, "message", 2000, required=True)
    skill = _check_text(skill or "", "skill", 50)
    ticket = _lock(ticket_id, actor=actor)
    if not access.can_ask_for_help(actor, ticket):
        raise Forbidden(_("Only the ticket's owner or a supervisor can ask for help on it."))
    if not ticket.is_active:
        raise InvalidTransition(_("Help can be asked only on an active ticket."))
    if not agents and group is None and not skill:
        raise InvalidInput(_("Name agents, a group or a skill to ask for help."), field="agents")
    invited = _invitees(ticket, actor, agents, group, skill)
    if not invited:
        raise InvalidInput(
            _("Nobody to ask: everyone named already works on this ticket."), field="agents"
        )
    if len(invited) > MAX_INVITED:
        raise InvalidInput(
            _("A request for help can ask at most %(n)d agents.") % {"n": MAX_INVITED},
            field="agents",
        )
    now = clock.now()
    swarm = SwarmRequest.objects.create(
        ticket=ticket, requested_by=actor, message=message, group=group, skill=skill, opened_at=now
    )
    SwarmInvitation.objects.bulk_create(
        [SwarmInvitation(swarm=swarm, agent=agent) for agent in invited]
    )
    _event(
        ticket,
        Kind.SWARM_REQUESTED,
        channel=Channel.AGENT,
        actor=actor,
        body=message,
        data={
            "swarm": swarm.pk,
            "agents": [_agent_ref(agent) for agent in invited],
            "group": group.name if group else None,
            "skill": skill,
        },
        at=now,
    )
    _save(ticket, set(), now)
    notify(
        invited,
        kind="swarm",
        title=_("Help asked on #%(number)s") % {"number": ticket.number},
        body=message,
        ticket=ticket,
    )
    events.publish("ticket_updated", ticket_id=ticket.pk, fields=["swarm"])
    return swarm


def _swarm_of(swarm_id: int, agent, *, invited_only: bool = False) -> tuple[SwarmRequest, Ticket]:
    """The swarm and its ticket, locked, for an agent who may see the ticket or was asked to
    help; otherwise the NotFound of a missing request."""
    swarm = SwarmRequest.objects.filter(pk=swarm_id).first()
    missing = NotFound(_("Request for help not found."))
    if swarm is None:
        raise missing
    ticket = _lock(swarm.ticket_id)
    asked = swarm.invitations.filter(agent_id=agent.pk).first()
    if asked is None and (invited_only or not access.can_see(agent, ticket)):
        raise missing
    swarm.invitation = asked
    return swarm, ticket


def _answer(swarm_id: int, agent, state: str) -> SwarmRequest:
    _require_agent(agent, field="agent")
    swarm, ticket = _swarm_of(swarm_id, agent, invited_only=True)
    if swarm.closed_at is not None:
        raise InvalidTransition(_("This request for help is closed."))
    invitation = swarm.invitation
    if invitation.state == state:
        return swarm
    if invitation.state != State.INVITED:
        raise InvalidTransition(_("You already answered this request for help."))
    now = clock.now()
    invitation.state, invitation.responded_at = state, now
    invitation.save(update_fields=["state", "responded_at"])
    joined = state == State.JOINED
    if joined and agent.pk != ticket.owner_id:
        ticket.collaborators.add(agent)
    _event(
        ticket,
        Kind.SWARM_JOINED if joined else Kind.SWARM_DECLINED,
        channel=Channel.AGENT,
        actor=agent,
        data={"swarm": swarm.pk, "agent": _agent_ref(agent)},
        at=now,
    )
    _save(ticket, set(), now)
    if joined and ticket.owner_id is not None:
        notify(
            [ticket.owner],
            kind="swarm",
            title=_("%(agent)s joined to help on #%(number)s")
            % {"agent": agent.get_full_name() or agent.email, "number": ticket.number},
            ticket=ticket,
        )
    return swarm


@transaction.atomic
def join_swarm(swarm_id: int, *, agent) -> SwarmRequest:
    """An agent asked to help joins the ticket as a collaborator (it comes into their scope);
    the owner hears of it."""
    return _answer(swarm_id, agent, State.JOINED)


@transaction.atomic
def decline_swarm(swarm_id: int, *, agent) -> SwarmRequest:
    return _answer(swarm_id, agent, State.DECLINED)


@transaction.atomic
def add_swarm_note(swarm_id: int, *, actor, body: str) -> TicketEvent:
    """A contribution to the swarm: an internal note on the ticket whose data names the swarm.
    The owner is notified of each one written by someone else."""
    _require_agent(actor, field="actor")
    body = _check_text(body, "body", 65536, required=True)
    swarm, ticket = _swarm_of(swarm_id, actor)
    if not access.can_see(actor, ticket):
        raise InvalidTransition(_("Join the request for help before you write in it."))
    if swarm.closed_at is not None:
        raise InvalidTransition(_("This request for help is closed."))
    return contribute(ticket, swarm.pk, actor=actor, body=body)


def contribute(
    ticket: Ticket,
    swarm_id: int,
    *,
    actor,
    body: str,
    channel: str = Channel.AGENT,
    time_spent: int | None = None,
) -> TicketEvent:
    """A helper's note in the swarm ``swarm_id``, whether written in its thread
    (:func:`add_swarm_note`) or in the ticket's composer by someone who joined it
    (``conversation.add_message``): in the swarm's thread, and one notification to the owner
    unless the owner wrote it. Inside the caller's transaction, with the ticket locked."""
    return _thread_note(
        ticket,
        actor=actor,
        body=body,
        data={"swarm": swarm_id},
        notice=_("%(agent)s helped on #%(number)s")
        % {"agent": actor.get_full_name() or actor.email, "number": ticket.number},
        kind="swarm",
        channel=channel,
        time_spent=time_spent,
    )


def joined_swarm(ticket: Ticket, agent) -> int | None:
    """The open request for help on ``ticket`` that ``agent`` joined (the latest, if several),
    or None: a note they write on the ticket is a contribution to it."""
    return (
        SwarmInvitation.objects.filter(
            agent_id=agent.pk,
            state=State.JOINED,
            swarm__ticket_id=ticket.pk,
            swarm__closed_at__isnull=True,
        )
        .order_by("-swarm_id")
        .values_list("swarm_id", flat=True)
        .first()
    )


@transaction.atomic
def close_swarm(swarm_id: int, *, actor, summary: str) -> SwarmRequest:
    """Close the request with a summary of what the swarm found; those who joined stay
    collaborators, unanswered invitations lapse."""
    _require_agent(actor, field="actor")
    summary = _check_text(summary, "summary", 5000, required=True)
    swarm, ticket = _swarm_of(swarm_id, actor)
    if not access.can_see(actor, ticket):
        raise NotFound(_("Request for help not found."))
    if not access.can_ask_for_help(actor, ticket):
        raise Forbidden(_("Only the ticket's owner or a supervisor can close a request for help."))
    if swarm.closed_at is not None:
        raise InvalidTransition(_("This request for help is closed."))
    now = clock.now()
    swarm.closed_at, swarm.closed_by, swarm.summary = now, actor, summary
    swarm.save(update_fields=["closed_at", "closed_by", "summary"])
    _event(
        ticket,
        Kind.SWARM_CLOSED,
        channel=Channel.AGENT,
        actor=actor,
        body=summary,
        data={"swarm": swarm.pk},
        at=now,
    )
    _save(ticket, set(), now)
    events.publish("ticket_updated", ticket_id=ticket.pk, fields=["swarm"])
    return swarm
