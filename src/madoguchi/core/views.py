import logging

from django.db import DatabaseError, connection
from django.db.models import Count, Min
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks_db.models import DBTaskResult

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
