"""Who gets a ticket: each group's assignment strategy, agents' leave with its delegate, and
the tickets waiting a while for their busy single point of contact.

A strategy and a leave are configuration (kept per process under the configuration
generation); a ticket's wait for its SPOC, a group's round-robin turn and the tickets handed
over during a leave are routine rows that the assignment services write with the tickets."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Strategy(models.Model):
    """How a group's new tickets find their owner when the single point of contact (the
    organization's account manager, else the contact's recent owner) cannot take them."""

    class Method(models.TextChoices):
        QUEUE = "queue", _("Queue: agents take the next ticket")
        LEAST_LOADED = "least_loaded", _("Least loaded agent within capacity")
        ROUND_ROBIN = "round_robin", _("Round robin within capacity")

    group = models.OneToOneField(
        "team.Group",
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="assignment_strategy",
    )
    method = models.CharField(_("method"), max_length=16, choices=Method, default=Method.QUEUE)
    spoc_wait_minutes = models.PositiveIntegerField(
        _("wait for a busy SPOC (minutes)"),
        default=0,
        help_text=_(
            "How long a new ticket waits for its SPOC who is away, offline or at capacity "
            "before it goes to another agent. 0: at once."
        ),
    )
    match_skills = models.BooleanField(
        _("require the routed skills"),
        default=True,
        help_text=_("Only agents with every skill the routing asked for are chosen."),
    )
    match_language = models.BooleanField(
        _("prefer agents who speak the ticket's language"), default=True
    )

    class Meta:
        verbose_name = _("assignment strategy")
        verbose_name_plural = _("assignment strategies")

    def __str__(self) -> str:
        return f"{self.group}: {self.get_method_display()}"


class RoundRobinTurn(models.Model):
    """The agent a group's round robin gave its last ticket to. Locked by each round-robin
    assignment, so that concurrent ones take turns instead of picking the same agent."""

    group = models.OneToOneField(
        "team.Group", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last_agent_id = models.IntegerField(null=True)

    def __str__(self) -> str:
        return f"{self.group_id}: {self.last_agent_id}"


class Leave(models.Model):
    """An agent's leave: from ``starts_on`` to ``ends_on`` (both days included) their
    customers' new tickets go to the delegate, and when it starts their open tickets are
    handed over with a note on each timeline. When it ends, the tickets handed over come back
    if ``return_customers``, and those still waiting for the delegate wait for the agent."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ON_LEAVE = "on_leave", _("On leave")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", _("Cancelled")

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="leaves",
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegate"),
        on_delete=models.PROTECT,
        related_name="delegations",
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    return_customers = models.BooleanField(
        _("give the customers back on return"),
        default=True,
        help_text=_("Tickets handed to the delegate come back when the leave ends."),
    )
    note = models.TextField(_("handover note"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State, default=State.PLANNED)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leaves")
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["state", "starts_on"], name="leave_state_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="leave_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(delegate=models.F("agent")), name="leave_delegate_not_agent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.starts_on}–{self.ends_on}"


class Handover(models.Model):
    """A ticket that went to the delegate because of a leave: handed over when the leave
    started, opened for the agent's customer during it, or waited for the delegate and went to
    them. ``returned`` once the leave ended (with the ticket given back, if it still could
    be)."""

    leave = models.ForeignKey(Leave, on_delete=models.CASCADE, related_name="handovers")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    returned = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["leave", "ticket"], name="handover_once_per_leave")
        ]

    def __str__(self) -> str:
        return f"{self.leave_id}: {self.ticket_id}"


class Reservation(models.Model):
    """A new ticket waiting for its busy SPOC until ``until``: the SPOC gets it when they are
    back online with room (the worker's sweep, or their "Take next"); after ``until`` it goes
    to the group's strategy. Other agents' "Take next" passes it over while it waits."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=24)
    until = models.DateTimeField()
    # Set while ``agent`` is the delegate of this leave, standing in for the ticket's SPOC:
    # the ticket is handed over when the delegate gets it, and waits for the SPOC again when
    # the leave ends with the customers coming back.
    leave = models.ForeignKey(
        Leave, null=True, blank=True, on_delete=models.SET_NULL, related_name="waiting"
    )

    class Meta:
        indexes = [models.Index(fields=["until"], name="reservation_until")]

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.agent_id} until {self.until:%Y-%m-%d %H:%M}"
