"""The ticket page's input rules: the composer, and one small form per action. Every form that
changes the ticket carries the version the agent read (``version``) and the newest event the
page showed (``seen``), so that a change made meanwhile is shown instead of overwritten."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from sampark.mail.parsing import sniff
from sampark.team.models import Group
from sampark.tickets.models import Priority, Status
from sampark.tickets.services import CallDirection, NewAttachment

from .models import Draft
from .services.ticket_page import Composed

User = get_user_model()
MAX_MINUTES = 24 * 60


class VersionedForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    seen = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Any number of files from one input (``<input type=file multiple>``)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data if item]
        return [one(data, initial)] if data else []


def _as_attachment(upload) -> NewAttachment:
    """An uploaded file as the attachments service keeps it: its type is what its bytes say
    (the browser's word is kept as the declared type)."""
    data = upload.read()
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    return NewAttachment(
        filename=upload.name,
        content_type=sniff(data) or declared or "application/octet-stream",
        declared_type=declared,
        data=data,
    )


class ComposerForm(VersionedForm):
    """A reply, an internal note or a call log. For a draft (``for_draft``) nothing is
    required: whatever is typed is kept."""

    kind = forms.ChoiceField(label=_("Write"), choices=Draft.Kind.choices, initial=Draft.Kind.REPLY)
    body = forms.CharField(
        label=_("Message"),
        max_length=10_000,
        strip=False,
        error_messages={"required": _("Write something to send.")},
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    time_spent_minutes = forms.IntegerField(
        label=_("Time spent (minutes)"), min_value=0, max_value=MAX_MINUTES, required=False
    )
    status = forms.ChoiceField(
        label=_("Status on send"),
        choices=[("", _("Leave as it is")), *Status.choices],
        required=False,
    )
    call_direction = forms.ChoiceField(
        label=_("Call direction"),
        choices=[(CallDirection.OUTBOUND, _("Outbound")), (CallDirection.INBOUND, _("Inbound"))],
        initial=CallDirection.OUTBOUND,
        required=False,
    )
    call_minutes = forms.IntegerField(
        label=_("Call duration (minutes)"), min_value=0, max_value=MAX_MINUTES, required=False
    )

    attachments = FilesField(label=_("Attach files"), required=False)

    def __init__(self, *args, for_draft: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if for_draft:
            for name in ("body", "version"):
                self.fields[name].required = False

    def clean(self):
        data = super().clean()
        if data.get("kind") == Draft.Kind.CALL and not data.get("call_direction"):
            self.add_error("call_direction", _("Choose inbound or outbound."))
        files = data.get("attachments") or []
        if files and data.get("kind") == Draft.Kind.CALL:
            self.add_error("attachments", _("Files go with a reply or a note, not a call log."))
        limit = settings.SAMPARK_REPLY_ATTACHMENTS_MAX_BYTES
        if (total := sum(f.size for f in files)) > limit:
            self.add_error(
                "attachments",
                _(
                    "The files come to %(size)s; one reply or note may carry %(limit)s. Nothing "
                    "was sent and your text is kept: choose smaller files, or fewer."
                )
                % {"size": filesizeformat(total), "limit": filesizeformat(limit)},
            )
        return data

    def composed(self) -> Composed:
        data = self.cleaned_data
        return Composed(
            kind=data["kind"],
            body=data.get("body") or "",
            time_spent_minutes=data.get("time_spent_minutes"),
            status=data.get("status") or "",
            call_direction=data.get("call_direction") or "",
            call_minutes=data.get("call_minutes"),
            attachments=tuple(_as_attachment(f) for f in data.get("attachments") or []),
        )


class ViewerForm(forms.Form):
    """The page's heartbeat carries the composer's text: someone with words in it is replying."""

    body = forms.CharField(required=False, strip=False, max_length=10_000)
    version = forms.IntegerField(required=False)


AGENTS = User.objects.filter(is_active=True, agent__isnull=False)


class OwnerForm(VersionedForm):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=AGENTS, required=False)
    take = forms.BooleanField(required=False)


class CollaboratorForm(forms.Form):
    agent = forms.ModelChoiceField(label=_("Collaborator"), queryset=AGENTS)
    remove = forms.BooleanField(required=False)


class EscalateForm(VersionedForm):
    """Escalate: to the group chosen, or (none chosen) to the next group in the chain."""

    group = forms.ModelChoiceField(label=_("Group"), queryset=Group.objects.all(), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        error_messages={"required": _("Say why, for the next person who reads the ticket.")},
    )


class DeescalateForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        error_messages={"required": _("Say why, for the next person who reads the ticket.")},
    )


class EscalationAssignForm(forms.Form):
    escalation = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    agent = forms.ModelChoiceField(label=_("Assignee"), queryset=AGENTS, required=False)
    take = forms.BooleanField(required=False)


class EscalationNoteForm(forms.Form):
    escalation = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Note"),
        max_length=10_000,
        error_messages={"required": _("Write something to send.")},
    )


class SwarmForm(forms.Form):
    """Ask for help: named agents, a group, a skill, or any mix of them."""

    message = forms.CharField(
        label=_("What help do you need?"),
        max_length=2000,
        error_messages={"required": _("Say what help you need.")},
    )
    agents = forms.ModelMultipleChoiceField(label=_("Agents"), queryset=AGENTS, required=False)
    group = forms.ModelChoiceField(label=_("Group"), queryset=Group.objects.all(), required=False)
    skill = forms.CharField(label=_("Skill"), max_length=50, required=False)


class SwarmNoteForm(forms.Form):
    swarm = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Your contribution"),
        max_length=10_000,
        error_messages={"required": _("Write something to send.")},
    )


class SwarmCloseForm(forms.Form):
    swarm = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=5000,
        error_messages={"required": _("Sum up what the swarm found.")},
    )


class SwarmAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("join", "join"), ("decline", "decline")])


class EventIdsField(forms.TypedMultipleChoiceField):
    """Event ids ticked in the timeline; which of them belong to the ticket is the split
    service's to check."""

    def valid_value(self, value) -> bool:
        return str(value).isdigit() and len(str(value)) < 19


class SplitForm(VersionedForm):
    event_ids = EventIdsField(
        label=_("Messages"),
        coerce=int,
        error_messages={"required": _("Tick the messages to move in the timeline.")},
    )
    subject = forms.CharField(label=_("Subject of the new ticket"), max_length=255)


class MergeForm(VersionedForm):
    number = forms.IntegerField(label=_("Merge into ticket number"), min_value=1)


class PriorityForm(VersionedForm):
    priority = forms.ModelChoiceField(
        label=_("Priority"), queryset=Priority.objects.all(), to_field_name="code"
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        error_messages={"required": _("Say why, for the next person who reads the ticket.")},
    )


class StatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
