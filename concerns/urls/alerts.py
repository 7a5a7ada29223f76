"""A person's alerts: /alerts/, and /alerts/<id>/, the link in every alert email."""

from django.urls import path

from concerns.views import alerts as views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list, name="list"),
    path("read/", views.alerts_mark_all_read, name="mark_all_read"),
    path("<int:pk>/", views.alert_open, name="open"),
    path("<int:pk>/read/", views.alert_mark_read, name="mark_read"),
]
