"""The administrator's console: users, memberships, sites, training, organisation settings."""

from django.urls import path

from accounts import console_views as views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/invite/", views.user_invite_send, name="user_invite"),
    path("users/<int:pk>/deactivate/", views.user_deactivate_view, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate_view, name="user_reactivate"),
    path("users/<int:pk>/mfa-reset/", views.user_mfa_reset, name="user_mfa_reset"),
    path("users/<int:pk>/memberships/new/", views.membership_new, name="membership_new"),
    path("users/<int:pk>/training/", views.user_training, name="user_training"),
    path("memberships/<int:pk>/end/", views.membership_end_view, name="membership_end"),
    path("memberships/<int:pk>/role/", views.membership_role, name="membership_role"),
    path("training/", views.training_overdue, name="training_overdue"),
    path("organisation/", views.organisation, name="organisation"),
    path("sites/", views.sites, name="sites"),
    path("sites/<int:pk>/", views.site_edit, name="site_edit"),
]
