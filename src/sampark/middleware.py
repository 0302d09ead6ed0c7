"""Refuse oversized request bodies with a clear 413 before anything reads them."""

from django.conf import settings
from django.http import JsonResponse


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH") or "0"
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length.isdigit() and limit is not None and int(length) > limit:
            return JsonResponse(
                {"detail": f"The request body is larger than the limit of {limit} bytes."},
                status=413,
            )
        return self.get_response(request)
