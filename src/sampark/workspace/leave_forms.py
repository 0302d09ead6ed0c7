"""Input rules of the leave page: who is away, when, and who stands in."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from sampark.team import queries as team
from sampark.team.models import AgentProfile

User = get_user_model()


class AgentChoice(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.email


class LeaveForm(forms.Form):
    """A leave to record. ``agent`` is there only for supervisors and admins, who record
    anyone's leave; an agent records their own."""

    agent = AgentChoice(label=_("Agent"), queryset=User.objects.none())
    delegate = AgentChoice(
        label=_("Delegate"),
        queryset=User.objects.none(),
        help_text=_("Takes over the open tickets and the customers' new ones during the leave."),
    )
    starts_on = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    return_customers = forms.BooleanField(
        label=_("Give the customers back when the leave ends"), required=False, initial=True
    )
    note = forms.CharField(
        label=_("Handover note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the timeline of every ticket handed over."),
    )

    def __init__(self, *args, agent: AgentProfile, **kwargs):
        super().__init__(*args, **kwargs)
        agents = team.active_agents()
        self.fields["delegate"].queryset = agents.exclude(pk=agent.user_id)
        if agent.is_supervisor:
            self.fields["agent"].queryset = agents
            self.fields["agent"].initial = agent.user_id
        else:
            del self.fields["agent"]

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last day comes on or after the first."))
        return cleaned
