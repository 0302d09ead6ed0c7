"""What the shell's controls need on every workspace page; nothing here reads the database."""

from sampark.team.models import AgentProfile

from .forms import language_choices


def shell(request):
    return {
        "language_choices": language_choices(),
        "presence_choices": AgentProfile.Presence.choices,
    }
