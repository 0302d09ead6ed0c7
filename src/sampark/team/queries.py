"""What the other apps read about the team: the active agents (the people a ticket or a leave's
work can go to), and who answers for a group when nobody in particular does (the SLA sweep's
alerts on an unowned ticket, the escalation sweep's on an unassigned work item)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model

from .models import AgentProfile

SUPERVISORS = (AgentProfile.Role.SUPERVISOR, AgentProfile.Role.ADMIN)


def active_agents():
    """The users with an agent profile who may sign in, by name (then id)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, agent__isnull=False)
        .order_by("first_name", "last_name", "id")
    )


def agents_of(group_ids: Iterable[int], *, roles: Iterable[str] = ()) -> dict[int, list]:
    """Each group's active agents as users, by id, with one of ``roles`` when given (the
    supervisors: :data:`SUPERVISORS`): one query for all the groups. A group without any maps
    to an empty list."""
    ids = sorted(set(group_ids))
    found: dict[int, list] = {group_id: [] for group_id in ids}
    if not ids:
        return found
    rows = AgentProfile.groups.through.objects.filter(
        group_id__in=ids, agentprofile__user__is_active=True
    )
    if roles:
        rows = rows.filter(agentprofile__role__in=list(roles))
    for row in rows.select_related("agentprofile__user").order_by("group_id", "agentprofile"):
        found[row.group_id].append(row.agentprofile.user)
    return found
