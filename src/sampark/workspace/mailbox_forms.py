"""Input rules of the mailbox screen and the page of mail waiting for a person. The rules of a
mailbox as a whole (one default, unique address, ports and security that agree) are the mail
service's; its refusals come back as errors on the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sampark.mail.models import Mailbox
from sampark.mail.services.mailboxes import FIELDS as MAILBOX_FIELDS
from sampark.mail.services.mailboxes import MAX_PASSWORD, MAX_UNDO_SECONDS, PASSWORDS
from sampark.team.models import Group

# The service's fields, the address first: the order of the screen.
FIELDS = (
    "address",
    "display_name",
    *(n for n in MAILBOX_FIELDS if n not in ("address", "display_name")),
)
SERVERS = ("imap", "smtp")


class PasswordField(forms.CharField):
    """Write-only: the box is always shown empty; left empty, the stored password stays."""

    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            strip=False,
            max_length=MAX_PASSWORD,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
            **kwargs,
        )

    def has_changed(self, initial, data):
        return bool(data)


class MailboxForm(forms.ModelForm):
    """A mailbox to add or change. Never saved by itself: the view hands
    :meth:`service_fields` to ``save_mailbox``."""

    imap_password = PasswordField(label=_("IMAP password"))
    smtp_password = PasswordField(label=_("SMTP password"))
    imap_port = forms.IntegerField(
        label=_("IMAP port"), required=False, min_value=1, max_value=65535
    )
    smtp_port = forms.IntegerField(
        label=_("SMTP port"), required=False, min_value=1, max_value=65535
    )
    undo_seconds = forms.IntegerField(
        label=_("Undo window (seconds)"),
        min_value=0,
        max_value=MAX_UNDO_SECONDS,
        help_text=_("How long a reply waits before it leaves, so that the agent can take it back."),
    )
    skip_test = forms.BooleanField(
        label=_("Save without testing the servers"),
        required=False,
        help_text=_("For a server that is not up yet. Mail will not flow until it answers."),
    )

    class Meta:
        model = Mailbox
        fields = FIELDS
        labels = {
            "address": _("Email address"),
            "display_name": _("Display name"),
            "name": _("Name on the screens"),
            "group": _("Default group"),
            "auto_reply": _("Send an acknowledgement to new tickets"),
            "is_default": _("Default mailbox"),
            "active": _("Active"),
            "imap_host": _("IMAP server"),
            "imap_security": _("IMAP security"),
            "imap_username": _("IMAP user name"),
            "imap_folder": _("IMAP folder"),
            "imap_done_folder": _("Move stored mail to folder"),
            "smtp_host": _("SMTP server"),
            "smtp_security": _("SMTP security"),
            "smtp_username": _("SMTP user name"),
        }
        help_texts = {
            "display_name": _("The name customers see on replies, such as “Acme Support”."),
            "name": _("Blank: the display name."),
            "group": _("New tickets from this mailbox open in this group."),
            "is_default": _("Mail to an address no mailbox names lands here. One mailbox is."),
            "imap_host": _("Blank: mail arrives by the listener or the pipe instead of polling."),
            "imap_done_folder": _("Blank: stored mail is only marked as read."),
            "smtp_host": _("Blank: replies go out through the help desk's own mail server."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Group.objects.order_by("tier", "name")
        self.fields["name"].required = False
        self.fields["imap_folder"].required = False
        for name in PASSWORDS:
            if self.instance.pk and getattr(self.instance, name):
                self.fields[name].help_text = _(
                    "A password is stored. Leave blank to keep it; type a new one to replace it."
                )

    def sections(self):
        """The fields in the screen's three boxes: the address, mail in, mail out."""
        return [
            (_("The address"), [self[n] for n in FIELDS if not n.startswith(SERVERS)]),
            (_("Mail in (IMAP)"), [self[n] for n in FIELDS if n.startswith("imap_")]),
            (_("Mail out (SMTP)"), [self[n] for n in FIELDS if n.startswith("smtp_")]),
        ]

    def _post_clean(self):
        """No model validation and no change to the instance: the service checks the mailbox
        as a whole, against the stored row."""

    def service_fields(self) -> dict:
        """The cleaned input as ``save_mailbox`` takes it: every field when adding, only the
        changed ones when changing (a blank password is no change)."""
        data = self.cleaned_data
        names = [n for n in FIELDS if not self.instance.pk or n in self.changed_data]
        return {name: data[name] for name in names if name in data}

    def servers_changed(self) -> set[str]:
        """The servers whose settings this submission changes: the ones tested on save."""
        return {name.split("_")[0] for name in self.changed_data if name.startswith(SERVERS)}
