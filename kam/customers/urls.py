"""Customer pages under /customers/ (URL names are a contract between helpers; see the brief)."""

from django.urls import URLPattern, path

from kam.customers import views
from kam.customers.views.customers import region_cities

urlpatterns: list[URLPattern] = [
    path("", views.customer_list_page, name="customer-list"),
    path("new/", views.customer_create, name="customer-create"),
    path("duplicates/", views.duplicate_check, name="duplicate-check"),
    path("regions/cities/", region_cities, name="region-cities"),
    path("<int:pk>/", views.customer_detail, name="customer-detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer-edit"),
    path("<int:pk>/delete/", views.customer_delete, name="customer-delete"),
    path("<int:pk>/lock/", views.customer_lock, name="customer-lock"),
    path("<int:pk>/collaborators/", views.customer_collaborators, name="customer-collaborators"),
    path("<int:pk>/transfer/", views.customer_transfer, name="customer-transfer"),
    path("<int:pk>/return/", views.customer_return, name="customer-return"),
    path("<int:pk>/claim/", views.customer_claim, name="customer-claim"),
    path("<int:pk>/assign/", views.customer_assign, name="customer-assign"),
    path("<int:pk>/merge/", views.customer_merge, name="customer-merge"),
    path("<int:pk>/history/", views.customer_history, name="customer-history"),
    path("<int:pk>/map/", views.relationship_map_page, name="relationship-map"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact-create"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact-detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact-edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact-delete"),
    path("pools/", views.pool_list, name="pool-list"),
    path("pools/<int:pk>/", views.pool_detail, name="pool-detail"),
    path("recycle-bin/", views.recycle_bin, name="recycle-bin"),
    path(
        "recycle-bin/customers/<int:pk>/restore/",
        views.restore_customer_view,
        name="recycle-restore-customer",
    ),
    path("recycle-bin/contacts/<int:pk>/restore/", views.restore_contact_view, name="recycle-restore-contact"),
    path("recycle-bin/customers/<int:pk>/purge/", views.purge_customer_view, name="recycle-purge"),
]
