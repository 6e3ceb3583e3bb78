"""管理 → 销售设置 under /admin/sales/ (mounted at /admin/ by kam/urls.py; admins only)."""

from django.urls import URLPattern, path

from kam.sales import views_admin as views
from kam.sales import views_admin_lists as lists

urlpatterns: list[URLPattern] = [
    path("sales/", views.admin_sales, name="admin-sales"),
    path("sales/lines/new/", views.admin_sales_line_create, name="admin-sales-line-create"),
    path("sales/lines/<int:pk>/", views.admin_sales_line_edit, name="admin-sales-line-edit"),
    path("sales/lines/<int:pk>/default/", views.admin_sales_line_default, name="admin-sales-line-default"),
    path("sales/lines/<int:pk>/move/", views.admin_sales_line_move, name="admin-sales-line-move"),
    path("sales/lines/<int:pk>/stages/new/", views.admin_sales_stage_create, name="admin-sales-stage-create"),
    path("sales/stages/<int:pk>/", views.admin_sales_stage_edit, name="admin-sales-stage-edit"),
    path("sales/stages/<int:pk>/move/", views.admin_sales_stage_move, name="admin-sales-stage-move"),
    path("sales/stages/<int:pk>/delete/", views.admin_sales_stage_delete, name="admin-sales-stage-delete"),
    path("sales/stages/<int:pk>/gates/", views.admin_sales_gate_set, name="admin-sales-gate-set"),
    path("sales/gates/<int:pk>/delete/", views.admin_sales_gate_delete, name="admin-sales-gate-delete"),
    path("sales/reasons/new/", lists.admin_sales_reason_create, name="admin-sales-reason-create"),
    path("sales/reasons/<int:pk>/", lists.admin_sales_reason_edit, name="admin-sales-reason-edit"),
    path("sales/reasons/<int:pk>/move/", lists.admin_sales_reason_move, name="admin-sales-reason-move"),
    path("sales/products/new/", lists.admin_sales_product_create, name="admin-sales-product-create"),
    path("sales/products/<int:pk>/", lists.admin_sales_product_edit, name="admin-sales-product-edit"),
    path("sales/products/<int:pk>/move/", lists.admin_sales_product_move, name="admin-sales-product-move"),
]
