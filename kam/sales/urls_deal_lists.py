"""Pages of the deal table, the board, saved views and the deal team (URL names are a contract
between modules; see docs/architecture.md)."""

from django.urls import URLPattern, path

from kam.sales import views_board, views_deal_lists, views_team

urlpatterns: list[URLPattern] = [
    path("deals/", views_deal_lists.deal_list_page, name="deal-list"),
    path("deals/board/", views_board.deal_board, name="deal-board"),
    path("deals/views/new/", views_deal_lists.deal_view_save, name="deal-view-save"),
    path("deals/views/<int:pk>/delete/", views_deal_lists.deal_view_delete, name="deal-view-delete"),
    path("deals/<int:pk>/team/", views_team.deal_team, name="deal-team"),
    path("deals/<int:pk>/team/<int:member_pk>/remove/", views_team.deal_team_remove, name="deal-team-remove"),
]
