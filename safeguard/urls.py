from django.urls import include, path

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("console/", include("accounts.console_urls")),
    path("console/records/", include("concerns.console_urls")),
    path("", include("concerns.urls")),
]
