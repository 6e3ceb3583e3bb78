"""Needs pages of a deal (URL names are a contract between modules; see docs/architecture.md)."""

from django.urls import URLPattern, path

from kam.sales import views_needs

urlpatterns: list[URLPattern] = [
    path("deals/<int:pk>/needs/", views_needs.needs_edit, name="deal-needs-edit"),
    path("deals/<int:pk>/needs/row/", views_needs.needs_row, name="deal-needs-row"),
    path("deals/<int:pk>/needs/history/", views_needs.needs_history, name="deal-needs-history"),
]
