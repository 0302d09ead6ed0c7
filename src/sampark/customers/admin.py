"""The admin for customer records, and the two admin shapes every Sampark app uses.

The admin is the configuration UI until the agent workspace lands, and it follows the same rule
as every other door: state changes go through the services. ``ServiceModelAdmin`` routes a
saved form to one service call and shows a refused change (a ``DomainError``) as a form error;
``ReadOnlyModelAdmin`` shows records that only the services may write (tickets, their events,
merges, identities, tokens).
"""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sampark.core.errors import DomainError, InvalidInput
from sampark.workflows.contact_merge import merge_contacts

from .models import Asset, Contact, ContactMerge, Identity, Organization
from .services import (
    ASSET_FIELDS,
    add_identity,
    create_contact,
    normalise_email,
    normalise_phone,
    save_asset,
    save_organization,
    update_contact,
)

# The request attribute that carries a service's refusal into the re-rendered form.
_REFUSAL = "_sampark_refusal"


class FilterLinkTarget:
    """A changelist that other records link to, filtered (``changelist_link``).

    Django only honours query-string lookups that ``list_filter`` offers or that it can prove
    harmless, and patch releases tighten that proof (5.2.20 refuses ``tags__id__exact``). So
    each changelist names the lookups our own links use, and exactly those are allowed too.
    """

    filter_links: tuple[str, ...] = ()

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in self.filter_links or super().lookup_allowed(lookup, value, request)


class ServiceModelAdmin(FilterLinkTarget, admin.ModelAdmin):
    """A model admin whose saves go through a service.

    ``save_through_service`` makes the one service call and returns the saved row. If the
    service refuses the change, the admin's transaction is rolled back and the form is shown
    again with the refusal's message on the field it names (or above the form). Relations are
    written by the service, so the form's own ``save_m2m`` is never called. There are no delete
    services, so the admin deletes nothing: deactivate instead, where the model allows it.
    """

    def save_through_service(self, request, obj, form, change):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        saved = self.save_through_service(request, obj, form, change)
        # The admin logs and redirects with the form's instance: make it the saved row.
        for field in saved._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as refusal:
            if request.method != "POST" or hasattr(request, _REFUSAL):
                raise
            # The failed attempt was rolled back; validate again, this time with the refusal.
            setattr(request, _REFUSAL, refusal)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        if refusal is None:
            return form_class

        class RefusedForm(form_class):
            def clean(self):
                cleaned_data = super().clean()
                field = refusal.field if refusal.field in self.fields else None
                self.add_error(field, refusal.message)
                return cleaned_data

        return RefusedForm

    def current(self, obj):
        """A fresh copy of the row being changed (None when adding), so that services compare
        against the stored values rather than the ones the form has already applied."""
        if obj.pk is None:
            return None
        return type(obj)._default_manager.get(pk=obj.pk)

    @staticmethod
    def changes(form, change, names):
        """The submitted values of ``names``: all of them when adding, only the changed ones
        when changing."""
        return {
            name: form.cleaned_data[name]
            for name in names
            if name in form.cleaned_data and (not change or name in form.changed_data)
        }


class ReadOnlyModelAdmin(FilterLinkTarget, admin.ModelAdmin):
    """Records that only the services write: shown, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if self.fieldsets:
            return flatten_fieldsets(self.fieldsets)
        return self.fields or [f.name for f in self.model._meta.fields]


class WordListField(forms.CharField):
    """A list of words or phrases, typed as “printers, paper jam”."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        return [word.strip() for word in super().to_python(value).split(",") if word.strip()]


def changelist_link(model, lookup: str, value, text) -> str:
    """A link to ``model``'s changelist filtered by ``lookup=value``; the changelist's admin
    lists ``lookup`` in its ``filter_links``."""
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return format_html('<a href="{}?{}={}">{}</a>', url, lookup, value, text)


# --- organizations ------------------------------------------------------------------------


class OrganizationForm(forms.ModelForm):
    domains = forms.CharField(
        label=_("email domains"),
        required=False,
        help_text=_(
            "Separated by commas, e.g. “example.com, example.in”. New contacts writing from "
            "these domains join the organization."
        ),
    )

    class Meta:
        model = Organization
        fields = ("name", "tier", "account_manager", "notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["domains"].initial = ", ".join(
                self.instance.domains.values_list("domain", flat=True)
            )

    def clean_domains(self):
        return [d for d in re.split(r"[,\s]+", self.cleaned_data["domains"]) if d]


@admin.register(Organization)
class OrganizationAdmin(ServiceModelAdmin):
    form = OrganizationForm
    fieldsets = (
        (None, {"fields": ("name", "tier", "account_manager", "domains", "notes")}),
        (_("Records"), {"fields": ("contacts_link", "tickets_link", "created_at")}),
    )
    readonly_fields = ("contacts_link", "tickets_link", "created_at")
    list_display = ("name", "tier", "account_manager", "domain_list", "created_at")
    list_filter = ("tier", ("account_manager", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("account_manager",)
    search_fields = ("name", "domains__domain")
    search_help_text = _("Words from the name, or an email domain.")
    autocomplete_fields = ("account_manager",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("domains")

    def save_through_service(self, request, obj, form, change):
        fields = self.changes(form, change, ("name", "tier", "account_manager", "notes"))
        domains = None
        if not change or "domains" in form.changed_data:
            domains = form.cleaned_data["domains"]
        return save_organization(self.current(obj), domains=domains, **fields)

    @admin.display(description=_("email domains"))
    def domain_list(self, organization):
        return ", ".join(d.domain for d in organization.domains.all())

    @admin.display(description=_("contacts"))
    def contacts_link(self, organization):
        if organization.pk is None:
            return "-"
        return changelist_link(
            Contact, "organization__id__exact", organization.pk, _("Contacts of this organization")
        )

    @admin.display(description=_("tickets"))
    def tickets_link(self, organization):
        if organization.pk is None:
            return "-"
        from sampark.tickets.models import Ticket  # tickets depend on customers

        return changelist_link(
            Ticket, "organization__id__exact", organization.pk, _("Tickets of this organization")
        )


# --- contacts -----------------------------------------------------------------------------


class IdentityInline(admin.TabularInline):
    """A contact's identities; they change through merges and intake, not by hand."""

    model = Identity
    fields = ("kind", "value", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ContactForm(forms.ModelForm):
    email = forms.CharField(
        label=_("add an email address"),
        required=False,
        help_text=_("Added to the contact's identities."),
    )
    phone = forms.CharField(
        label=_("add a phone number"),
        required=False,
        help_text=_(
            "Added to the contact's identities. A number without a country code is read in "
            "the default region."
        ),
    )

    class Meta:
        model = Contact
        fields = ("name", "language", "time_zone", "organization")


def _identity_in(term: str) -> tuple[str, str] | None:
    """The identity a search term names exactly (a full email address, or a phone number in
    any format), normalised as it is stored; None for anything else."""
    term = term.strip()
    try:
        if "@" in term:
            return Identity.Kind.EMAIL, normalise_email(term)
        if re.fullmatch(r"[+\d][\d\s().-]{6,}", term):
            return Identity.Kind.PHONE, normalise_phone(term)
    except InvalidInput:
        return None
    return None


@admin.register(Contact)
class ContactAdmin(ServiceModelAdmin):
    form = ContactForm
    filter_links = ("organization__id__exact",)
    fieldsets = (
        (None, {"fields": ("name", "language", "time_zone", "organization")}),
        (_("Identities"), {"fields": ("email", "phone")}),
        (_("Records"), {"fields": ("tickets_link", "merged_into", "created_at")}),
    )
    readonly_fields = ("tickets_link", "merged_into", "created_at")
    inlines = (IdentityInline,)
    list_display = (
        "name",
        "identity_list",
        "organization",
        "language",
        "merged_into",
        "created_at",
    )
    list_filter = ("language", ("merged_into", admin.EmptyFieldListFilter))
    list_select_related = ("organization", "merged_into")
    search_fields = ("name", "identities__value")
    search_help_text = _(
        "A full email address or phone number (in any format) finds that person; other words "
        "match names and identities."
    )
    autocomplete_fields = ("organization",)
    actions = ("merge_into_oldest",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("identities")

    def get_search_results(self, request, queryset, search_term):
        identity = _identity_in(search_term)
        if identity is None:
            return super().get_search_results(request, queryset, search_term)
        kind, value = identity
        return queryset.filter(identities__kind=kind, identities__value=value), False

    def save_through_service(self, request, obj, form, change):
        fields = self.changes(form, change, ("name", "language", "time_zone", "organization"))
        identities = [
            (kind, form.cleaned_data[name].strip())
            for kind, name in ((Identity.Kind.EMAIL, "email"), (Identity.Kind.PHONE, "phone"))
            if form.cleaned_data.get(name, "").strip()
        ]
        if not change:
            return create_contact(identities=identities, **fields)
        contact = self.current(obj)
        if fields:
            update_contact(contact, **fields)
        for kind, value in identities:
            add_identity(contact, kind, value)
        return contact

    @admin.display(description=_("identities"))
    def identity_list(self, contact):
        return ", ".join(i.value for i in contact.identities.all())

    @admin.display(description=_("tickets"))
    def tickets_link(self, contact):
        if contact.pk is None:
            return "-"
        from sampark.tickets.models import Ticket  # tickets depend on customers

        return changelist_link(
            Ticket, "requester__id__exact", contact.pk, _("Tickets from this contact")
        )

    @admin.action(description=_("Merge the selected contacts into the oldest"))
    def merge_into_oldest(self, request, queryset):
        contacts = list(queryset.filter(merged_into__isnull=True).order_by("created_at", "id"))
        if len(contacts) < 2:
            self.message_user(
                request,
                _("Select at least two contacts that have not been merged already."),
                messages.WARNING,
            )
            return
        target, sources = contacts[0], contacts[1:]
        try:
            with transaction.atomic():
                merges = [merge_contacts(s, target, actor=request.user) for s in sources]
        except DomainError as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return
        moved = sum(len(m.moved_ticket_ids) for m in merges)
        self.message_user(
            request,
            ngettext(
                "Merged %(sources)s into %(target)s; %(count)d ticket moved.",
                "Merged %(sources)s into %(target)s; %(count)d tickets moved.",
                moved,
            )
            % {
                "sources": ", ".join(f"{s.name} (#{s.pk})" for s in sources),
                "target": f"{target.name} (#{target.pk})",
                "count": moved,
            },
            messages.SUCCESS,
        )


@admin.register(Identity)
class IdentityAdmin(ReadOnlyModelAdmin):
    fields = ("contact", "kind", "value", "created_at")
    list_display = ("value", "kind", "contact", "created_at")
    list_filter = ("kind",)
    list_select_related = ("contact",)
    search_fields = ("value", "contact__name")


@admin.register(ContactMerge)
class ContactMergeAdmin(ReadOnlyModelAdmin):
    fields = ("source", "target", "actor", "moved_identities", "moved_ticket_ids", "created_at")
    list_display = ("created_at", "source", "target", "actor", "moved_ticket_count")
    list_select_related = ("source", "target", "actor")
    search_fields = ("source__name", "target__name")
    date_hierarchy = "created_at"

    @admin.display(description=_("tickets moved"))
    def moved_ticket_count(self, merge):
        return len(merge.moved_ticket_ids)


# --- assets -------------------------------------------------------------------------------


@admin.register(Asset)
class AssetAdmin(ServiceModelAdmin):
    fields = (*ASSET_FIELDS, "contact", "organization")
    list_display = ("__str__", "model_number", "serial_number", "contact", "organization")
    list_select_related = ("contact", "organization")
    search_fields = ("serial_number", "model_number", "name", "account_number", "licence")
    autocomplete_fields = ("contact", "organization")

    def save_through_service(self, request, obj, form, change):
        fields = self.changes(form, change, ASSET_FIELDS)
        owners = self.changes(form, change, ("contact", "organization"))
        for name, value in owners.items():
            if change and value is None:
                raise InvalidInput(
                    _("An asset's %(field)s can be changed here but not removed.")
                    % {"field": Asset._meta.get_field(name).verbose_name},
                    field=name,
                )
        return save_asset(self.current(obj), **owners, **fields)
