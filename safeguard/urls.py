from django.urls import include, path

from concerns.views.health import healthz

handler403 = "concerns.views.denials.forbidden"
handler404 = "concerns.views.denials.not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("console/", include("accounts.console_urls")),
    path("console/records/", include("concerns.urls.console")),
    path("audit/", include("concerns.urls.ledger")),
    path("alerts/", include("concerns.urls.alerts")),
    path("", include("concerns.urls")),
]
