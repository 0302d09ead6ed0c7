"""The agent workspace's pages and actions. Each view parses with a form, calls one service or
query, and renders; the rules live in the forms, services and queries."""

import time
from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sampark.core.errors import InvalidInput
from sampark.db import configuration
from sampark.team import services as team
from sampark.team.permissions import profile_of

from . import queries, sign_in_limits
from .forms import (
    AgentPasswordResetForm,
    LanguageForm,
    PreferencesForm,
    PresenceForm,
    SearchForm,
    SignInForm,
    safe_next,
)

# The sidebar's counts come in a request of their own after each page, which the browser may
# answer from its cache for COUNTS_MAX_AGE seconds; their address carries this cookie, which a
# form that may change tickets renews, so that the page after it counts afresh. The requests a
# page makes by itself (who is viewing, the draft, presence) change no count.
COUNTS_COOKIE = "sampark_counts"
COUNTS_MAX_AGE = 30
_CHANGES_NO_COUNT = frozenset({"ticket_viewers", "ticket_draft", "presence"})


def agent_required(view):
    """Signed-out visitors go to the sign-in page (and come back afterwards); a signed-in
    user without an active agent profile is refused with 403. The view gets the profile."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        profile = profile_of(request.user)
        if profile is None:
            return render(request, "workspace/refused.html", status=403)
        if request.method in ("GET", "HEAD"):
            # A page reads the configuration generation once for all its cached lists.
            with configuration.snapshot():
                return view(request, profile, *args, **kwargs)
        response = view(request, profile, *args, **kwargs)
        if request.method == "POST" and response.status_code < 400:
            match = request.resolver_match
            unchanged = match is not None and match.url_name in _CHANGES_NO_COUNT
            if not unchanged and COUNTS_COOKIE not in response.cookies:
                renew_counts(response)
        return response

    return wrapped


def new_counts_version() -> str:
    return format(time.time_ns() // 1000, "x")


def counts_url(version: str) -> str:
    """Where the sidebar asks for its counts: an address of its own for each version."""
    return reverse("workspace:queue_counts") + (f"?v={quote(version)}" if version else "")


def renew_counts(response, version: str | None = None) -> None:
    """The counts' cookie, renewed: a view that answers with the sidebar's loader names the
    version it put there, and the decorator leaves it as it is."""
    response.set_cookie(
        COUNTS_COOKIE,
        version or new_counts_version(),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _remember_language(response, language: str) -> None:
    """The language cookie too, so that the sign-in page after signing out speaks it; no
    language (back to the browser's) forgets the cookie."""
    if not language:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        return
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def root(request):
    if profile_of(request.user) is not None:
        return redirect("workspace:home")
    return redirect("workspace:sign_in")


@agent_required
def home(request, agent):
    groups = agent.groups.order_by("tier", "name")
    return render(request, "workspace/home.html", {"agent": agent, "groups": groups})


class SignInView(auth.LoginView):
    template_name = "workspace/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if language := form.get_user().agent.language:
            _remember_language(response, language)
        return response

    def form_invalid(self, form):
        status = 429 if form.too_many else 200
        return self.render_to_response(self.get_context_data(form=form), status=status)


class PasswordResetView(auth.PasswordResetView):
    form_class = AgentPasswordResetForm
    template_name = "workspace/password_reset.html"
    email_template_name = "workspace/password_reset_email.txt"
    subject_template_name = "workspace/password_reset_subject.txt"
    success_url = reverse_lazy("workspace:password_reset_sent")
    extra_email_context = {"reset_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}

    def form_valid(self, form):
        if not sign_in_limits.password_reset_allowed(sign_in_limits.client_address(self.request)):
            form.add_error(None, _("Too many password reset requests. Try again later."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


@require_POST
def change_language(request):
    """The language switch: kept on the agent's profile when signed in, and in the language
    cookie either way (the sign-in page has the switch too)."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Unknown language."))
    language = form.cleaned_data["language"]
    if (agent := profile_of(request.user)) is not None:
        team.set_workspace_preferences(agent, language=language)
    response = redirect(safe_next(request, form.cleaned_data["next"]) or "workspace:root")
    _remember_language(response, language)
    return response


@require_POST
@agent_required
def change_presence(request, agent):
    form = PresenceForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Unknown presence."))
    team.set_presence(agent, form.cleaned_data["presence"])
    if request.htmx:
        return render(request, "workspace/shell.html#presence", {"agent": agent})
    return redirect(safe_next(request, form.cleaned_data["next"]) or "workspace:home")


@agent_required
def preferences(request, agent):
    initial = {"language": agent.language, "time_zone": agent.time_zone}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            team.set_workspace_preferences(agent, **form.cleaned_data)
        except InvalidInput as error:
            form.add_error(error.field, error.message)
        else:
            with translation.override(agent.language or translation.get_language()):
                messages.success(request, _("Your preferences are saved."))
            response = redirect("workspace:preferences")
            _remember_language(response, agent.language)
            return response
    return render(request, "workspace/preferences.html", {"agent": agent, "form": form})


@agent_required
def search(request, agent):
    form = SearchForm(request.GET)
    terms = form.terms()
    found = queries.search_tickets(request.user, terms)
    context = {
        "agent": agent,
        "form": form,
        "searched": bool(terms),
        "tickets": found[: queries.SEARCH_LIMIT],
        "more": len(found) > queries.SEARCH_LIMIT,
    }
    return render(request, "workspace/search.html", context, status=200 if form.is_valid() else 400)
