from django.urls import URLPattern, path

from kam.planning import views_plan

urlpatterns: list[URLPattern] = [
    path("plan/", views_plan.plan_page, name="plan"),
    path("plan/refresh/", views_plan.plan_refresh, name="plan-refresh"),
    path("plan/accept/", views_plan.plan_accept, name="plan-accept"),
    path("plan/items/", views_plan.plan_item_add, name="plan-item-add"),
    path("plan/items/<int:pk>/move/", views_plan.plan_item_move, name="plan-item-move"),
    path("plan/items/<int:pk>/drop/", views_plan.plan_item_drop, name="plan-item-drop"),
    path("plan/items/<int:pk>/restore/", views_plan.plan_item_restore, name="plan-item-restore"),
    path("plan/items/<int:pk>/done/", views_plan.plan_item_done, name="plan-item-done"),
]
