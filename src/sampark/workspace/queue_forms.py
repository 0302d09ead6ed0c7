"""Input rules of the queues: the page's sort and cursor, a saved view's filters, and the bulk
actions on selected rows."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from sampark.core.language import TextLanguage
from sampark.customers.models import Organization
from sampark.team.models import AgentProfile, Group
from sampark.tickets.models import ACTIVE_STATUSES, Channel, Priority, Status, tag_name

from . import queues
from .models import SavedView

User = get_user_model()


class QueuePageForm(forms.Form):
    order = forms.ChoiceField(choices=SavedView.Order.choices, required=False)
    cursor = forms.CharField(required=False, max_length=500)


def _agents() -> list[tuple[str, str]]:
    rows = AgentProfile.objects.select_related("user").order_by("user__first_name", "user__email")
    return [(str(p.user_id), p.user.get_full_name() or p.user.email) for p in rows]


class ViewForm(forms.Form):
    """A saved view: a name, the filters (several values each), the sort and the sharing."""

    name = forms.CharField(label=_("Name"), max_length=80)
    statuses = forms.MultipleChoiceField(
        label=_("Status"),
        required=False,
        choices=[(s.value, s.label) for s in ACTIVE_STATUSES],
        widget=forms.CheckboxSelectMultiple,
    )
    priorities = forms.MultipleChoiceField(
        label=_("Priority"), required=False, widget=forms.CheckboxSelectMultiple
    )
    groups = forms.TypedMultipleChoiceField(label=_("Group"), required=False, coerce=int)
    owners = forms.MultipleChoiceField(label=_("Owner"), required=False)
    channels = forms.MultipleChoiceField(
        label=_("Channel"),
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Language"),
        required=False,
        choices=TextLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Separate tags with commas.")
    )
    organizations = forms.TypedMultipleChoiceField(
        label=_("Organization"), required=False, coerce=int
    )
    sla_states = forms.MultipleChoiceField(
        label=_("SLA"),
        required=False,
        choices=list(queues.SLA_STATES.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    order = forms.ChoiceField(label=_("Sort by"), choices=SavedView.Order.choices)
    shared_with = forms.TypedChoiceField(
        label=_("Shared with"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, user, group_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priorities"].choices = list(
            Priority.objects.order_by("rank").values_list("code", "code")
        )
        groups = list(Group.objects.order_by("name").values_list("pk", "name"))
        self.fields["groups"].choices = groups
        self.fields["owners"].choices = [
            ("me", _("Me")),
            ("nobody", _("Nobody (unassigned)")),
            *_agents(),
        ]
        self.fields["organizations"].choices = list(
            Organization.objects.order_by("name").values_list("pk", "name")[:500]
        )
        self.fields["shared_with"].choices = [("", _("Only me"))] + [
            (pk, name) for pk, name in groups if pk in group_ids
        ]

    def filters(self) -> queues.QueueFilters:
        data = self.cleaned_data
        tags = [tag_name(t) for t in data["tags"].split(",") if t.strip()]
        return queues.QueueFilters(
            statuses=tuple(data["statuses"]),
            priorities=tuple(data["priorities"]),
            groups=tuple(data["groups"]),
            owners=tuple(data["owners"]),
            channels=tuple(data["channels"]),
            languages=tuple(data["languages"]),
            tags=tuple(dict.fromkeys(tags)),
            organizations=tuple(data["organizations"]),
            sla_states=tuple(data["sla_states"]),
        )

    @staticmethod
    def initial_of(view: SavedView) -> dict:
        stored = view.filters
        return {
            **stored,
            "tags": ", ".join(stored.get("tags", [])),
            "name": view.name,
            "order": view.order,
            "shared_with": view.shared_with_id or "",
        }


BULK_ACTIONS = [
    ("priority", _("Set priority")),
    ("status", _("Set status")),
    ("owner", _("Assign to")),
    ("tag", _("Add tag")),
    ("merge", _("Merge into ticket")),
]


class BulkForm(forms.Form):
    """The selected rows (``id:version`` as the page showed them) and one action."""

    selected = forms.MultipleChoiceField(label=_("Selected tickets"))
    action = forms.ChoiceField(label=_("Action"), choices=BULK_ACTIONS)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *Status.choices]
    )
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    into = forms.IntegerField(label=_("Ticket number to merge into"), required=False, min_value=1)
    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = [("", "—")] + list(
            Priority.objects.order_by("rank").values_list("code", "code")
        )
        self.fields["owner"].choices = [("", "—"), *_agents()]
        self.fields["selected"].choices = [(v, v) for v in self.data.getlist("selected")]

    def clean_selected(self):
        pairs = []
        for value in self.cleaned_data["selected"]:
            ticket_id, _sep, version = value.partition(":")
            if not (ticket_id.isdigit() and version.isdigit()):
                raise forms.ValidationError(_("Select tickets from the list."))
            pairs.append((int(ticket_id), int(version)))
        return pairs[:100]

    def clean(self):
        data = super().clean()
        action = data.get("action")
        needs = {
            "priority": "priority",
            "status": "status",
            "owner": "owner",
            "tag": "tag",
            "merge": "into",
        }
        name = needs.get(action)
        if name and data.get(name) in (None, ""):
            self.add_error(name, _("Choose a value for this action."))
        if action == "priority" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the priority changes."))
        return data
