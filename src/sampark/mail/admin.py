"""The admin for the email channel: mailboxes, saved through the mailbox service (and their
changed servers tested first, as on the workspace's mailbox screen), and the mail received and
sent, which only the services write.

Passwords are write-only here as everywhere: the boxes are always empty, and an empty box keeps
the stored password. Mailboxes are deleted on the workspace's mailbox screen or through the
API, which refuse the default and the last one."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sampark.core.errors import InvalidInput
from sampark.customers.admin import ReadOnlyModelAdmin, ServiceModelAdmin

from .models import InboundMessage, Mailbox, OutboundMessage
from .services import mailboxes as services


class WriteOnlyPassword(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            strip=False,
            max_length=services.MAX_PASSWORD,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
            help_text=_("Leave blank to keep the stored password."),
            **kwargs,
        )

    def has_changed(self, initial, data):
        return bool(data)


class MailboxAdminForm(forms.ModelForm):
    imap_password = WriteOnlyPassword(label=_("IMAP password"))
    smtp_password = WriteOnlyPassword(label=_("SMTP password"))
    skip_test = forms.BooleanField(
        label=_("Save without testing the servers"),
        required=False,
        help_text=_("For a server that is not up yet. Mail will not flow until it answers."),
    )

    class Meta:
        model = Mailbox
        fields = services.FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = _("Blank: the display name.")


@admin.register(Mailbox)
class MailboxAdmin(ServiceModelAdmin):
    form = MailboxAdminForm
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "address",
                    "display_name",
                    "name",
                    "group",
                    ("auto_reply", "is_default", "active"),
                    "undo_seconds",
                )
            },
        ),
        (
            _("Mail in (IMAP)"),
            {
                "fields": (
                    ("imap_host", "imap_port", "imap_security"),
                    ("imap_username", "imap_password"),
                    ("imap_folder", "imap_done_folder"),
                )
            },
        ),
        (
            _("Mail out (SMTP)"),
            {
                "fields": (
                    ("smtp_host", "smtp_port", "smtp_security"),
                    ("smtp_username", "smtp_password"),
                )
            },
        ),
        (None, {"fields": ("skip_test",)}),
        (_("State"), {"fields": ("last_polled_at", "last_error", "imap_last_uid")}),
    )
    readonly_fields = ("last_polled_at", "last_error", "imap_last_uid")
    list_display = (
        "address",
        "display_name",
        "group",
        "is_default",
        "auto_reply",
        "active",
        "imap_host",
        "smtp_host",
        "last_polled_at",
    )
    list_select_related = ("group",)
    search_fields = ("address", "name", "display_name")

    def save_through_service(self, request, obj, form, change):
        current = self.current(obj)
        fields = self.changes(form, change, services.FIELDS)
        servers = {name.split("_")[0] for name in fields if name.startswith(("imap_", "smtp_"))}
        if servers and not form.cleaned_data.get("skip_test"):
            # Slow I/O inside the admin's transaction: a configuration change, once in a while.
            draft = services.draft(current, services.clean_mailbox(fields, current))
            for kind, problem in services.check_servers(draft, only=servers).items():
                if problem:
                    raise InvalidInput(problem, field=f"{kind}_host")
        return services.save_mailbox(current, **fields)


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyModelAdmin):
    """Every message received, with what became of it; the ones waiting for a person are on
    the workspace's "Mail needing attention" page."""

    list_display = ("received_at", "sender", "subject", "mailbox", "outcome", "needs_attention")
    list_filter = ("outcome", "needs_attention", "via", "mailbox")
    list_select_related = ("mailbox",)
    search_fields = ("sender", "subject", "message_id")
    date_hierarchy = "received_at"
    fields = (
        "received_at",
        "via",
        "mailbox",
        "sender",
        "subject",
        "message_id",
        "kind",
        "outcome",
        "reason",
        "ticket",
        "needs_attention",
        "dismissed_by",
        "dismissed_at",
        "size",
        "sha256",
    )


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyModelAdmin):
    list_display = ("created_at", "subject", "kind", "status", "attempts", "mailbox", "ticket")
    list_filter = ("status", "kind", "mailbox")
    list_select_related = ("mailbox", "ticket")
    search_fields = ("subject", "message_id")
    fields = (
        "created_at",
        "mailbox",
        "ticket",
        "kind",
        "recipients",
        "cc",
        "subject",
        "message_id",
        "in_reply_to",
        "body",
        "language",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
    )
