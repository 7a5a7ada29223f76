"""The administrator's console for records data: children and staff from the MIS, categories."""

from django.urls import path

from concerns.views import console as views

app_name = "records_console"

urlpatterns = [
    path("", views.index, name="index"),
    path("sites/<int:site_id>/children/import/", views.children_import, name="children_import"),
    path("sites/<int:site_id>/staff/import/", views.staff_import, name="staff_import"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/restore-leavers/", views.import_leavers_restore, name="import_leavers_restore"),
    path("imports/<int:pk>/status/", views.import_status, name="import_status"),
    path("categories/", views.category_list, name="categories"),
    path("categories/new/", views.category_add, name="category_add"),
    path("categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("categories/<int:pk>/retire/", views.category_retire, name="category_retire"),
    path("categories/<int:pk>/reinstate/", views.category_reinstate, name="category_reinstate"),
    path("emails/failed/", views.email_failures, name="email_failures"),
    path("emails/failed/<int:pk>/retry/", views.email_retry, name="email_retry"),
]
