"""Pages of a deal's competitors (URL names are a contract between modules; see docs/architecture.md)."""

from django.urls import URLPattern, path

from kam.sales import views_competitors

urlpatterns: list[URLPattern] = [
    path("deals/<int:pk>/competitors/new/", views_competitors.deal_competitor_add, name="deal-competitor-add"),
    path("deals/<int:pk>/competitors/<int:cpk>/", views_competitors.deal_competitor_edit, name="deal-competitor-edit"),
    path(
        "deals/<int:pk>/competitors/<int:cpk>/delete/",
        views_competitors.deal_competitor_delete,
        name="deal-competitor-delete",
    ),
]
