"""The administrator's records console: imports, categories and failed alert emails.

Administrators manage accounts and the roll; they read no concern content. The rules about whom
an administrator may change are accounts' own (accounts/policy.py), re-exported here so that the
concerns app has one door.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.choices import Role
from accounts.policy import (  # noqa: F401 - re-exported: one door for the concerns app
    admin_site_ids,
    is_console_admin,
    require_admin_of_site,
    require_not_self,
    require_whole_account,
)
from accounts.selectors import sites_for


def administered_sites(user) -> QuerySet:
    return sites_for(user, {Role.ADMIN})


def admin_required(view):
    """Signed in, and an administrator at one site at least today; otherwise 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_console_admin(request.user):
            raise PermissionDenied("Only administrators use the records console.")
        return view(request, *args, **kwargs)

    return wrapped
