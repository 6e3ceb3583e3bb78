"""The admin console under /admin/: organization, teams, users, holidays, and the customer pools' settings."""

from django.urls import URLPattern, path

from kam.core import views_admin as views
from kam.core import views_admin_holidays as holidays
from kam.customers.views import pool_admin

urlpatterns: list[URLPattern] = [
    path("", views.admin_home, name="admin-home"),
    path("organization/", views.admin_organization, name="admin-organization"),
    path("organization/service-levels/", views.admin_service_levels, name="admin-service-levels"),
    path("teams/", views.admin_teams, name="admin-teams"),
    path("teams/new/", views.admin_team_create, name="admin-team-create"),
    path("teams/<int:pk>/", views.admin_team_edit, name="admin-team-edit"),
    path("teams/<int:pk>/move/", views.admin_team_move, name="admin-team-move"),
    path("teams/<int:pk>/delete/", views.admin_team_delete, name="admin-team-delete"),
    path("users/", views.admin_users, name="admin-users"),
    path("users/new/", views.admin_user_create, name="admin-user-create"),
    path("users/<int:pk>/", views.admin_user_edit, name="admin-user-edit"),
    path("users/<int:pk>/deactivate/", views.admin_user_deactivate, name="admin-user-deactivate"),
    path("users/<int:pk>/reactivate/", views.admin_user_reactivate, name="admin-user-reactivate"),
    path("users/<int:pk>/password/", views.admin_user_password, name="admin-user-password"),
    path("users/<int:pk>/unlock/", views.admin_user_unlock, name="admin-user-unlock"),
    path("holidays/", holidays.admin_holidays, name="admin-holidays"),
    path("holidays/new/", holidays.admin_holiday_create, name="admin-holiday-create"),
    path("holidays/<int:pk>/", holidays.admin_holiday_edit, name="admin-holiday-edit"),
    path("holidays/<int:pk>/delete/", holidays.admin_holiday_delete, name="admin-holiday-delete"),
    path("pools/", pool_admin.admin_pool_list, name="admin-pool-list"),
    path("pools/new/", pool_admin.admin_pool_create, name="admin-pool-create"),
    path("pools/<int:pk>/", pool_admin.admin_pool_edit, name="admin-pool-edit"),
    path("pools/<int:pk>/delete/", pool_admin.admin_pool_delete, name="admin-pool-delete"),
    path("pools/<int:pk>/members/", pool_admin.admin_pool_members, name="admin-pool-members"),
    path(
        "pools/<int:pk>/members/<int:member_pk>/admin/",
        pool_admin.admin_pool_member_admin,
        name="admin-pool-member-admin",
    ),
    path(
        "pools/<int:pk>/members/<int:member_pk>/remove/",
        pool_admin.admin_pool_member_remove,
        name="admin-pool-member-remove",
    ),
    path("pools/<int:pk>/rules/", pool_admin.admin_pool_rules, name="admin-pool-rules"),
    path("pools/<int:pk>/rules/<int:rule_pk>/", pool_admin.admin_pool_rule_edit, name="admin-pool-rule-edit"),
    path(
        "pools/<int:pk>/rules/<int:rule_pk>/delete/",
        pool_admin.admin_pool_rule_delete,
        name="admin-pool-rule-delete",
    ),
]
