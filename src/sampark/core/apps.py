from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Holds the models of state every server process shares; nothing of it is in the admin."""

    name = "sampark.core"
    label = "core"
