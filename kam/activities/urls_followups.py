"""Follow-up, visit and attachment pages (URL names are a contract between helpers; see the brief)."""

from django.urls import URLPattern, path

from kam.activities import views_followups, views_visits

urlpatterns: list[URLPattern] = [
    path("followups/", views_followups.followup_list_page, name="followup-list"),
    path("followups/new/", views_followups.followup_create, name="followup-create"),
    path("followups/<int:pk>/", views_followups.followup_detail, name="followup-detail"),
    path("followups/<int:pk>/edit/", views_followups.followup_edit, name="followup-edit"),
    path("followups/<int:pk>/delete/", views_followups.followup_delete, name="followup-delete"),
    path("followups/<int:pk>/attachments/", views_followups.followup_attachments, name="followup-attachments"),
    path("attachments/<int:pk>/", views_followups.attachment_download, name="attachment-download"),
    path("attachments/<int:pk>/delete/", views_followups.attachment_delete, name="attachment-delete"),
    path("customers/<int:pk>/timeline/", views_followups.customer_timeline_page, name="customer-timeline"),
    path("visits/", views_visits.visit_list_page, name="visit-list"),
    path("visits/new/", views_visits.visit_create, name="visit-create"),
    path("visits/<int:pk>/", views_visits.visit_detail, name="visit-detail"),
    path("visits/<int:pk>/check-in/", views_visits.visit_check_in, name="visit-check-in"),
    path("visits/<int:pk>/check-out/", views_visits.visit_check_out, name="visit-check-out"),
    path("visits/<int:pk>/cancel/", views_visits.visit_cancel, name="visit-cancel"),
    path("visits/<int:pk>/photos/", views_visits.visit_photos, name="visit-photos"),
]
