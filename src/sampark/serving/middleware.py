"""Edge middleware: refuse oversized bodies with a clear 413 before anything reads them, and
answer the API's unrouted paths and unsupported methods in JSON like every other API error."""

import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

API_PREFIX = "/api/"


def is_upload(content_type: str) -> bool:
    """An upload (multipart/form-data) may be larger than a JSON body: its files are spooled
    to disk, never held in memory whole."""
    return content_type.lstrip().lower().startswith("multipart/form-data")


def body_limit(content_type: str) -> int | None:
    """The most bytes a request body of this type may have."""
    if is_upload(content_type):
        return settings.SAMPARK_UPLOAD_MAX_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def body_too_large(limit: int) -> str:
    """The 413's message, from here and from the server bridge (sampark.serving.threadwsgi)."""
    return _("The request body is larger than the limit of %(limit)s bytes.") % {"limit": limit}


def too_large(path: str, limit: int, language: str) -> tuple[str, bytes]:
    """The 413's content type and body, in ``language``: JSON ``{"detail": ...}`` under /api/
    like every API error, a short page elsewhere (a form posted from a browser)."""
    with translation.override(language):
        message = body_too_large(limit)
    if path.startswith(API_PREFIX):
        body = json.dumps({"detail": message}, ensure_ascii=False)
        return "application/json", body.encode()
    page = (
        f'<!doctype html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        f"<title>413</title></head><body><p>{escape(message)}</p></body></html>"
    )
    return "text/html; charset=utf-8", page.encode()


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
    """A body declared larger than its limit (``body_limit``) is answered 413 unread. A body
    sent without its length is counted by the server bridge as it arrives, which refuses it
    the same way once it passes the limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH") or "0"
        limit = body_limit(request.META.get("CONTENT_TYPE", ""))
        if length.isdigit() and limit is not None and int(length) > limit:
            # Before LocaleMiddleware: the language is the request's own.
            language = translation.get_language_from_request(request)
            content_type, body = too_large(request.path, limit, language)
            return HttpResponse(body, status=413, content_type=content_type)
        return self.get_response(request)


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
