from django.urls import URLPattern, path

from kam.planning import views_briefing, views_news

urlpatterns: list[URLPattern] = [
    path("briefing/", views_briefing.briefing_page, name="briefing"),
    path("briefing/pdf/", views_briefing.briefing_pdf, name="briefing-pdf"),
    path("news/", views_news.news_list_page, name="news-list"),
    path("news/new/", views_news.news_create, name="news-create"),
    path("news/<int:pk>/", views_news.news_detail, name="news-detail"),
    path("news/<int:pk>/edit/", views_news.news_edit, name="news-edit"),
    path("news/<int:pk>/delete/", views_news.news_delete, name="news-delete"),
]
