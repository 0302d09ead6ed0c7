"""The workspace's input rules. Views hand request data to one of these and act only on
``cleaned_data``; a service's refusal comes back as an error on the field it names."""

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.hashers import check_password
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from sampark.team.models import AgentProfile
from sampark.team.permissions import profile_of

from . import sign_in_limits
from .queries import SearchTerms

User = get_user_model()


def safe_next(request, value: str | None) -> str | None:
    """``value`` if it is a path on this site to send the browser back to, else None."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


def language_choices() -> list[tuple[str, str]]:
    """Each language named in itself (हिंदी, English), as a person looking for theirs reads it."""
    return [
        (code, translation.get_language_info(code)["name_local"]) for code, _ in settings.LANGUAGES
    ]


class SignInForm(forms.Form):
    """Email address and password. Only an active user with an agent profile gets through; a
    wrong password and an unknown address get the same answer, and too many failures for the
    account or the address stop the checking for a while (:mod:`.sign_in_limits`).

    Shaped like Django's AuthenticationForm (``request`` first, :meth:`get_user`), so that
    Django's LoginView drives it."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address like name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        error_messages={"required": _("Enter your password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = None
        self.too_many = False

    def clean(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        password = self.cleaned_data.get("password")
        if not email or not password:
            return self.cleaned_data
        address = sign_in_limits.client_address(self.request)
        if sign_in_limits.sign_in_refused(email, address):
            self.too_many = True
            raise forms.ValidationError(
                _("Too many failed sign-ins. Wait a while, or set a new password by email."),
                code="too_many",
            )
        account = User.objects.filter(email__iexact=email).order_by("pk").first()
        username = account.get_username() if account else email
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            sign_in_limits.count_failed_sign_in(email, address)
            if account and not account.is_active and check_password(password, account.password):
                raise forms.ValidationError(
                    _("This account is switched off. Ask an admin to switch it on."),
                    code="inactive",
                )
            raise forms.ValidationError(
                _("The email address or the password is wrong."), code="invalid_login"
            )
        if profile_of(user) is None:
            raise forms.ValidationError(
                _(
                    "This account has no agent profile, so it cannot use the workspace. "
                    "Ask an admin to make you an agent."
                ),
                code="not_agent",
            )
        self.user = user
        return self.cleaned_data

    def get_user(self):
        return self.user


class AgentPasswordResetForm(PasswordResetForm):
    """Django's reset by email, for agents only, and written in the agent's own language."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address like name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email):
        for user in super().get_users(email):
            if profile_of(user) is not None:
                yield user

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        language = context["user"].agent.language or translation.get_language()
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class NewPasswordForm(SetPasswordForm):
    """Choosing a new password from a reset link, with Sampark's labels and messages."""

    error_messages = {"password_mismatch": _("The two passwords are not the same.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password again")
        for field in self.fields.values():
            field.error_messages["required"] = _("Enter the new password in both boxes.")


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=language_choices)
    next = forms.CharField(required=False, max_length=2000)  # noqa: A003 - the form field's name


class PresenceForm(forms.Form):
    presence = forms.ChoiceField(choices=AgentProfile.Presence.choices)
    next = forms.CharField(required=False, max_length=2000)  # noqa: A003 - the form field's name


def _time_zone_choices() -> list[tuple[str, str]]:
    default = _("The help desk’s time zone (%(zone)s)") % {"zone": settings.TIME_ZONE}
    return [("", default)] + [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Workspace language"),
        required=False,
        choices=lambda: [("", _("The browser’s language"))] + language_choices(),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=_time_zone_choices,
        help_text=_("Every date and time in the workspace is shown in this time zone."),
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Ticket number, requester email or phone, or words"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Search for at most 200 characters.")},
    )

    def terms(self) -> SearchTerms:
        return SearchTerms.read(self.cleaned_data.get("q", "") if self.is_valid() else "")
