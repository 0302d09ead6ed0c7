"""SLA policies and each ticket's clocks.

A ticket's clocks (first response, next response, resolution, customer update) are a rollup
derived from its event log, the matched policy and its group's calendar; ``recompute`` can
rebuild them at any time. ``next_deadline`` is the earliest moment something must fire for the
ticket (a warning, a breach, an update reminder), indexed so that the sweep reads only the
tickets that are due.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sampark.team.models import Group
from sampark.tickets.models import Priority, Ticket


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")
    NEXT_UPDATE = "next_update", _("Customer update")


class SLAPolicy(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=100, help_text=_("Policies are tried in this order.")
    )
    active = models.BooleanField(_("active"), default=True)
    # Conditions: an empty list matches anything.
    priorities = models.ManyToManyField(
        Priority, verbose_name=_("priorities"), blank=True, related_name="+"
    )
    organization_tiers = models.JSONField(_("organization tiers"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    groups = models.ManyToManyField(Group, verbose_name=_("groups"), blank=True, related_name="+")
    # Targets in minutes; empty means no target.
    first_response_minutes = models.PositiveIntegerField(_("first response"), null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(_("next response"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("resolution"), null=True, blank=True)
    update_interval_minutes = models.PositiveIntegerField(
        _("customer update interval"), null=True, blank=True
    )
    first_response_business = models.BooleanField(
        _("first response in business hours"), default=True
    )
    next_response_business = models.BooleanField(_("next response in business hours"), default=True)
    resolution_business = models.BooleanField(_("resolution in business hours"), default=True)
    update_business = models.BooleanField(_("updates in business hours"), default=True)
    pause_when_pending = models.BooleanField(_("pause while pending"), default=True)
    pause_when_on_hold = models.BooleanField(_("pause while on hold"), default=True)
    warn_fraction = models.FloatField(_("warn at fraction of target"), default=0.75)
    notify_on_breach = models.BooleanField(_("notify owner and supervisors"), default=True)
    raise_priority_on_breach = models.BooleanField(_("raise priority on breach"), default=False)
    escalate_on_breach = models.BooleanField(_("escalate to next tier on breach"), default=False)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def target_minutes(self, target: str) -> int | None:
        return {
            Target.FIRST_RESPONSE: self.first_response_minutes,
            Target.NEXT_RESPONSE: self.next_response_minutes,
            Target.RESOLUTION: self.resolution_minutes,
            Target.NEXT_UPDATE: self.update_interval_minutes,
        }[target]

    def counts_business_time(self, target: str) -> bool:
        return {
            Target.FIRST_RESPONSE: self.first_response_business,
            Target.NEXT_RESPONSE: self.next_response_business,
            Target.RESOLUTION: self.resolution_business,
            Target.NEXT_UPDATE: self.update_business,
        }[target]


class TicketClock(models.Model):
    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, primary_key=True, related_name="sla_clock"
    )
    policy = models.ForeignKey(SLAPolicy, null=True, blank=True, on_delete=models.SET_NULL)
    clocks = models.JSONField(default=dict)
    next_deadline = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField()
    # Read from ``clocks`` (sla.clocks.DueTimes) each time they are stored, for the queues:
    # sorting by SLA due, and counting the tickets at risk and the customer updates due, walk
    # these indexes instead of reading every clock's JSON.
    sla_due = models.DateTimeField(null=True, blank=True)
    at_risk_from = models.DateTimeField(null=True, blank=True)
    update_due = models.DateTimeField(null=True, blank=True)
    # The ticket's group and owner when the clocks were stored (every change to a ticket
    # recomputes them), so that a queue's count and SLA order read one index of this table
    # and never join a million tickets. The queues still narrow the tickets they show by the
    # tickets' own columns.
    ticket_group = models.PositiveIntegerField(null=True, blank=True)
    ticket_owner = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("ticket SLA clocks")
        verbose_name_plural = _("ticket SLA clocks")
        indexes = [
            models.Index(
                fields=["next_deadline"],
                condition=Q(next_deadline__isnull=False),
                name="clock_next_deadline",
            ),
            # Queues by SLA due: every ticket, a group's, an owner's.
            models.Index(
                fields=["sla_due", "ticket"],
                condition=Q(sla_due__isnull=False),
                name="clock_sla_due",
            ),
            models.Index(
                fields=["ticket_group", "sla_due", "ticket"],
                condition=Q(sla_due__isnull=False),
                name="clock_group_sla_due",
            ),
            models.Index(
                fields=["ticket_owner", "sla_due", "ticket"],
                condition=Q(sla_due__isnull=False),
                name="clock_owner_sla_due",
            ),
            # Counting the tickets at risk and the updates due, in any scope, from the index;
            # with the SLA due beside it, the coordinator board tells breached from at risk
            # there too.
            models.Index(
                fields=["at_risk_from", "ticket_group", "ticket_owner", "sla_due"],
                condition=Q(at_risk_from__isnull=False),
                name="clock_at_risk_from",
            ),
            models.Index(
                fields=["update_due", "ticket_group", "ticket_owner"],
                condition=Q(update_due__isnull=False),
                name="clock_update_due",
            ),
        ]

    def __str__(self) -> str:
        return f"SLA of ticket {self.ticket_id}"


class SLAAlert(models.Model):
    """The fact that a warning or breach fired, unique per clock cycle: the guarantee that each
    one is recorded exactly once however many workers sweep at the same time."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        BREACH = "breach", _("Breach")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    target = models.CharField(max_length=20, choices=Target)
    kind = models.CharField(max_length=10, choices=Kind)
    cycle = models.CharField(max_length=40)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("SLA alert")
        verbose_name_plural = _("SLA alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "target", "kind", "cycle"], name="sla_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target} {self.kind}"
