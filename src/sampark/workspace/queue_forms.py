"""Input rules of the queues: the page's sort and cursor, a saved view's filters, and the bulk
actions on selected rows."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sampark.core.language import TextLanguage
from sampark.customers.models import Organization
from sampark.db import configuration
from sampark.team.models import AgentProfile, Group, Tier
from sampark.tickets.models import ACTIVE_STATUSES, Channel, Priority, Status, tag_name

from . import queues
from .models import SavedView
from .templatetags.workspace import localised_name

User = get_user_model()


class QueuePageForm(forms.Form):
    order = forms.ChoiceField(choices=SavedView.Order.choices, required=False)
    cursor = forms.CharField(required=False, max_length=500)


@configuration.cached
def _agents() -> tuple[tuple[str, str], ...]:
    """Every agent as a choice (user id, name), kept while the configuration holds."""
    rows = AgentProfile.objects.select_related("user").order_by("user__first_name", "user__email")
    return tuple((str(p.user_id), p.user.get_full_name() or p.user.email) for p in rows)


@configuration.cached
def _priority_codes() -> tuple[str, ...]:
    return tuple(Priority.objects.order_by("rank").values_list("code", flat=True))


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
        self.fields["priorities"].choices = [(code, code) for code in _priority_codes()]
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


class _Values(forms.Field):
    """Every value of a repeated parameter (``?owner=me&owner=12``), each checked by
    ``check``, which returns it cleaned or raises ValidationError."""

    widget = forms.MultipleHiddenInput

    def __init__(self, check, **kwargs):
        super().__init__(required=False, **kwargs)
        self.check = check

    def to_python(self, value):
        values = [self.check(v) for v in (value or [])]
        if len(values) > MAX_VALUES:
            raise forms.ValidationError(_("Too many values."))
        return tuple(dict.fromkeys(values))


MAX_VALUES = 100
_INVALID = {"invalid_choice": _("“%(value)s” is not one of the values this filter takes.")}


def _number(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 2**63:
        raise forms.ValidationError(_("“%(value)s” is not a number."), params={"value": value[:20]})
    return int(value)


def _group(value: str) -> int | None:
    return None if value == "none" else _number(value)


def _owner(value: str) -> str:
    if value in ("me", "nobody"):
        return value
    return str(_number(value))


def _tag(value: str) -> str:
    name = tag_name(value)
    if not name or len(name) > 50:
        raise forms.ValidationError(_("A tag has 1 to 50 characters."))
    return name


def _choices(options) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(required=False, choices=options, error_messages=_INVALID)


class QueueFilterForm(forms.Form):
    """An ad-hoc queue's filters, read from its address: ``/queues/filter/?priority=P1&group=3
    &sla=breached`` (``QueueFilters.as_query`` writes it; the parameters are
    ``queues.QUERY_PARAMETERS``), with the page's sort and cursor. A parameter or a value it
    does not know is refused, never ignored: a filter left out would list more tickets than
    the link promised."""

    status = _choices([(s.value, s.label) for s in ACTIVE_STATUSES])
    priority = _choices([])
    group = _Values(_group)
    owner = _Values(_owner)
    channel = _choices(Channel.choices)
    language = _choices(TextLanguage.choices)
    tag = _Values(_tag)
    organization = _Values(_number)
    sla = _choices(list(queues.SLA_STATES.items()))
    tier = _choices(Tier.choices)
    update = _choices(list(queues.UPDATE_STATES.items()))
    escalated = _Values(_number)  # groups with an open escalation of the ticket
    created_after = forms.DateTimeField(required=False)
    created_before = forms.DateTimeField(required=False)
    order = forms.ChoiceField(choices=SavedView.Order.choices, required=False)
    cursor = forms.CharField(required=False, max_length=500)

    def __init__(self, data, *, time_zone: str = ""):
        super().__init__(data)
        self.time_zone = time_zone
        self.names: dict[str, dict] = {}
        if "priority" in data:
            self.fields["priority"].choices = [(code, code) for code in _priority_codes()]

    def _named(self, name: str, rows, label) -> tuple:
        """The ids of parameter ``name``, each of a row in ``rows`` (whose names the
        description shows)."""
        ids = self.cleaned_data[name]
        self.names[name] = {None: gettext("No group")}
        if not ids:
            return ids
        self.names[name] |= {row.pk: label(row) for row in rows.filter(pk__in=ids)}
        missing = [str(i) for i in ids if i not in self.names[name]]
        if missing:
            raise forms.ValidationError(
                _("Nothing has the number %(ids)s."), params={"ids": ", ".join(missing[:5])}
            )
        return ids

    def clean_group(self):
        return self._named("group", Group.objects.only("name", "name_hi"), localised_name)

    def clean_organization(self):
        return self._named("organization", Organization.objects.only("name"), str)

    def clean_escalated(self):
        return self._named("escalated", Group.objects.only("name", "name_hi"), localised_name)

    def clean_owner(self):
        owners = self.cleaned_data["owner"]
        ids = [int(o) for o in owners if o.isdigit()]
        if ids:
            rows = User.objects.filter(pk__in=ids, agent__isnull=False)
            self.names["owner"] = {
                str(u.pk): u.get_full_name() or u.email
                for u in rows.only("first_name", "last_name", "email")
            }
            missing = [str(i) for i in ids if str(i) not in self.names["owner"]]
            if missing:
                raise forms.ValidationError(
                    _("No agent has the number %(ids)s."), params={"ids": ", ".join(missing[:5])}
                )
        return owners

    def clean(self):
        data = super().clean()
        unknown = sorted(set(self.data) - set(self.fields))
        if unknown:
            raise forms.ValidationError(
                _("“%(name)s” is not a filter of a queue."), params={"name": unknown[0][:40]}
            )
        after, before = data.get("created_after"), data.get("created_before")
        if after and before and after >= before:
            self.add_error("created_before", _("Comes before the start of the range."))
        return data

    def problem(self) -> str:
        """What is wrong with the address, in one sentence."""
        found = []
        for name, errors in self.errors.items():
            label = "" if name == NON_FIELD_ERRORS else f"{name}: "
            found += [f"{label}{error}" for error in errors]
        return gettext("This queue's address is not valid: %(problems)s") % {
            "problems": " ".join(found)
        }

    def filters(self) -> queues.QueueFilters:
        data = self.cleaned_data
        return queues.QueueFilters(
            statuses=tuple(data["status"]),
            priorities=tuple(data["priority"]),
            groups=data["group"],
            owners=data["owner"],
            channels=tuple(data["channel"]),
            languages=tuple(data["language"]),
            tags=data["tag"],
            organizations=data["organization"],
            sla_states=tuple(data["sla"]),
            tiers=tuple(data["tier"]),
            escalated_to=tuple(data["escalated"]),
            updates=tuple(data["update"]),
            created_after=data["created_after"],
            created_before=data["created_before"],
            day_end=queues.end_of_day(self.time_zone),
        )

    def description(self) -> str:
        """The filters in words, most telling first: "P1 · Billing · SLA breached"."""
        data = self.cleaned_data
        labels = {
            name: dict(self.fields[name].choices)
            for name in ("status", "channel", "language", "sla", "tier", "update")
        }
        owners = {"me": gettext("Mine"), "nobody": gettext("Unassigned")}
        owners.update(self.names.get("owner", {}))
        words = [
            ", ".join(data["priority"]),
            ", ".join(self.names["group"][g] for g in data["group"]),
            ", ".join(str(labels["status"][s]) for s in data["status"]),
            ", ".join(owners[o] for o in data["owner"]),
            ", ".join(str(labels["tier"][t]) for t in data["tier"]),
            _words(
                gettext("Escalated to %(states)s"),
                [self.names["escalated"][g] for g in data["escalated"]],
            ),
            _words(gettext("SLA: %(states)s"), [labels["sla"][s] for s in data["sla"]]),
            ", ".join(str(labels["update"][u]) for u in data["update"]),
            _opened(data["created_after"], data["created_before"]),
            ", ".join(str(labels["channel"][c]) for c in data["channel"]),
            ", ".join(str(labels["language"][c]) for c in data["language"]),
            ", ".join(f"#{tag}" for tag in data["tag"]),
            ", ".join(self.names["organization"][o] for o in data["organization"]),
        ]
        return " · ".join(w for w in words if w) or gettext("All open tickets")


def _words(template: str, labels: list) -> str:
    """``template`` with the labels joined as its ``states``; nothing without labels."""
    return template % {"states": ", ".join(str(label) for label in labels)} if labels else ""


def _opened(after, before) -> str:
    def local(moment):
        return date_format(timezone.localtime(moment), "DATETIME_FORMAT")

    if after and before:
        return gettext("Opened from %(start)s to %(end)s") % {
            "start": local(after),
            "end": local(before),
        }
    if after:
        return gettext("Opened since %(start)s") % {"start": local(after)}
    if before:
        return gettext("Opened before %(end)s") % {"end": local(before)}
    return ""


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
        self.fields["priority"].choices = [("", "—")] + [(c, c) for c in _priority_codes()]
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
