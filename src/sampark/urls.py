from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path

from sampark.api.v1 import api


def healthz(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # The agent workspace owns the rest of the site, "/" included.
    path("", include("sampark.workspace.urls")),
]
