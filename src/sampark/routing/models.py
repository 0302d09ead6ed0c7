"""Routing rules: the admin's ordered list of "when a new ticket looks like this, send it
there". A rule's conditions all hold (an empty one holds for anything); its actions fill in what
earlier matching rules left unset. Matching stops at the first matching rule unless that rule
says to go on."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BusinessHours(models.TextChoices):
    ANY = "", _("At any time")
    INSIDE = "inside", _("Inside business hours")
    OUTSIDE = "outside", _("Outside business hours")


class RoutingRule(models.Model):
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    active = models.BooleanField(_("active"), default=True)
    continue_matching = models.BooleanField(
        _("go on to later rules"),
        default=False,
        help_text=_(
            "When this rule matches, later rules are still checked; they fill in only what "
            "this one left unset (skills and tags add up)."
        ),
    )
    # --- conditions ---
    channels = models.JSONField(_("channels"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    organizations = models.ManyToManyField(
        "customers.Organization",
        verbose_name=_("organizations"),
        related_name="+",
        blank=True,
    )
    organization_tiers = models.JSONField(_("organization tiers"), default=list, blank=True)
    asset_products = models.JSONField(
        _("products"),
        default=list,
        blank=True,
        help_text=_("The name of the ticket's asset (the product), any of these."),
    )
    asset_models = models.JSONField(_("asset model numbers"), default=list, blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    keywords = models.JSONField(
        _("keywords"),
        default=list,
        blank=True,
        help_text=_(
            "Any of these words or phrases, in Hindi or English, in the subject or description."
        ),
    )
    custom_fields = models.JSONField(
        _("custom field values"),
        default=dict,
        blank=True,
        help_text=_('e.g. {"warranty": "amc"}: every listed field must have that value.'),
    )
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    business_hours = models.CharField(
        _("business hours"), max_length=8, choices=BusinessHours, blank=True, default=""
    )
    calendar = models.ForeignKey(
        "calendars.BusinessCalendar",
        verbose_name=_("business calendar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Whose business hours; empty means the default calendar."),
    )
    # --- actions ---
    group = models.ForeignKey(
        "team.Group",
        verbose_name=_("send to group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    skills = models.JSONField(_("require skills"), default=list, blank=True)
    set_category = models.CharField(_("set category"), max_length=100, blank=True)
    tags = models.JSONField(_("add tags"), default=list, blank=True)
    priority = models.ForeignKey(
        "tickets.Priority",
        verbose_name=_("set priority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escalate = models.BooleanField(
        _("escalate to the next tier"),
        default=False,
        help_text=_(
            "Open the ticket and escalate it at once to the next group in its group's chain "
            "(with that group's mode: the owner stays, or a hand-off)."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name
