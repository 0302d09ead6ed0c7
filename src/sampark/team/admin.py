"""The admin for the support team: agents (Django users with their profile), groups and API
tokens. Only admins reach the admin site: ``create_agent`` makes only the admin role staff."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group as PermissionGroup
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sampark.customers.admin import (
    ReadOnlyModelAdmin,
    ServiceModelAdmin,
    WordListField,
    changelist_link,
)
from sampark.customers.models import Language

from .models import AgentProfile, ApiToken, Group, Tier
from .services import (
    ACCOUNT_FIELDS,
    create_agent,
    revoke_token,
    save_group,
    update_account,
    update_agent,
)

User = get_user_model()

admin.site.site_header = _("Sampark administration")
admin.site.site_title = _("Sampark admin")
admin.site.index_title = _("Help desk configuration")

# Sampark's roles and groups take the place of Django's permission groups, and two "Groups"
# on the index page would only confuse.
admin.site.unregister(PermissionGroup)
admin.site.unregister(User)

AGENT_FIELDS = ("role", "tier", "ticket_access", "skills", "languages", "capacity", "presence")


class AgentProfileForm(forms.ModelForm):
    skills = WordListField(
        label=_("skills"), required=False, help_text=_("Separated by commas, e.g. “printers”.")
    )
    languages = forms.MultipleChoiceField(
        label=_("languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = AgentProfile
        fields = (
            "role",
            "tier",
            "groups",
            "ticket_access",
            "skills",
            "languages",
            "capacity",
            "presence",
        )
        widgets = {"groups": forms.CheckboxSelectMultiple}


def _update_agent_from(form) -> AgentProfile:
    """Apply a profile form's changes through ``update_agent``."""
    profile = AgentProfile.objects.select_related("user").get(pk=form.instance.pk)
    fields = ServiceModelAdmin.changes(form, True, AGENT_FIELDS)
    groups = list(form.cleaned_data["groups"]) if "groups" in form.changed_data else None
    update_agent(profile, groups=groups, **fields)
    return profile


class AgentProfileInline(admin.StackedInline):
    model = AgentProfile
    form = AgentProfileForm
    can_delete = False
    extra = 0
    max_num = 1

    def has_add_permission(self, request, obj=None):
        # A profile comes with the agent: add agents on the “Add user” page.
        return False


class AgentCreationForm(forms.ModelForm):
    """A new agent: the fields ``create_agent`` takes."""

    name = forms.CharField(label=_("name"), max_length=300, required=False)
    password1 = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Optional. Without a password the agent can sign in only once one is set."),
    )
    password2 = forms.CharField(
        label=_("password confirmation"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    role = forms.ChoiceField(
        label=_("role"),
        choices=AgentProfile.Role.choices,
        initial=AgentProfile.Role.AGENT,
        help_text=_("Only admins can use this admin site."),
    )
    tier = forms.ChoiceField(label=_("tier"), choices=Tier.choices, initial=Tier.L1)
    support_groups = forms.ModelMultipleChoiceField(
        label=_("groups"),
        queryset=Group.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ticket_access = forms.ChoiceField(
        label=_("ticket access"),
        choices=[("", _("The role's default")), *AgentProfile.TicketAccess.choices],
        required=False,
        help_text=_("Admins and supervisors see all tickets by default; agents their groups'."),
    )

    class Meta:
        model = User
        fields = ("email",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def clean(self):
        cleaned_data = super().clean()
        password = cleaned_data.get("password1")
        if password != cleaned_data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif password:
            email = cleaned_data.get("email", "")
            try:
                password_validation.validate_password(password, User(username=email, email=email))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned_data


@admin.register(User)
class AgentUserAdmin(ServiceModelAdmin, UserAdmin):
    """Django's user admin, with the agent profile inline and agents added by ``create_agent``.

    Staff and superuser flags follow the agent's role, so they are shown and not edited.
    """

    add_form = AgentCreationForm
    add_form_template = None
    add_fieldsets = (
        (None, {"fields": ("email", "name", "password1", "password2")}),
        (_("Work"), {"fields": ("role", "tier", "support_groups", "ticket_access")}),
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Access"),
            {
                "fields": ("is_active", "is_staff", "is_superuser"),
                "description": _("Admin access follows the agent's role, set below."),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    list_display = ("username", "full_name", "role", "tier", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "agent__role", "agent__tier")
    list_select_related = ("agent",)
    search_fields = ("username", "first_name", "last_name", "email")
    filter_horizontal = ()

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("username", "email", "is_staff", "is_superuser", "last_login", "date_joined")

    def get_inlines(self, request, obj):
        return (AgentProfileInline,) if obj is not None else ()

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        if change:  # the account's own fields: names, and whether the agent may sign in
            changed = {f: data[f] for f in form.changed_data if f in ACCOUNT_FIELDS}
            return update_account(obj, **changed)
        profile = create_agent(
            email=data["email"],
            name=data["name"],
            password=data["password1"] or None,
            role=data["role"],
            tier=data["tier"],
            groups=list(data["support_groups"]),
            ticket_access=data["ticket_access"] or None,
        )
        return profile.user

    def save_formset(self, request, form, formset, change):
        if formset.model is not AgentProfile:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.deleted_objects, formset.changed_objects = [], [], []
        for profile_form in formset.initial_forms:
            if profile_form.has_changed():
                profile = _update_agent_from(profile_form)
                formset.changed_objects.append((profile, profile_form.changed_data))

    @admin.display(description=_("name"), ordering="first_name")
    def full_name(self, user):
        return user.get_full_name()

    @admin.display(description=_("role"))
    def role(self, user):
        profile = getattr(user, "agent", None)
        return profile.get_role_display() if profile else "-"

    @admin.display(description=_("tier"))
    def tier(self, user):
        profile = getattr(user, "agent", None)
        return profile.get_tier_display() if profile else "-"


@admin.register(AgentProfile)
class AgentProfileAdmin(ServiceModelAdmin):
    """The team roster: who works which tier, groups, skills and languages."""

    form = AgentProfileForm
    fields = ("user", *AgentProfileForm.Meta.fields)
    readonly_fields = ("user",)
    list_display = (
        "__str__",
        "email",
        "role",
        "tier",
        "ticket_access",
        "presence",
        "capacity",
        "group_list",
    )
    list_filter = ("role", "tier", "ticket_access", "presence", "groups")
    list_select_related = ("user",)
    search_fields = ("user__email", "user__first_name", "user__last_name")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def has_add_permission(self, request):
        # Agents are added as users (“Add user”), which creates their profile.
        return False

    def save_through_service(self, request, obj, form, change):
        return _update_agent_from(form)

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, profile):
        return profile.user.email

    @admin.display(description=_("groups"))
    def group_list(self, profile):
        return ", ".join(g.name for g in profile.groups.all())


@admin.register(Group)
class GroupAdmin(ServiceModelAdmin):
    editable = (
        "name",
        "name_hi",
        "tier",
        "description",
        "calendar",
        "escalates_to",
        "escalation_mode",
        "escalation_response_minutes",
        "is_default",
    )
    fields = (*editable, "tickets_link", "created_at")
    readonly_fields = ("tickets_link", "created_at")
    list_display = (
        "name",
        "name_hi",
        "tier",
        "calendar",
        "escalates_to",
        "escalation_mode",
        "is_default",
        "agent_count",
    )
    list_filter = ("tier", "is_default")
    list_select_related = ("calendar", "escalates_to")
    search_fields = ("name", "name_hi")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(agent_count=Count("agents"))

    def save_through_service(self, request, obj, form, change):
        return save_group(self.current(obj), **self.changes(form, change, self.editable))

    @admin.display(description=_("agents"), ordering="agent_count")
    def agent_count(self, group):
        return group.agent_count

    @admin.display(description=_("tickets"))
    def tickets_link(self, group):
        if group.pk is None:
            return "-"
        from sampark.tickets.models import Ticket  # tickets depend on team

        return changelist_link(Ticket, "group__id__exact", group.pk, _("Tickets of this group"))


class TokenStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (("active", _("Active")), ("revoked", _("Revoked")))

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyModelAdmin):
    """Tokens are issued by their agents and only revoked here. The digest is never shown."""

    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = (TokenStateFilter,)
    list_select_related = ("user",)
    search_fields = ("prefix", "name", "user__email")
    actions = ("revoke_selected",)

    @admin.action(description=_("Revoke selected tokens"))
    def revoke_selected(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            revoke_token(token)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(tokens))
            % {"count": len(tokens)},
            messages.SUCCESS,
        )
