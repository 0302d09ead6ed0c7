from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "sampark.mail"
    verbose_name = _("Email")

    def ready(self) -> None:
        from .services import outbound

        outbound.connect()
