"""Import and export pages, mounted under /customers/ by kam/urls.py."""

from django.urls import URLPattern, path

from kam.customers.imports import views

urlpatterns: list[URLPattern] = [
    path("import/", views.customer_import, name="customer-import"),
    path("import/template/", views.customer_import_template, name="customer-import-template"),
    path("import/<int:pk>/", views.customer_import_job, name="customer-import-job"),
    path("export/", views.customer_export, name="customer-export"),
]
