"""Admin for SLA policies, and read-only views of clocks and fired alerts."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sampark.customers.admin import ReadOnlyModelAdmin, ServiceModelAdmin
from sampark.customers.models import Organization
from sampark.tickets import access
from sampark.tickets.models import Channel

from . import services
from .models import SLAAlert, SLAPolicy, TicketClock

PLAIN_FIELDS = [
    "name",
    "position",
    "active",
    "first_response_minutes",
    "next_response_minutes",
    "resolution_minutes",
    "update_interval_minutes",
    "first_response_business",
    "next_response_business",
    "resolution_business",
    "update_business",
    "pause_when_pending",
    "pause_when_on_hold",
    "warn_fraction",
    "notify_on_breach",
    "raise_priority_on_breach",
    "escalate_on_breach",
]


class PolicyForm(forms.ModelForm):
    organization_tiers = forms.MultipleChoiceField(
        label=_("organization tiers"),
        required=False,
        choices=Organization.Tier.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    channels = forms.MultipleChoiceField(
        label=_("channels"),
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SLAPolicy
        fields = [
            *PLAIN_FIELDS[:3],
            "priorities",
            "organization_tiers",
            "channels",
            "groups",
            *PLAIN_FIELDS[3:],
        ]


@admin.register(SLAPolicy)
class SLAPolicyAdmin(ServiceModelAdmin):
    form = PolicyForm
    list_display = [
        "name",
        "position",
        "active",
        "first_response_minutes",
        "resolution_minutes",
        "update_interval_minutes",
        "escalate_on_breach",
    ]
    list_editable = []
    list_filter = ["active", "priorities"]
    ordering = ["position", "id"]
    filter_horizontal = ["priorities", "groups"]

    def save_through_service(self, request, obj, form, change):
        fields = self.changes(form, change, [*PLAIN_FIELDS, "organization_tiers", "channels"])
        return services.save_policy(
            self.current(obj),
            priorities=form.cleaned_data.get("priorities"),
            groups=form.cleaned_data.get("groups"),
            **fields,
        )


@admin.register(TicketClock)
class TicketClockAdmin(ReadOnlyModelAdmin):
    list_display = ["ticket", "policy", "next_deadline", "computed_at"]
    list_select_related = ["ticket", "policy"]
    raw_id_fields = ["ticket"]
    show_full_result_count = False
    ordering = ["next_deadline"]

    def get_queryset(self, request):
        return access.visible(request.user, super().get_queryset(request), via="ticket")


@admin.register(SLAAlert)
class SLAAlertAdmin(ReadOnlyModelAdmin):
    list_display = ["ticket", "target", "kind", "cycle", "created_at"]
    list_filter = ["target", "kind"]
    list_select_related = ["ticket"]
    show_full_result_count = False
    ordering = ["-id"]

    def get_queryset(self, request):
        return access.visible(request.user, super().get_queryset(request), via="ticket")
