"""Who may do what. Every API endpoint and view asks one of these before it acts."""

from .models import AgentProfile


def profile_of(user) -> AgentProfile | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.agent
    except AgentProfile.DoesNotExist:
        return None


def is_agent(user) -> bool:
    return profile_of(user) is not None


def can_configure(user) -> bool:
    """Groups, agents, priorities and custom fields: admins only."""
    profile = profile_of(user)
    return profile is not None and profile.is_admin


def can_manage_accounts(user) -> bool:
    """Organizations and their account managers: supervisors and admins."""
    profile = profile_of(user)
    return profile is not None and profile.is_supervisor


def can_merge_contacts(user) -> bool:
    profile = profile_of(user)
    return profile is not None and profile.is_supervisor
