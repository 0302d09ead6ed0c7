"""The admin for routing rules. Saves go through the routing service (which validates the whole
rule); every change page shows which recent tickets the rule would have matched, and "Preview"
shows it for the form as edited, without saving anything."""

from django import forms
from django.contrib import admin
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sampark.core.errors import DomainError, InvalidInput
from sampark.core.language import TextLanguage
from sampark.customers.admin import ServiceModelAdmin, WordListField
from sampark.customers.models import Organization
from sampark.tickets.models import Channel, Priority

from . import queries
from .models import RoutingRule
from .reasons import reasons_words
from .services import FIELDS, clean_rule, save_routing_rule

PREVIEW_BUTTON = "_preview"
_PREVIEW = "_sampark_routing_preview"


class PreviewOnly(DomainError):
    """Not a refusal: the admin asked to see the rule's reach, so nothing is saved."""


class RoutingRuleForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=capfirst(_("channels")),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=capfirst(_("languages")),
        choices=TextLanguage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organization_tiers = forms.MultipleChoiceField(
        label=capfirst(_("organization tiers")),
        choices=Organization.Tier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    priorities = forms.MultipleChoiceField(
        label=capfirst(_("priorities")), required=False, widget=forms.CheckboxSelectMultiple
    )
    asset_products = WordListField(label=capfirst(_("products")), required=False)
    asset_models = WordListField(label=capfirst(_("asset model numbers")), required=False)
    categories = WordListField(label=capfirst(_("categories")), required=False)
    keywords = WordListField(
        label=capfirst(_("keywords")),
        required=False,
        help_text=_("Separated by commas; any of them, in Hindi or English, in the ticket's text."),
    )
    skills = WordListField(label=capfirst(_("require skills")), required=False)
    tags = WordListField(label=capfirst(_("add tags")), required=False)

    class Meta:
        model = RoutingRule
        fields = (*FIELDS, "organizations")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priorities"].choices = [
            (p.code, f"{p.code} {p.name}") for p in Priority.objects.order_by("rank")
        ]


@admin.register(RoutingRule)
class RoutingRuleAdmin(ServiceModelAdmin):
    """Ordered rules that send new tickets to a group, with skills, category, tags and priority.
    Deactivate a rule rather than delete it."""

    form = RoutingRuleForm
    change_form_template = "admin/routing/routingrule/change_form.html"
    fieldsets = (
        (None, {"fields": ("name", "position", "active", "continue_matching")}),
        (
            _("When a new ticket matches"),
            {
                "fields": (
                    "channels",
                    "languages",
                    "organizations",
                    "organization_tiers",
                    "asset_products",
                    "asset_models",
                    "categories",
                    "keywords",
                    "custom_fields",
                    "priorities",
                    ("business_hours", "calendar"),
                )
            },
        ),
        (
            _("Then"),
            {"fields": ("group", "skills", "set_category", "tags", "priority", "escalate")},
        ),
    )
    autocomplete_fields = ("organizations",)
    list_display = ("position", "name", "active", "group", "priority", "continue_matching")
    list_display_links = ("position", "name")
    list_filter = ("active", "group", "priority")
    list_select_related = ("group", "priority")
    search_fields = ("name",)
    ordering = ("position", "id")

    def _fields(self, form, change):
        fields = self.changes(form, change, RoutingRuleForm.Meta.fields)
        if "custom_fields" in fields and fields["custom_fields"] is None:
            fields["custom_fields"] = {}  # an emptied box means no conditions
        if "organizations" in fields:
            fields["organizations"] = list(fields["organizations"])
        return fields

    def save_through_service(self, request, obj, form, change):
        if PREVIEW_BUTTON in request.POST:
            self._preview_draft(request, form)
        return save_routing_rule(self.current(obj), **self._fields(form, change))

    def _preview_draft(self, request, form):
        """The rule as edited, matched against recent tickets; then refuse to save."""
        fields = clean_rule(self._fields(form, change=False))
        organizations = fields.pop("organizations", [])
        draft = RoutingRule(**fields)
        setattr(
            request,
            _PREVIEW,
            queries.preview(request.user, queries.compile_one(draft, organizations)),
        )
        raise PreviewOnly(
            gettext("Preview only: nothing was saved. Save when the matches look right.")
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        preview = getattr(request, _PREVIEW, None)
        if preview is None and obj is not None and obj.pk and request.method == "GET":
            try:
                preview = queries.preview(request.user, queries.compile_one(obj))
            except InvalidInput:
                preview = None
        context["routing_preview"] = preview
        if preview is not None:
            context["preview_rows"] = [
                (ticket, reasons_words(reasons)) for ticket, reasons in preview.tickets
            ]
        context["preview_button"] = PREVIEW_BUTTON
        return super().render_change_form(request, context, add, change, form_url, obj)
