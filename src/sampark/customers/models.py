"""Customer records: one person across every channel.

A Contact is a person; each way of reaching them (an email address, a phone number, a chat
visitor id, a messaging handle) is an Identity, unique per kind and stored normalised, so the
same person writing by email and calling by phone is found as one Contact.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    HINDI = "hi", _("Hindi")


class Organization(models.Model):
    class Tier(models.TextChoices):
        STANDARD = "standard", _("Standard")
        BUSINESS = "business", _("Business")
        ENTERPRISE = "enterprise", _("Enterprise")

    name = models.CharField(_("name"), max_length=200, unique=True)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier, default=Tier.STANDARD)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_organizations",
        help_text=_("The account's single point of contact and advocate inside the company."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganizationDomain(models.Model):
    """An email domain that belongs to an organization; new contacts from it join it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=253, unique=True)

    class Meta:
        verbose_name = _("organization domain")
        verbose_name_plural = _("organization domains")
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class Contact(models.Model):
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=Language, default=Language.ENGLISH
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Kolkata")
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_contacts",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Identity(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        CHAT = "chat", _("Chat visitor")
        MESSAGING = "messaging", _("Messaging handle")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    value = models.CharField(_("value"), max_length=254)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Mail to this address bounced for good (a permanent delivery failure): shown on the
    # contact, so that an agent reaches them another way. Cleared when they write again.
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    bounce_reason = models.CharField(_("bounce reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="identity_unique_kind_value")
        ]
        ordering = ["kind", "value"]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class ContactMerge(models.Model):
    """The record of one contact merged into another (identities and tickets moved)."""

    source = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="merges")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moved_identities = models.JSONField(default=list)
    moved_ticket_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact merge")
        verbose_name_plural = _("contact merges")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"


class Asset(models.Model):
    """Equipment, a product or a contract that a customer asks about."""

    name = models.CharField(_("name"), max_length=200, blank=True)
    model_number = models.CharField(_("model number"), max_length=100, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True, db_index=True)
    licence = models.CharField(_("licence or contract number"), max_length=100, blank=True)
    account_number = models.CharField(_("account number"), max_length=100, blank=True)
    location = models.CharField(_("location of the equipment"), max_length=300, blank=True)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["id"]

    def __str__(self) -> str:
        label = self.name or self.model_number or _("Asset")
        return f"{label} {self.serial_number}".strip()
