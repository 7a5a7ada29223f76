from django.conf import settings

from accounts.selectors import roles_for
from accounts.services.auth import idle_limit_seconds, mfa_required


def navigation(request) -> dict:
    """The signed-in person's roles, for the menu, and the session's idle limit for the timeout
    warning (static/js/session.js reads it from <body>). Roles are evaluated only when a template asks."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    user = request.user
    return {
        "user_roles": lambda: roles_for(user),
        # Signed in with a password, code not yet entered: the menu is not offered yet.
        "mfa_pending": lambda: hasattr(user, "is_verified") and not user.is_verified() and mfa_required(user),
        "session_idle_seconds": idle_limit_seconds(request.session),
        "session_warning_seconds": settings.VIGIL_SESSION_WARNING_SECONDS,
    }
