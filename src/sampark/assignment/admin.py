"""The admin for the assignment engine: each group's strategy (through its service), and the
leave agents record in the workspace (read here, written there)."""

from django.contrib import admin

from sampark.customers.admin import ReadOnlyModelAdmin, ServiceModelAdmin

from .models import Leave, Strategy
from .services.strategy import FIELDS, save_strategy


@admin.register(Strategy)
class StrategyAdmin(ServiceModelAdmin):
    fields = ("group", *FIELDS)
    list_display = ("group", "method", "spoc_wait_minutes", "match_skills", "match_language")
    list_filter = ("method",)
    list_select_related = ("group",)

    def get_readonly_fields(self, request, obj=None):
        return ("group",) if obj is not None else ()

    def save_through_service(self, request, obj, form, change):
        group = obj.group if change else form.cleaned_data["group"]
        return save_strategy(group, **self.changes(form, change, FIELDS))


@admin.register(Leave)
class LeaveAdmin(ReadOnlyModelAdmin):
    """Recorded and ended on the workspace's leave page, where the handover happens."""

    fields = (
        "agent",
        "delegate",
        "starts_on",
        "ends_on",
        "state",
        "return_customers",
        "note",
        "recorded_by",
        "created_at",
    )
    list_display = ("agent", "delegate", "starts_on", "ends_on", "state", "return_customers")
    list_filter = ("state",)
    list_select_related = ("agent", "delegate")
    date_hierarchy = "starts_on"
    search_fields = ("agent__email", "agent__first_name", "delegate__email")
