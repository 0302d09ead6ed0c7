"""Edge middleware: refuse oversized bodies with a clear 413 before anything reads them, and
answer the API's unrouted paths and unsupported methods in JSON like every other API error."""

from django.conf import settings
from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header


def body_too_large(limit: int) -> str:
    """The 413's message, from here and from the server bridge (sampark.serving.threadwsgi)."""
    return _("The request body is larger than the limit of %(limit)s bytes.") % {"limit": limit}


def language_asked(accept_language: str) -> str:
    """The site language an Accept-Language header asks for, as LocaleMiddleware picks it;
    for answers made before it runs (or without a Django request at all)."""
    for code, _quality in parse_accept_lang_header(accept_language or ""):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH") or "0"
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length.isdigit() and limit is not None and int(length) > limit:
            # Before LocaleMiddleware: the language is the request's own.
            with translation.override(translation.get_language_from_request(request)):
                return JsonResponse({"detail": body_too_large(limit)}, status=413)
        return self.get_response(request)


API_PREFIX = "/api/"


class ApiJsonErrorsMiddleware:
    """A 404 for a path under /api/ that no endpoint serves, and a 405 for a method an
    endpoint does not take, come back as JSON ``{"detail": ...}`` instead of an HTML page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code not in (404, 405):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        with translation.override(translation.get_language_from_request(request)):
            if response.status_code == 404:
                return JsonResponse({"detail": _("No API endpoint at this path.")}, status=404)
            allowed = response.get("Allow", "")
            message = _("%(method)s is not allowed here. Allowed: %(allowed)s.") % {
                "method": request.method,
                "allowed": allowed,
            }
        refused = JsonResponse({"detail": message}, status=405)
        refused["Allow"] = allowed
        return refused
