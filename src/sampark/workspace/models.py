"""What the workspace keeps for itself, beside the tickets: an agent's saved views of the queue,
workspace settings (the keyboard-shortcut switch), unsent drafts, and who is on which ticket
page right now.

None of this is ticket history (that is the TicketEvent log): a draft is deleted when it is
sent, and a heartbeat means nothing after half a minute. Rows are written only by
``sampark.workspace.services``."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sampark.team.models import Group
from sampark.tickets.models import Ticket


class Draft(models.Model):
    """One agent's unsent reply, note or call log on one ticket, saved as they type so that a
    reload, another page or a merge does not lose it."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        CALL = "call", _("Call")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind, default=Kind.REPLY)
    body = models.TextField(_("text"), blank=True)
    time_spent_minutes = models.PositiveIntegerField(_("time spent"), null=True, blank=True)
    status = models.CharField(_("status on send"), max_length=16, blank=True)
    call_direction = models.CharField(_("call direction"), max_length=8, blank=True)
    call_minutes = models.PositiveIntegerField(_("call duration"), null=True, blank=True)
    updated_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.UniqueConstraint(fields=["user", "ticket"], name="draft_one_per_agent_ticket")
        ]

    def __str__(self) -> str:
        return f"draft of {self.user_id} on {self.ticket_id}"


class TicketViewer(models.Model):
    """A heartbeat: this agent had this ticket's page open (and was writing on it) at
    ``seen_at``. Kept in the database so that every server process sees every agent; a row
    older than ``services.VIEWER_TTL`` counts for nothing and is deleted on the next beat."""

    class State(models.TextChoices):
        VIEWING = "viewing", _("viewing")
        REPLYING = "replying", _("replying")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=8, choices=State, default=State.VIEWING)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "ticket"], name="viewer_one_per_agent_ticket")
        ]
        indexes = [models.Index(fields=["ticket", "seen_at"], name="viewer_ticket_seen")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.state} {self.ticket_id}"


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
