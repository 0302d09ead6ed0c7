from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sampark.sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from . import subscribers

        subscribers.connect()
