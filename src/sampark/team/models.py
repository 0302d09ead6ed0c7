"""The support team: agents (Django users with a profile), groups (support centres or queues)
and the API tokens agents use, stored only as hashes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    L1 = "L1", _("Level 1")
    L2 = "L2", _("Level 2")
    L3 = "L3", _("Level 3")


class EscalationMode(models.TextChoices):
    """What an escalation to a group does to the ticket's owner (a setting of the group)."""

    KEEP_OWNER = "keep_owner", _("The owner stays the customer's contact")
    HAND_OFF = "hand_off", _("Ownership moves to the higher tier")


class Group(models.Model):
    """A support centre or queue. New tickets with no group land in the default group."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_hi = models.CharField(_("name (Hindi)"), max_length=120, blank=True)
    tier = models.CharField(_("tier"), max_length=2, choices=Tier, default=Tier.L1)
    description = models.TextField(_("description"), blank=True)
    calendar = models.ForeignKey(
        "calendars.BusinessCalendar",
        verbose_name=_("business calendar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="groups",
        help_text=_("When this group works; empty means the default calendar."),
    )
    escalates_to = models.ForeignKey(
        "self",
        verbose_name=_("escalates to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Where automatic escalations from this group go (a higher tier)."),
    )
    escalation_mode = models.CharField(
        _("escalations to this group"),
        max_length=12,
        choices=EscalationMode,
        default=EscalationMode.KEEP_OWNER,
        help_text=_(
            "By default the ticket's owner stays the single point of contact and this group "
            "works an escalation item on it; hand-off moves the ownership here."
        ),
    )
    escalation_response_minutes = models.PositiveIntegerField(
        _("escalation due within (minutes)"),
        default=240,
        help_text=_("Business minutes, on this group's calendar, to work an escalation."),
    )
    is_default = models.BooleanField(
        _("default for new tickets"),
        default=False,
        help_text=_("Tickets opened without a group are queued here."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["tier", "name"]

    def __str__(self) -> str:
        return self.name


class AgentProfile(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        SUPERVISOR = "supervisor", _("Supervisor")
        AGENT = "agent", _("Agent")

    class Presence(models.TextChoices):
        ONLINE = "online", _("Online")
        AWAY = "away", _("Away")
        OFFLINE = "offline", _("Offline")

    class TicketAccess(models.TextChoices):
        """Which tickets the agent may see and work on (sampark.tickets.access)."""

        ALL = "all", _("All tickets")
        GROUPS = "groups", _("Tickets of their groups")
        OWN = "own", _("Only tickets they own or collaborate on")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.AGENT)
    tier = models.CharField(_("tier"), max_length=2, choices=Tier, default=Tier.L1)
    groups = models.ManyToManyField(
        Group, verbose_name=_("groups"), related_name="agents", blank=True
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=20)
    presence = models.CharField(
        _("presence"), max_length=16, choices=Presence, default=Presence.OFFLINE
    )
    # The workspace's language and time zone for this agent, kept on the profile so that they
    # follow the agent from one computer to the next. Empty: the browser's language, and the
    # help desk's time zone (SAMPARK_TIME_ZONE).
    language = models.CharField(
        _("workspace language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    ticket_access = models.CharField(
        _("ticket access"),
        max_length=8,
        choices=TicketAccess,
        default=TicketAccess.GROUPS,
        help_text=_(
            "Which tickets the agent sees and works on. Tickets they own or collaborate on are "
            "always included."
        ),
    )

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")
        ordering = ["user__email"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.email

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_supervisor(self) -> bool:
        return self.role in (self.Role.ADMIN, self.Role.SUPERVISOR)

    @classmethod
    def default_ticket_access(cls, role: str) -> str:
        """Admins and supervisors oversee the whole desk; agents work their groups' queues."""
        if role in (cls.Role.ADMIN, cls.Role.SUPERVISOR):
            return cls.TicketAccess.ALL
        return cls.TicketAccess.GROUPS


class ApiToken(models.Model):
    """A per-agent bearer token. Only its SHA-256 digest is stored; the secret is shown once.

    Tokens are 256-bit random strings, so a fast digest is enough: there is nothing to
    brute-force, and lookups stay a single indexed read.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
