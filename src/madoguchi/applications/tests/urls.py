"""The project's URLs plus the back office and hand-off API, for tests before (and after) the
lead wires them into madoguchi/urls.py and madoguchi/api.py (the same paths, so these tests
keep passing once the wiring lands)."""

from django.urls import include, path
from ninja import NinjaAPI

from madoguchi.applications.handoff.api import router as handoff_router
from madoguchi.urls import urlpatterns as project_urlpatterns

patterns = list(project_urlpatterns)
if not any(str(p.pattern) == "staff/applications/" for p in patterns):
    patterns.insert(0, path("staff/applications/", include("madoguchi.applications.staff_urls")))
# django-ninja lets one router be mounted in several APIs; this one serves the same paths.
test_api = NinjaAPI(title="handoff (tests)", version="test", urls_namespace="handoff_test")
test_api.add_router("/v1/handoff/", handoff_router)
patterns.insert(0, path("api/", test_api.urls))

urlpatterns = patterns
