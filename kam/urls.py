from django.urls import include, path

from kam.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("customers/", include("kam.customers.urls")),
    path("customers/", include("kam.customers.imports.urls")),
    path("admin/", include("kam.core.urls_admin")),
    path("admin/", include("kam.sales.urls_admin")),
    path("", include("kam.activities.urls_followups")),
    path("", include("kam.activities.urls_tasks")),
    path("", include("kam.activities.urls_calendar")),
    path("", include("kam.planning.urls_plan")),
    path("", include("kam.planning.urls_reports")),
    path("", include("kam.planning.urls_briefing")),
    # Deals (issue 4): opportunities, needs, qualification, competitors, win/loss, account plans.
    path("", include("kam.sales.urls_deal_lists")),
    path("", include("kam.sales.urls_deals")),
    path("", include("kam.sales.urls_needs")),
    path("", include("kam.sales.urls_qualification")),
    path("", include("kam.sales.urls_competitors")),
    path("", include("kam.market.urls")),
    path("", include("kam.market.urls_winloss")),
    path("", include("kam.planning.urls_account_plans")),
    path("", include("kam.web.urls")),
]
