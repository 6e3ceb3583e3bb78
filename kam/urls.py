from django.urls import include, path

from kam.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("customers/", include("kam.customers.urls")),
    path("customers/", include("kam.customers.imports.urls")),
    path("admin/", include("kam.core.urls_admin")),
    path("", include("kam.activities.urls_followups")),
    path("", include("kam.activities.urls_tasks")),
    path("", include("kam.activities.urls_calendar")),
    path("", include("kam.planning.urls_plan")),
    path("", include("kam.planning.urls_reports")),
    path("", include("kam.planning.urls_briefing")),
    path("", include("kam.web.urls")),
]
