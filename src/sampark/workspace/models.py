"""What an agent keeps in the workspace: saved views of the queue, and workspace settings.

Written only by ``workspace.services``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sampark.team.models import Group


class SavedView(models.Model):
    """A queue an agent built from filters, kept under a name. Private to its owner, or shared
    with one of the owner's groups: its members see it (read-only) in their sidebar. The
    filters are stored as the form gave them (``workspace.queues.QueueFilters.as_json``)."""

    class Order(models.TextChoices):
        SLA = "sla", _("SLA due")
        PRIORITY = "priority", _("Priority")
        AGE = "age", _("Age")

    name = models.CharField(_("name"), max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    shared_with = models.ForeignKey(
        Group,
        verbose_name=_("shared with"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="saved_views",
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    order = models.CharField(_("sort"), max_length=10, choices=Order, default=Order.SLA)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["owner", "name"], name="savedview_owner_name")]

    def __str__(self) -> str:
        return self.name


class WorkspaceSettings(models.Model):
    """An agent's workspace settings that are not part of their team profile."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="workspace_settings",
    )
    keyboard_shortcuts = models.BooleanField(_("keyboard shortcuts"), default=True)

    class Meta:
        verbose_name = _("workspace settings")
        verbose_name_plural = _("workspace settings")

    def __str__(self) -> str:
        return f"workspace settings of {self.user_id}"
