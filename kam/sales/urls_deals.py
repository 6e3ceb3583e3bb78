"""Pages of one deal (URL names are a contract between modules; see docs/architecture.md)."""

from django.urls import URLPattern, path

from kam.sales import views_deals

urlpatterns: list[URLPattern] = [
    path("deals/new/", views_deals.deal_create, name="deal-create"),
    path("deals/<int:pk>/", views_deals.deal_detail, name="deal-detail"),
    path("deals/<int:pk>/edit/", views_deals.deal_edit, name="deal-edit"),
    path("deals/<int:pk>/move/", views_deals.deal_move, name="deal-move"),
    path("deals/<int:pk>/close/", views_deals.deal_close, name="deal-close"),
    path("deals/<int:pk>/reopen/", views_deals.deal_reopen, name="deal-reopen"),
    path("deals/<int:pk>/history/", views_deals.deal_history, name="deal-history"),
]
