from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from madoguchi.tenancy.models import Municipality


def index(request: HttpRequest) -> HttpResponse:
    """The deployment's front page: the municipalities it serves."""
    municipalities = Municipality.objects.filter(is_active=True).select_related("prefecture")
    return render(request, "core/index.html", {"municipalities": municipalities})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})
