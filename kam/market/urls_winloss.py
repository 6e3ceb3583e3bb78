"""Pages of this concept (URL names are a contract between modules; see docs/architecture.md)."""

from django.urls import URLPattern, path

from kam.market import views_winloss

urlpatterns: list[URLPattern] = [
    path("analysis/winloss/", views_winloss.winloss_page, name="winloss"),
]
