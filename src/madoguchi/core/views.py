import logging

from django.db import DatabaseError, connection
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_tasks_db.models import DBTaskResult

from madoguchi.core.localized_text import easy_japanese_remember

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For monitoring: 200 when the database answers, with the task queue's backlog; else 503.

    The backlog (tasks waiting for `madoguchi db_worker`, and how long the oldest has waited) is one
    indexed query; a growing `oldest_waiting_seconds` means no task worker is running.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        backlog = DBTaskResult.objects.ready().aggregate(
            waiting=Count("pk"), oldest=Min("enqueued_at")
        )
    except DatabaseError:
        logger.exception("healthz: the database does not answer")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    oldest = backlog["oldest"]
    waited = round((timezone.now() - oldest).total_seconds()) if oldest else 0
    return JsonResponse(
        {
            "status": "ok",
            "database": "ok",
            "tasks": {"waiting": backlog["waiting"], "oldest_waiting_seconds": waited},
        }
    )


@require_POST
def easy_japanese_set(request: HttpRequest) -> HttpResponseRedirect:
    """Turn やさしい日本語 on or off (a form post: works without JavaScript), then go back."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    easy_japanese_remember(response, on=request.POST.get("easy") == "1")
    return response
