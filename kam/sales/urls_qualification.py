"""Pages of a deal's qualification (URL names are a contract between modules; see docs/architecture.md)."""

from django.urls import URLPattern, path

from kam.sales import views_qualification as views

urlpatterns: list[URLPattern] = [
    path("deals/<int:pk>/influences/new/", views.influence_add, name="deal-influence-add"),
    path("deals/<int:pk>/influences/<int:ipk>/", views.influence_edit, name="deal-influence-edit"),
    path("deals/<int:pk>/influences/<int:ipk>/delete/", views.influence_delete, name="deal-influence-delete"),
    path("deals/<int:pk>/meddpicc/", views.meddpicc_edit, name="deal-meddpicc"),
    path("deals/<int:pk>/coverage/", views.coverage_page, name="deal-coverage"),
]
