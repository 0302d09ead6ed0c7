"""The admin for the ticket configuration (priorities, the rules and the matrix that set them,
custom fields, tags) and a read-only view of tickets and their event log.

Tickets change only through the API and the services, with optimistic locking, and the event
log is append-only, so neither is editable here. Lists are built to stay fast with a million
tickets: related rows are joined, not fetched one by one, and no filter lists every contact.
"""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from sampark.core.errors import InvalidInput
from sampark.customers.admin import (
    ReadOnlyModelAdmin,
    ServiceModelAdmin,
    WordListField,
    changelist_link,
)
from sampark.customers.models import Organization

from . import access
from .models import (
    Channel,
    FieldDefinition,
    Priority,
    PriorityMatrixCell,
    PriorityRule,
    Tag,
    Ticket,
    TicketEvent,
)
from .services import (
    add_tag,
    normalise_tags,
    rename_tag,
    save_field_definition,
    save_priority,
    save_priority_rule,
    set_matrix_cell,
)

TIMELINE_LENGTH = 20


def _ticket_number(term: str) -> int | None:
    term = term.strip().removeprefix("#")
    return int(term) if term.isdigit() and len(term) < 19 else None


@admin.register(Priority)
class PriorityAdmin(ServiceModelAdmin):
    fields = ("code", "name", "name_hi", "description", "rank", "is_default", "tickets_link")
    readonly_fields = ("tickets_link",)
    list_display = ("rank", "code", "name", "name_hi", "is_default")
    list_display_links = ("rank", "code")
    search_fields = ("code", "name", "name_hi")

    def save_through_service(self, request, obj, form, change):
        fields = self.changes(
            form, change, ("code", "name", "name_hi", "description", "rank", "is_default")
        )
        return save_priority(self.current(obj), **fields)

    @admin.display(description=_("tickets"))
    def tickets_link(self, priority):
        if priority.pk is None:
            return "-"
        return changelist_link(
            Ticket, "priority__id__exact", priority.pk, _("Tickets at this priority")
        )


@admin.register(FieldDefinition)
class FieldDefinitionAdmin(ServiceModelAdmin):
    fields = ("key", "label", "label_hi", "kind", "choices", "required", "active", "max_length")
    list_display = ("key", "label", "label_hi", "kind", "required", "active")
    list_filter = ("kind", "required", "active")
    search_fields = ("key", "label", "label_hi")

    def get_readonly_fields(self, request, obj=None):
        # Tickets store values under the key; renaming it would orphan them.
        return ("key",) if obj is not None else ()

    def save_through_service(self, request, obj, form, change):
        fields = self.changes(form, change, self.fields)
        if "choices" in fields and fields["choices"] is None:
            fields["choices"] = []  # an emptied box means no choices
        return save_field_definition(self.current(obj), **fields)


class PriorityRuleForm(forms.ModelForm):
    organization_tiers = forms.MultipleChoiceField(
        label=_("organization tiers"),
        choices=Organization.Tier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    channels = forms.MultipleChoiceField(
        label=_("channels"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories = WordListField(label=_("categories"), required=False)
    asset_models = WordListField(label=_("asset model numbers"), required=False)
    keywords = WordListField(
        label=_("keywords"),
        required=False,
        help_text=_("Separated by commas; any of them, in Hindi or English, in the ticket's text."),
    )

    class Meta:
        model = PriorityRule
        fields = (
            "name",
            "position",
            "active",
            "priority",
            "impact",
            "urgency",
            "organization_tiers",
            "channels",
            "categories",
            "asset_models",
            "keywords",
            "custom_fields",
        )


@admin.register(PriorityRule)
class PriorityRuleAdmin(ServiceModelAdmin):
    """Rules that set a ticket's priority at intake. Deactivate a rule rather than delete it."""

    form = PriorityRuleForm
    fieldsets = (
        (None, {"fields": ("name", "position", "active")}),
        (
            _("When a ticket matches"),
            {
                "fields": (
                    "organization_tiers",
                    "channels",
                    "categories",
                    "asset_models",
                    "keywords",
                    "custom_fields",
                )
            },
        ),
        (_("Then set"), {"fields": ("priority", "impact", "urgency")}),
    )
    list_display = ("position", "name", "active", "priority", "impact", "urgency")
    list_display_links = ("position", "name")
    list_filter = ("active", "priority")
    list_select_related = ("priority",)
    search_fields = ("name",)

    def save_through_service(self, request, obj, form, change):
        fields = self.changes(form, change, PriorityRuleForm.Meta.fields)
        if "custom_fields" in fields and fields["custom_fields"] is None:
            fields["custom_fields"] = {}  # an emptied box means no conditions
        return save_priority_rule(self.current(obj), **fields)


@admin.register(PriorityMatrixCell)
class PriorityMatrixCellAdmin(ServiceModelAdmin):
    """Impact × urgency → priority."""

    fields = ("impact", "urgency", "priority")
    list_display = ("impact", "urgency", "priority")
    list_filter = ("impact", "urgency")
    list_select_related = ("priority",)
    ordering = ("impact", "urgency")

    def get_readonly_fields(self, request, obj=None):
        # A cell is its place in the matrix; only its priority changes.
        return ("impact", "urgency") if obj is not None else ()

    def save_through_service(self, request, obj, form, change):
        return set_matrix_cell(
            impact=obj.impact, urgency=obj.urgency, priority=form.cleaned_data["priority"]
        )


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ("name",)

    def clean_name(self):
        try:
            return normalise_tags([self.cleaned_data["name"]])[0]
        except InvalidInput as error:
            raise forms.ValidationError(error.message) from None


@admin.register(Tag)
class TagAdmin(ServiceModelAdmin):
    """Tags are created as agents tag tickets; here they can be added ahead or renamed.
    Deleting one would silently untag its tickets, so it is not offered."""

    form = TagForm
    list_display = ("name", "tickets_link")
    search_fields = ("name",)

    def save_through_service(self, request, obj, form, change):
        name = form.cleaned_data["name"]
        return rename_tag(obj, name) if change else add_tag(name)

    @admin.display(description=_("tickets"))
    def tickets_link(self, tag):
        return changelist_link(Ticket, "tags__id__exact", tag.pk, _("Tagged tickets"))


@admin.register(Ticket)
class TicketAdmin(ReadOnlyModelAdmin):
    filter_links = (
        "organization__id__exact",
        "requester__id__exact",
        "group__id__exact",
        "priority__id__exact",
        "tags__id__exact",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("number", "status"),
                    "subject",
                    ("priority", "priority_source", "impact", "urgency"),
                    ("type", "channel", "language"),
                    "category",
                    "description",
                )
            },
        ),
        (
            _("People"),
            {
                "fields": (
                    ("requester", "organization"),
                    ("owner", "group", "tier"),
                    "collaborators",
                    "asset",
                )
            },
        ),
        (
            _("Details"),
            {"fields": ("tags", "custom_fields", "split_from", "merged_into", "version")},
        ),
        (
            _("Times"),
            {
                "fields": (
                    ("created_at", "updated_at"),
                    ("first_responded_at", "solved_at", "closed_at"),
                )
            },
        ),
        (_("Timeline"), {"fields": ("timeline",)}),
    )
    list_display = (
        "number",
        "subject",
        "status",
        "priority",
        "requester",
        "owner",
        "group",
        "channel",
        "updated_at",
    )
    list_display_links = ("number", "subject")
    list_filter = ("status", "priority", "group", "channel", "type", "tier", "created_at")
    list_select_related = ("priority", "requester", "owner", "group")
    search_fields = ("subject", "requester__name")
    search_help_text = _("A ticket number (e.g. #1042), or words from the subject or requester.")
    show_full_result_count = False

    def get_queryset(self, request):
        return access.visible(request.user, super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        number = _ticket_number(search_term)
        if number is not None:
            return queryset.filter(number=number), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("latest events"))
    def timeline(self, ticket):
        events = (
            ticket.events.select_related("actor", "contact")
            .order_by("-created_at", "-id")
            .all()[:TIMELINE_LENGTH]
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    date_format(timezone.localtime(e.created_at), "SHORT_DATETIME_FORMAT"),
                    e.get_kind_display(),
                    e.actor or e.contact or "",
                    Truncator(e.body).chars(120),
                )
                for e in events
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table><p>{}</p>",
            _("time"),
            _("event"),
            _("by"),
            _("text"),
            rows,
            changelist_link(TicketEvent, "ticket__id__exact", ticket.pk, _("All events")),
        )


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyModelAdmin):
    filter_links = ("ticket__id__exact",)
    fields = (
        "ticket",
        "kind",
        "created_at",
        "actor",
        "contact",
        "channel",
        "public",
        "body",
        "data",
        "time_spent",
    )
    list_display = ("created_at", "ticket", "kind", "channel", "author", "public", "excerpt")
    list_filter = ("kind", "channel", "public", "created_at")
    list_select_related = ("ticket", "actor", "contact")
    search_fields = ("=ticket__number",)
    search_help_text = _("A ticket number, e.g. #1042.")
    show_full_result_count = False
    # The primary key follows time and is indexed; sorting millions of rows on created_at is not.
    ordering = ("-id",)

    def get_queryset(self, request):
        return access.visible(request.user, super().get_queryset(request), via="ticket")

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        number = _ticket_number(search_term)
        if number is None:
            return queryset.none(), False
        return queryset.filter(ticket__number=number), False

    @admin.display(description=_("by"))
    def author(self, event):
        return event.actor or event.contact or "-"

    @admin.display(description=_("text"))
    def excerpt(self, event):
        return Truncator(event.body).chars(80)
