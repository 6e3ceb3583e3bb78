"""Pages of the competitor master and price intelligence (URL names are a contract between modules;
see docs/architecture.md)."""

from django.urls import URLPattern, path

from kam.market import views_competitors, views_prices

urlpatterns: list[URLPattern] = [
    path("competitors/", views_competitors.competitor_list_page, name="competitor-list"),
    path("competitors/new/", views_competitors.competitor_create, name="competitor-create"),
    path("competitors/prices/", views_prices.price_list_page, name="price-intel-list"),
    path("competitors/prices/new/", views_prices.price_create, name="price-intel-create"),
    path("competitors/prices/history/", views_prices.price_history_page, name="price-intel-history"),
    path("competitors/<int:pk>/", views_competitors.competitor_detail, name="competitor-detail"),
    path("competitors/<int:pk>/edit/", views_competitors.competitor_edit, name="competitor-edit"),
    path("competitors/<int:pk>/active/", views_competitors.competitor_active, name="competitor-active"),
    path("competitors/<int:pk>/delete/", views_competitors.competitor_delete, name="competitor-delete"),
]
