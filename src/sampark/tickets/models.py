"""Tickets and their append-only event log.

The TicketEvent log is the single source of truth: the timeline, the audit trail and every
metric are read from it. Ticket columns are the current state, kept for queues and filters,
and every change to them is written by ``tickets.services`` together with its event.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sampark.core.language import TextLanguage
from sampark.customers.models import Asset, Contact, Organization
from sampark.team.models import EscalationMode, Group, Tier


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web form")
    MESSAGING = "messaging", _("Messaging")
    API = "api", _("API")
    AGENT = "agent", _("Agent workspace")


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


# Statuses in which the ticket still needs work from us: what a queue shows.
ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)
ACTIVE_Q = Q(status__in=[s.value for s in ACTIVE_STATUSES])
# The same condition as literal SQL, exactly as the partial queue index is declared: SQLite
# matches a partial index only when the query repeats its constants, never bound parameters.
ACTIVE_SQL = '"tickets_ticket"."status" IN ({})'.format(
    ", ".join(f"'{s.value}'" for s in ACTIVE_STATUSES)
)


class TicketType(models.TextChoices):
    QUESTION = "question", _("Question")
    INCIDENT = "incident", _("Incident")
    PROBLEM = "problem", _("Problem")
    REQUEST = "request", _("Service request")
    COMPLAINT = "complaint", _("Complaint")
    TASK = "task", _("Task")


class Priority(models.Model):
    """One level of the company's priority scheme; ``rank`` 1 is the most urgent."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_hi = models.CharField(_("name (Hindi)"), max_length=80, blank=True)
    description = models.TextField(_("description"), blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    is_default = models.BooleanField(_("default for new tickets"), default=False)

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["rank"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class FieldDefinition(models.Model):
    """An admin-defined custom ticket field; ticket ``custom_fields`` are validated against
    the active definitions."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        BOOLEAN = "boolean", _("Yes/no")
        CHOICE = "choice", _("Choice")
        DATE = "date", _("Date")

    key = models.SlugField(_("key"), max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=100)
    label_hi = models.CharField(_("label (Hindi)"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    active = models.BooleanField(_("active"), default=True)
    max_length = models.PositiveIntegerField(_("maximum length"), default=500)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class Level(models.TextChoices):
    """Impact and urgency levels of the priority matrix."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class PriorityMatrixCell(models.Model):
    """Impact × urgency -> priority, as the company defines it."""

    impact = models.CharField(_("impact"), max_length=8, choices=Level)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Level)
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("priority matrix cell")
        verbose_name_plural = _("priority matrix")
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="matrix_cell_unique")
        ]

    def __str__(self) -> str:
        return f"{self.impact} × {self.urgency} → {self.priority.code}"


class PriorityRule(models.Model):
    """An ordered rule that sets a ticket's priority at intake, and again whenever the fields
    it tests change, unless an agent has set the priority by hand. Empty conditions match
    anything; all given conditions must hold. The first matching rule wins."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    active = models.BooleanField(_("active"), default=True)
    organization_tiers = models.JSONField(_("organization tiers"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    asset_models = models.JSONField(_("asset model numbers"), default=list, blank=True)
    custom_fields = models.JSONField(
        _("custom field values"),
        default=dict,
        blank=True,
        help_text=_('e.g. {"warranty": "amc"}: every listed field must have that value.'),
    )
    keywords = models.JSONField(
        _("keywords"),
        default=list,
        blank=True,
        help_text=_(
            "Any of these words or phrases, in Hindi or English, in the subject or description."
        ),
    )
    priority = models.ForeignKey(
        Priority,
        verbose_name=_("set priority"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    impact = models.CharField(_("set impact"), max_length=8, choices=Level, blank=True)
    urgency = models.CharField(_("set urgency"), max_length=8, choices=Level, blank=True)

    class Meta:
        verbose_name = _("priority rule")
        verbose_name_plural = _("priority rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


def tag_name(text: str) -> str:
    """A tag as stored: lower case, single spaces."""
    return " ".join(text.strip().lower().split())


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Counter(models.Model):
    """Named monotonic counters, e.g. the human-facing ticket number."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Ticket(models.Model):
    number = models.BigIntegerField(_("number"), unique=True)
    subject = models.CharField(_("subject"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.NEW)
    priority = models.ForeignKey(
        Priority, verbose_name=_("priority"), on_delete=models.PROTECT, related_name="tickets"
    )
    # Copy of priority.rank so that queues sort on one index; services keep it in step.
    priority_rank = models.PositiveSmallIntegerField(default=0)
    priority_source = models.CharField(
        _("priority set by"),
        max_length=8,
        default="default",
        choices=[
            ("default", _("Default")),
            ("rule", _("Rule")),
            ("routing", _("Routing rule")),
            ("matrix", _("Matrix")),
            ("manual", _("Agent")),
            ("sla", _("SLA breach")),
        ],
    )
    impact = models.CharField(_("impact"), max_length=8, choices=Level, blank=True)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Level, blank=True)
    type = models.CharField(  # noqa: A003 - the help-desk word for it
        _("type"), max_length=16, choices=TicketType, default=TicketType.QUESTION
    )
    category = models.CharField(_("category"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel, default=Channel.WEB)
    # The language the customer wrote in (sampark.core.language), or the one the caller gave.
    language = models.CharField(
        _("language"), max_length=8, choices=TextLanguage, default=TextLanguage.ENGLISH
    )
    requester = models.ForeignKey(
        Contact, verbose_name=_("requester"), on_delete=models.PROTECT, related_name="tickets"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    asset = models.ForeignKey(
        Asset,
        verbose_name=_("asset"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_tickets",
        help_text=_("The single point of contact: the one customer-facing agent."),
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    tier = models.CharField(_("tier"), max_length=2, choices=Tier, default=Tier.L1)
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collaborators"),
        related_name="collaborating_tickets",
        blank=True,
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), related_name="tickets", blank=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    split_from = models.ForeignKey(
        "self",
        verbose_name=_("split from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="splits",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_tickets",
    )
    # A customer wrote again about a closed ticket: the new ticket continues it.
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("follow-up of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    # Customers who get the public replies besides the requester (the Cc of an email).
    followers = models.ManyToManyField(
        Contact, verbose_name=_("followers"), related_name="followed_tickets", blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-id"]
        indexes = [
            # The group queue: active tickets by priority, then age.
            models.Index(
                fields=["group", "priority_rank", "created_at", "id"],
                condition=ACTIVE_Q,
                name="ticket_group_queue",
            ),
            models.Index(fields=["owner", "status"], name="ticket_owner_status"),
            models.Index(fields=["requester", "created_at"], name="ticket_requester_created"),
            models.Index(fields=["status", "id"], name="ticket_status_id"),
            models.Index(fields=["organization", "id"], name="ticket_org_id"),
            # An agent's scope, a part at a time, newest first (tickets.access, queries): on
            # PostgreSQL the foreign keys' own indexes do not keep the ids in order.
            models.Index(fields=["group", "id"], name="ticket_group_id"),
            models.Index(fields=["owner", "id"], name="ticket_owner_id"),
            # Every active ticket in queue order, for a scope that sees all (supervisors'
            # and admins' "active, most urgent first" list): without it the whole active
            # set is gathered and sorted (0.3 s at a million tickets on SQLite).
            models.Index(
                fields=["priority_rank", "created_at", "id"],
                condition=ACTIVE_Q,
                name="ticket_active_queue",
            ),
            # An agent's own active tickets in queue order ("my queue", and the owned part of
            # a scope in a queue).
            models.Index(
                fields=["owner", "priority_rank", "created_at", "id"],
                condition=ACTIVE_Q,
                name="ticket_owner_queue",
            ),
            # The unassigned tickets of a group in queue order (the workspace's Unassigned
            # queue and its count): without it, each unowned ticket of a large group is read
            # from the table to test its owner.
            models.Index(
                fields=["group", "priority_rank", "created_at", "id"],
                condition=ACTIVE_Q & Q(owner__isnull=True),
                name="ticket_unowned_queue",
            ),
            # The coordinator board (workspace.board): one walk of the active tickets by group
            # and owner counts each group's priorities and tiers and each agent's load, from
            # the index alone; with the opening time last, so that the unassigned tickets of a
            # supervisor's groups are counted by age here too.
            models.Index(
                fields=["group", "owner", "priority_rank", "tier", "created_at"],
                condition=ACTIVE_Q,
                name="ticket_group_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class ActiveCount(models.Model):
    """The active tickets counted by group, owner, priority rank and tier: a
    rollup of ``Ticket`` that the coordinator board reads instead of walking the active
    tickets (``tickets.active_counts``).

    Rows are changes, +1 or -1, written by database triggers on every insert, update and
    delete of a ticket (whatever the code path: a service, a bulk update, a group's deletion
    setting its tickets' group to none), in the writer's own transaction; a count is the sum
    of its rows. Writers only insert, so no two of them wait on one hot row. The worker folds
    the rows into one per key now and then (``active_counts.compact``), and the whole table
    can be rebuilt from the tickets at any time (``sampark counts rebuild``). Plain ids, not
    foreign keys: a deleted group's or agent's rows sum to nothing and go at the next
    compaction."""

    group_id = models.BigIntegerField(null=True)
    owner_id = models.BigIntegerField(null=True)
    priority_rank = models.PositiveSmallIntegerField()
    tier = models.CharField(max_length=2)
    n = models.IntegerField()

    class Meta:
        verbose_name = _("active ticket count")
        verbose_name_plural = _("active ticket counts")

    def __str__(self) -> str:
        return f"{self.group_id}/{self.owner_id}/{self.priority_rank}/{self.tier}: {self.n:+d}"


class TicketEvent(models.Model):
    """One append-only entry in a ticket's history."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Ticket opened")
        MESSAGE_IN = "message_in", _("Customer message")
        MESSAGE_OUT = "message_out", _("Public reply")
        NOTE = "note", _("Internal note")
        CALL = "call", _("Call")
        STATUS = "status", _("Status changed")
        PRIORITY = "priority", _("Priority changed")
        FIELDS = "fields", _("Fields changed")
        ASSIGNED = "assigned", _("Owner changed")
        GROUP = "group", _("Group changed")
        ESCALATED = "escalated", _("Escalated")
        DEESCALATED = "deescalated", _("Escalation closed")
        ESCALATION_ASSIGNED = "escalation_assigned", _("Escalation assigned")
        ESCALATION_WARNING = "escalation_warning", _("Escalation due soon")
        ESCALATION_OVERDUE = "escalation_overdue", _("Escalation overdue")
        SWARM_REQUESTED = "swarm_requested", _("Help requested")
        SWARM_JOINED = "swarm_joined", _("Joined to help")
        SWARM_DECLINED = "swarm_declined", _("Declined to help")
        SWARM_CLOSED = "swarm_closed", _("Help request closed")
        COLLABORATOR_ADDED = "collaborator_added", _("Collaborator added")
        COLLABORATOR_REMOVED = "collaborator_removed", _("Collaborator removed")
        REOPENED = "reopened", _("Reopened")
        SPLIT = "split", _("Split into a new ticket")
        SPLIT_FROM = "split_from", _("Split from another ticket")
        MERGED = "merged", _("Merged into another ticket")
        MERGED_FROM = "merged_from", _("Another ticket merged in")
        REQUESTER = "requester", _("Requester changed")
        SLA_WARNING = "sla_warning", _("SLA warning")
        SLA_BREACH = "sla_breach", _("SLA breached")
        FOLLOW_UP = "follow_up", _("Customer update due")
        FOLLOW_UP_OPENED = "follow_up_opened", _("Follow-up ticket opened")
        FOLLOW_UP_OF = "follow_up_of", _("Follow-up of a closed ticket")
        FOLLOWER_ADDED = "follower_added", _("Follower added")
        BOUNCE = "bounce", _("Delivery failed")
        AUTO_REPLY = "auto_reply", _("Automatic reply")
        REPLY_WITHDRAWN = "reply_withdrawn", _("Reply withdrawn before sending")

    MESSAGE_KINDS = (Kind.MESSAGE_IN, Kind.MESSAGE_OUT, Kind.NOTE)

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    public = models.BooleanField(_("public"), default=False)
    body = models.TextField(_("body"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    time_spent = models.PositiveIntegerField(_("time spent (seconds)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="event_ticket_time")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class Escalation(models.Model):
    """The work a higher tier does on an escalated ticket: its own assignee, due time and
    internal thread (notes whose event data names the escalation), while the ticket's owner
    stays the customer's one contact (``keep_owner``) or hands the ticket over (``hand_off``,
    when the target group says so). Open until de-escalation closes it; each step is also a
    TicketEvent, which stays the ticket's history."""

    class Source(models.TextChoices):
        AGENT = "agent", _("An agent")
        SLA = "sla", _("An SLA breach")
        RULE = "rule", _("A rule")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations")
    from_group = models.ForeignKey(
        Group,
        verbose_name=_("from group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_group = models.ForeignKey(
        Group,
        verbose_name=_("to group"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="escalations",
    )
    from_tier = models.CharField(_("from tier"), max_length=2, choices=Tier)
    to_tier = models.CharField(_("to tier"), max_length=2, choices=Tier)
    mode = models.CharField(_("mode"), max_length=12, choices=EscalationMode)
    source = models.CharField(_("source"), max_length=8, choices=Source, default=Source.AGENT)
    reason = models.TextField(_("reason"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    previous_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner before a hand-off"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalation_work",
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # The worker's sweep (``services.escalation.sweep_escalations``): the warning point (three
    # quarters of the group's time), and when the warning and the due time were passed. Each
    # is set once, by whichever worker passes it first, and tells people only when the ticket
    # is active then.
    warn_at = models.DateTimeField(_("due soon from"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("overdue noticed at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    close_reason = models.TextField(_("reason for closing"), blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["opened_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "opened_at", "id"], name="escalation_ticket"),
            # "Escalated to my group": the open work items of a group, nearest due first.
            models.Index(
                fields=["to_group", "due_at", "id"],
                condition=Q(closed_at__isnull=True),
                name="escalation_open_group",
            ),
            # The sweep: open items whose due time it has not passed yet, by due time; and
            # those whose warning point it has not passed (nor their due time).
            models.Index(
                fields=["due_at"],
                condition=Q(closed_at__isnull=True, overdue_at__isnull=True),
                name="escalation_due_unswept",
            ),
            models.Index(
                fields=["warn_at"],
                condition=Q(
                    closed_at__isnull=True, warned_at__isnull=True, overdue_at__isnull=True
                ),
                name="escalation_warn_unswept",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.from_tier} -> {self.to_tier}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def due_state(self, now) -> str:
        """closed, none (no due time), overdue, due_soon (past its warning point) or on_track."""
        if self.closed_at is not None:
            return "closed"
        if self.due_at is None:
            return "none"
        if self.due_at <= now:
            return "overdue"
        if self.warn_at is not None and self.warn_at <= now:
            return "due_soon"
        return "on_track"


class SwarmRequest(models.Model):
    """The owner (or a supervisor) asks named agents, a group or a skill for help on a ticket
    without handing it over. The people asked are fixed when the request is made (one
    invitation each); those who join become collaborators. Closed with a summary."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="swarms")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField(_("message"))
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    skill = models.CharField(_("skill"), max_length=50, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("swarm request")
        verbose_name_plural = _("swarm requests")
        ordering = ["opened_at", "id"]
        indexes = [models.Index(fields=["ticket", "opened_at", "id"], name="swarm_ticket")]

    def __str__(self) -> str:
        return f"#{self.ticket_id} swarm {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class SwarmInvitation(models.Model):
    """One agent asked to help in a swarm, and their answer."""

    class State(models.TextChoices):
        INVITED = "invited", _("Asked")
        JOINED = "joined", _("Joined")
        DECLINED = "declined", _("Declined")

    swarm = models.ForeignKey(SwarmRequest, on_delete=models.CASCADE, related_name="invitations")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="swarm_invitations"
    )
    state = models.CharField(_("state"), max_length=8, choices=State, default=State.INVITED)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("swarm invitation")
        verbose_name_plural = _("swarm invitations")
        constraints = [
            models.UniqueConstraint(fields=["swarm", "agent"], name="swarm_invitation_once")
        ]
        # "Swarm requests for me": an agent's open invitations.
        indexes = [models.Index(fields=["agent", "state", "swarm"], name="swarm_invitation_agent")]

    def __str__(self) -> str:
        return f"{self.agent_id} in swarm {self.swarm_id}: {self.state}"


def attachment_path(attachment: "Attachment", filename: str) -> str:
    """Stored under the ticket's number range and a random name: the file's own name is shown
    from the row, never trusted as a path."""
    return f"attachments/{attachment.ticket_id // 1000:06d}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file that came with a message (an email's attachment or inline image, an upload on a
    reply). Served only through the access layer, never from a public URL."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        TicketEvent, on_delete=models.CASCADE, related_name="attachments", null=True, blank=True
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    # What the bytes are (sniffed), and what the sender said they were.
    content_type = models.CharField(_("type"), max_length=127)
    declared_type = models.CharField(_("declared type"), max_length=127, blank=True)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    # An inline image of an HTML email is referred to by its Content-ID (cid:...).
    content_id = models.CharField(_("content ID"), max_length=255, blank=True)
    inline = models.BooleanField(_("inline"), default=False)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]
        indexes = [models.Index(fields=["ticket", "id"], name="attachment_ticket")]

    def __str__(self) -> str:
        return self.filename
