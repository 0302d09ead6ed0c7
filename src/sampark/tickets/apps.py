from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "sampark.tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from sampark.db import configuration, loading

        from . import active_counts

        loading.install()
        # The configuration generation's row and triggers, back after any table rebuild.
        post_migrate.connect(
            configuration.install, sender=self, dispatch_uid="sampark-configuration"
        )
        # The triggers of the active tickets' rollup, and the rollup counted afresh.
        post_migrate.connect(
            active_counts.install, sender=self, dispatch_uid="sampark-active-counts"
        )
