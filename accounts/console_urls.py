"""The administrator's console: users, memberships, sites, training, organisation settings."""

app_name = "console"

urlpatterns: list = []
