from django.urls import path

from concerns.views import ledger

app_name = "ledger"

urlpatterns = [
    path("", ledger.ledger_index, name="index"),
    path("export.csv", ledger.ledger_export, name="export"),
]
