"""The administrator's console for records data: children and staff from the MIS, categories."""

app_name = "records_console"

urlpatterns: list = []
