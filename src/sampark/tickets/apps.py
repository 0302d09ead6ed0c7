from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "sampark.tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from sampark.db import loading

        loading.install()
