"""Access-matrix rows for the administrator's console (users, memberships, training, sites, organisation).

Only an active administrator gets in: everyone else signed in is refused (403), anonymous is sent
to sign in. The objects are all at site A, the matrix administrator's site; tests/accounts/
test_console_idor.py proves that the same URLs with site B's objects are 404 and change nothing.
"""

from django.urls import reverse

from accounts.choices import Role
from tests.access.common import SIGNED_IN
from tests.factories import MembershipFactory, UserFactory

REFUSED = {who: 403 for who in SIGNED_IN}


def _admin_gets(status: int) -> dict:
    return {**REFUSED, "admin": status}


ROWS = {
    "console:home": ("get", lambda o: reverse("console:home"), _admin_gets(200)),
    "console:users": ("get", lambda o: reverse("console:users") + "?q=Console&status=all", _admin_gets(200)),
    "console:user_new": ("get", lambda o: reverse("console:user_new"), _admin_gets(200)),
    "console:user_detail": (
        "get",
        lambda o: reverse("console:user_detail", args=[o["console_person"].pk]),
        _admin_gets(200),
    ),
    "console:user_invite": (
        "post",
        lambda o: reverse("console:user_invite", args=[o["console_person"].pk]),
        _admin_gets(302),
    ),
    "console:user_deactivate": (
        "post",
        lambda o: reverse("console:user_deactivate", args=[o["console_person"].pk]),
        _admin_gets(302),
    ),
    "console:user_reactivate": (
        "post",
        lambda o: reverse("console:user_reactivate", args=[o["console_deactivated"].pk]),
        _admin_gets(302),
    ),
    "console:user_mfa_reset": (
        "post",
        lambda o: reverse("console:user_mfa_reset", args=[o["console_person"].pk]),
        _admin_gets(302),
    ),
    "console:membership_new": (
        "get",
        lambda o: reverse("console:membership_new", args=[o["console_person"].pk]),
        _admin_gets(200),
    ),
    "console:user_training": (
        "get",
        lambda o: reverse("console:user_training", args=[o["console_person"].pk]),
        _admin_gets(200),
    ),
    "console:membership_end": (
        "post",
        lambda o: reverse("console:membership_end", args=[o["console_membership"].pk]),
        _admin_gets(302),
    ),
    "console:membership_role": (
        "get",
        lambda o: reverse("console:membership_role", args=[o["console_membership"].pk]),
        _admin_gets(200),
    ),
    "console:training_overdue": ("get", lambda o: reverse("console:training_overdue"), _admin_gets(200)),
    "console:organisation": ("get", lambda o: reverse("console:organisation"), _admin_gets(200)),
    "console:sites": ("get", lambda o: reverse("console:sites"), _admin_gets(200)),
    "console:site_edit": ("get", lambda o: reverse("console:site_edit", args=[o["console_site"].pk]), _admin_gets(200)),
}


def objects(cast) -> dict:
    """A member of staff at site A to manage, and a deactivated one to reactivate."""
    person = UserFactory(email="kit.console@test.example", full_name="Kit Console")
    membership = MembershipFactory(user=person, site=cast.site_a, role=Role.STAFF)
    deactivated = UserFactory(email="former.console@test.example", full_name="Former Console", is_active=False)
    MembershipFactory(user=deactivated, site=cast.site_a, role=Role.STAFF)
    return {
        "console_person": person,
        "console_membership": membership,
        "console_deactivated": deactivated,
        "console_site": cast.site_a,
    }
