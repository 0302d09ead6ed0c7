"""The email channel's records: the mailboxes, every message received (stored raw before it is
read, so nothing received is ever lost), the Message-IDs that thread replies to tickets, and
every message sent with its delivery state."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sampark.team.models import Group
from sampark.tickets.models import Ticket, TicketEvent


class Security(models.TextChoices):
    TLS = "tls", _("TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (trusted local network only)")


class Mailbox(models.Model):
    """A support address. Mail to it opens and continues tickets in its group; replies on those
    tickets go out from it. Inbound by IMAP polling (when ``imap_host`` is set), by ``sampark
    mail listen`` (an MTA delivers to it) or ``sampark mail ingest`` (a pipe). Outbound by its
    own SMTP server, else the instance's (``SAMPARK_EMAIL_*``)."""

    name = models.CharField(_("name"), max_length=100)
    address = models.EmailField(_("address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    group = models.ForeignKey(
        Group,
        verbose_name=_("default group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mailboxes",
    )
    auto_reply = models.BooleanField(_("send an acknowledgement"), default=True)
    is_default = models.BooleanField(_("default mailbox"), default=False)
    active = models.BooleanField(_("active"), default=True)
    # How long a public reply waits before it leaves, so that the agent can take it back.
    undo_seconds = models.PositiveSmallIntegerField(_("undo window (seconds)"), default=10)

    imap_host = models.CharField(_("IMAP server"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), null=True, blank=True)
    imap_security = models.CharField(
        _("IMAP security"), max_length=8, choices=Security, default=Security.TLS
    )
    imap_username = models.CharField(_("IMAP user name"), max_length=255, blank=True)
    imap_password = models.TextField(_("IMAP password (encrypted)"), blank=True)
    imap_folder = models.CharField(_("IMAP folder"), max_length=255, default="INBOX")
    # Where a message is moved once it is stored; blank: it is only marked as seen.
    imap_done_folder = models.CharField(_("move stored mail to"), max_length=255, blank=True)
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True)
    imap_last_uid = models.BigIntegerField(default=0)

    smtp_host = models.CharField(_("SMTP server"), max_length=255, blank=True)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), null=True, blank=True)
    smtp_security = models.CharField(
        _("SMTP security"), max_length=8, choices=Security, default=Security.STARTTLS
    )
    smtp_username = models.CharField(_("SMTP user name"), max_length=255, blank=True)
    smtp_password = models.TextField(_("SMTP password (encrypted)"), blank=True)

    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["-is_default", "address"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="mailbox_one_default"
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name or self.name} <{self.address}>"


def raw_path(message: InboundMessage, filename: str) -> str:
    return f"mail/raw/{message.sha256[:2]}/{message.sha256}.eml"


class InboundMessage(models.Model):
    """One message received, by any path, stored once: ``key`` is its Message-ID, or the
    digest of its bytes when it has none. The raw bytes are kept as they came."""

    class Via(models.TextChoices):
        IMAP = "imap", _("IMAP")
        LISTENER = "listener", _("SMTP/LMTP listener")
        PIPE = "pipe", _("Pipe")

    class Outcome(models.TextChoices):
        CREATED = "created", _("Opened a ticket")
        APPENDED = "appended", _("Added to a ticket")
        FOLLOW_UP = "follow_up", _("Opened a follow-up ticket")
        BOUNCE = "bounce", _("Delivery failure recorded")
        AUTO_REPLY = "auto_reply", _("Automatic reply recorded")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Could not be read")

    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound"
    )
    key = models.CharField(max_length=255, unique=True)
    message_id = models.TextField(_("Message-ID"), blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    raw = models.FileField(_("original"), upload_to=raw_path, max_length=200)
    via = models.CharField(_("received by"), max_length=8, choices=Via)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=12, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome)
    reason = models.TextField(_("reason"), blank=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mail"
    )
    event = models.ForeignKey(
        TicketEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Rejected and unreadable mail waits for a person, who reads it and clears the flag.
    needs_attention = models.BooleanField(_("needs attention"), default=False)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dismissed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("received email")
        verbose_name_plural = _("received email")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=Q(needs_attention=True),
                name="inbound_attention",
            ),
            models.Index(fields=["ticket", "id"], name="inbound_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"


class MailReference(models.Model):
    """A Message-ID we sent or received, and the ticket it belongs to: how a reply's
    In-Reply-To and References find their ticket. ``digest`` is the SHA-256 of the id (ids can
    be 998 characters long; the digest indexes well everywhere)."""

    digest = models.CharField(max_length=64)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    outbound = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["digest", "ticket"], name="mailref_digest_ticket")
        ]

    def __str__(self) -> str:
        return f"{self.digest[:12]} → {self.ticket_id}"


def new_message_id(domain: str) -> str:
    return f"{uuid.uuid4().hex}@{domain or 'sampark.invalid'}"


class OutboundMessage(models.Model):
    """One message sent (or to be sent) to customers: a public reply, or an acknowledgement.
    Never silently lost: it is queued in the same transaction as what caused it, and the worker
    retries a failed send with backoff until it is sent or given up with its reason."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        ACKNOWLEDGEMENT = "ack", _("Acknowledgement")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Not delivered yet")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Retrying")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Withdrawn")

    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbound"
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="outbound_mail")
    event = models.ForeignKey(
        TicketEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind)
    # The agent who wrote a reply: the one who may take it back within the undo window.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_address = models.CharField(_("from"), max_length=400, blank=True)
    reply_to = models.CharField(_("reply to"), max_length=400, blank=True)
    # The first recipient, lower-cased: what the per-sender limit on acknowledgements counts.
    to_address = models.CharField(_("to address"), max_length=254, blank=True)
    recipients = models.JSONField(_("to"), default=list)
    cc = models.JSONField(_("cc"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    in_reply_to = models.TextField(blank=True)
    references = models.TextField(blank=True)
    body = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    status = models.CharField(_("delivery"), max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("sent email")
        verbose_name_plural = _("sent email")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["queued", "retrying"]),
                name="outbound_due",
            ),
            models.Index(fields=["ticket", "id"], name="outbound_ticket"),
            models.Index(
                fields=["to_address", "created_at"],
                condition=Q(kind="ack"),
                name="outbound_ack_to",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.recipients)}"
