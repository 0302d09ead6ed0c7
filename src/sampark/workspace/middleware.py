"""A signed-in agent's own language and time zone, on every workspace page."""

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation

from sampark.team.permissions import profile_of

NAMESPACE = "workspace"


class AgentPreferencesMiddleware:
    """LocaleMiddleware has already picked a language from the language cookie or the
    browser. On a workspace page, an agent who chose a language in the workspace gets that
    one instead, on whichever computer they sign in from, and every time is shown in the
    agent's time zone (else the help desk's). Other pages (the API, the admin) are left as
    LocaleMiddleware set them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The thread goes back to the language it had: what a request chose must not leak
        # into whatever the same thread runs next (a test, a task, the next request's start).
        language = translation.get_language()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            if language:
                translation.activate(language)
            else:
                translation.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or NAMESPACE not in match.namespaces:
            return None
        profile = profile_of(request.user)
        if profile is None:
            return None
        if profile.language:
            translation.activate(profile.language)
            request.LANGUAGE_CODE = profile.language
        timezone.activate(zoneinfo.ZoneInfo(profile.time_zone or settings.TIME_ZONE))
        return None
