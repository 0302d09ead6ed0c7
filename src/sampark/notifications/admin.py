from django.contrib import admin

from sampark.customers.admin import ReadOnlyModelAdmin
from sampark.tickets import access

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    show_full_result_count = False
    ordering = ["-id"]

    def get_queryset(self, request):
        # The admin's own scope: notifications name their ticket and its subject.
        rows = super().get_queryset(request)
        return access.visible(request.user, rows, via="ticket", optional=True)
