"""Signing in, and finding the signed-in user again on every request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AgentBackend(ModelBackend):
    """Django's model backend (passwords, ``is_active``, permissions), except that the user
    comes back from the session with their agent profile and workspace settings in the same
    query: every workspace request needs all three (the access layer, the agent's language and
    time zone, the keyboard shortcuts), and on PostgreSQL each separate query is a round trip
    that a busy page waits for. A user without either row answers ``DoesNotExist`` for it, as
    before, without asking the database again."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("agent", "workspace_settings")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
