from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from madoguchi.api import api
from madoguchi.core import views as core_views
from madoguchi.tenancy import views as tenancy_views

urlpatterns = [
    path("", tenancy_views.index, name="index"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/easy-japanese/", core_views.easy_japanese_set, name="easy_japanese"),
    path("api/", api.urls),
    path("staff/admin/", admin.site.urls),
    path("staff/applications/", include("madoguchi.applications.staff_urls")),
    path("staff/intake/", include("madoguchi.intake.urls")),
    path("staff/faq/", include("madoguchi.faq.urls_staff")),
    path("staff/catalogue/forms/", include("madoguchi.catalogue.urls_staff")),
    path("staff/counter/", include("madoguchi.counter.urls_staff")),
    path("staff/catalogue/shared/", include("madoguchi.catalogue.sharing.urls")),
    path("staff/", include("madoguchi.accounts.urls")),
    path("procedures/", include("madoguchi.procedures.urls")),
    path("staff/reservations/", include("madoguchi.reservations.urls_staff")),
    path("staff/region/", include("madoguchi.region.urls_staff")),
    path("region/", include("madoguchi.region.urls_public")),
    path("staff/insights/", include("madoguchi.insights.urls")),
    path("<str:municipality_code>/faq/", include("madoguchi.faq.urls_resident")),
    path("<str:municipality_code>/reserve/", include("madoguchi.reservations.urls_resident")),
    path("<str:municipality_code>/forms/", include("madoguchi.counter.urls_resident")),
    path("<str:municipality_code>/about/", include("madoguchi.tenancy.urls")),
    path("<str:municipality_code>/", include("madoguchi.applications.urls")),
]

# The product's own error pages (tenancy/views.py); CSRF_FAILURE_VIEW is in settings.
handler404 = tenancy_views.page_not_found
handler403 = tenancy_views.permission_denied
handler500 = tenancy_views.server_error
