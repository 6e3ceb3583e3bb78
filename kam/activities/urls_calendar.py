"""Calendar pages (day, week), the secret .ics feed and its regeneration."""

from django.urls import URLPattern, path

from kam.activities import views_calendar as views

urlpatterns: list[URLPattern] = [
    path("calendar/day/", views.calendar_day, name="calendar-day"),
    path("calendar/week/", views.calendar_week, name="calendar-week"),
    path("calendar/feed/regenerate/", views.calendar_feed_regenerate, name="calendar-feed-regenerate"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
