"""Who may change whom: the administrator's rules, the accounts half of the access policy.

An administrator manages accounts and memberships at the sites where they hold an active admin
membership, never their own (separation of duties), and never the account itself of a person
who also works where they do not administer. `accounts` never imports `concerns`
(DESIGN.md section 4), so these rules live here; `concerns.policy` re-exports them.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership, User
from accounts.selectors import site_ids_for


def admin_site_ids(admin) -> QuerySet:
    """The sites this administrator manages, as a subquery."""
    return site_ids_for(admin, {Role.ADMIN})


def is_console_admin(user) -> bool:
    return admin_site_ids(user).exists()


def console_admin_required(view):
    """Signed in, with an active admin membership somewhere; otherwise sign in (anonymous) or 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_console_admin(request.user):
            raise PermissionDenied("Only administrators use the console.")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def has_access_elsewhere(admin, user: User) -> bool:
    """Whether the user holds a current or future membership at a site this administrator does not manage."""
    today = timezone.localdate()
    return (
        Membership.objects.filter(user=user)
        .exclude(site_id__in=admin_site_ids(admin))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .exists()
    )


def require_admin_of_site(admin: User, site_id: int) -> None:
    """An administrator changes memberships only at the sites they administer."""
    if not admin_site_ids(admin).filter(site_id=site_id).exists():
        raise PermissionDenied("You do not administer that site.")


def require_not_self(admin: User, user: User) -> None:
    """Separation of duties: an administrator who could give themselves a DSL role could read
    every concern. Their own account is changed by another administrator."""
    if admin.pk == user.pk:
        raise PermissionDenied("Another administrator must change your own account and roles.")


def require_whole_account(admin: User, user: User) -> None:
    """Any change to the account itself (name, deactivation, MFA reset), from any path, needs authority
    over every site the person works at: one school's administrator never rewrites another school's person."""
    require_not_self(admin, user)
    if has_access_elsewhere(admin, user):
        raise PermissionDenied("This person also works at a site you do not administer.")
