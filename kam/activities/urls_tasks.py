"""Pages of 待办 and 协调请求 (URL names are a contract between helpers; see the brief)."""

from django.urls import URLPattern, path

from kam.activities import views_requests, views_tasks

urlpatterns: list[URLPattern] = [
    path("tasks/", views_tasks.task_list_page, name="task-list"),
    path("tasks/new/", views_tasks.task_create, name="task-create"),
    path("tasks/customer-picker/", views_tasks.customer_picker, name="work-customer-picker"),
    path("tasks/contact-options/", views_tasks.contact_options, name="task-contact-options"),
    path("tasks/<int:pk>/", views_tasks.task_detail, name="task-detail"),
    path("tasks/<int:pk>/done/", views_tasks.task_toggle, name="task-toggle"),
    path("tasks/<int:pk>/delete/", views_tasks.task_delete, name="task-delete"),
    path("requests/", views_requests.request_list_page, name="request-list"),
    path("requests/new/", views_requests.request_create, name="request-create"),
    path("requests/due-date/", views_requests.due_preview, name="request-due-preview"),
    path("requests/colleagues/", views_requests.colleague_picker, name="request-colleague-picker"),
    path("requests/<int:pk>/", views_requests.request_detail, name="request-detail"),
    path("requests/<int:pk>/accept/", views_requests.request_accept, name="request-accept"),
    path("requests/<int:pk>/reject/", views_requests.request_reject, name="request-reject"),
    path("requests/<int:pk>/complete/", views_requests.request_complete, name="request-complete"),
    path("requests/<int:pk>/cancel/", views_requests.request_cancel, name="request-cancel"),
    path("requests/<int:pk>/comments/", views_requests.request_comments, name="request-comments"),
]
