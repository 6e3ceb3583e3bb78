"""Pages of 大客户规划 (URL names are a contract between modules; see docs/architecture.md)."""

from django.urls import URLPattern, path

from kam.planning import views_account_plans as plans
from kam.planning import views_plan_items as items
from kam.planning import views_whitespace as whitespace

P = "account-plans/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path("account-plans/", plans.account_plan_list, name="account-plan-list"),
    path("account-plans/new/", plans.account_plan_create, name="account-plan-create"),
    path(P, plans.account_plan_detail, name="account-plan-detail"),
    path(P + "edit/", plans.account_plan_edit, name="account-plan-edit"),
    path(P + "reviews/", plans.account_plan_review, name="account-plan-review"),
    path(P + "team/", items.team_add, name="account-plan-team-add"),
    path(P + "team/<int:member_pk>/remove/", items.team_remove, name="account-plan-team-remove"),
    path(P + "players/", items.player_add, name="account-plan-player-add"),
    path(P + "players/<int:player_pk>/", items.player_edit, name="account-plan-player-edit"),
    path(P + "players/<int:player_pk>/remove/", items.player_remove, name="account-plan-player-remove"),
    path(P + "objectives/", items.objective_add, name="account-plan-objective-add"),
    path(P + "objectives/<int:objective_pk>/", items.objective_edit, name="account-plan-objective-edit"),
    path(P + "objectives/<int:objective_pk>/delete/", items.objective_delete, name="account-plan-objective-delete"),
    path(P + "objectives/<int:objective_pk>/actions/", items.action_add, name="account-plan-action-add"),
    path(P + "actions/<int:action_pk>/", items.action_edit, name="account-plan-action-edit"),
    path(P + "actions/<int:action_pk>/done/", items.action_toggle, name="account-plan-action-toggle"),
    path(P + "actions/<int:action_pk>/delete/", items.action_delete, name="account-plan-action-delete"),
    path(P + "units/", whitespace.unit_add, name="account-plan-unit-add"),
    path(P + "units/<int:unit_pk>/", whitespace.unit_edit, name="account-plan-unit-edit"),
    path(P + "units/<int:unit_pk>/delete/", whitespace.unit_delete, name="account-plan-unit-delete"),
    path(P + "whitespace/", whitespace.whitespace_grid, name="account-plan-whitespace"),
    path(P + "whitespace/<int:unit_pk>/<int:line_pk>/", whitespace.whitespace_cell, name="account-plan-cell"),
]
