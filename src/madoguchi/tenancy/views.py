from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Municipality


def index(request: HttpRequest) -> HttpResponse:
    """The deployment's front page: the municipalities it serves."""
    municipalities = Municipality.objects.filter(is_active=True).select_related("prefecture")
    return render(request, "core/index.html", {"municipalities": municipalities})
