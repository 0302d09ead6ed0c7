from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sampark.sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from sampark.defaults import after_migrate

        from . import subscribers

        subscribers.connect()
        # The last app to migrate fills in any missing defaults (also after a test flush).
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="sampark-defaults")
