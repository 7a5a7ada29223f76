"""Access-matrix rows for the administrator's records console: MIS imports and categories.

Only an administrator uses it: the site-A admin is allowed, everyone else signed in is refused
(403), anonymous is sent to sign in. Sites and imports outside the admin's own are 404: see
tests/concerns/test_import_access.py for those, route by route.
"""

from django.urls import reverse

from concerns.models import ImportJob
from tests.access.common import SIGNED_IN
from tests.factories import category


def admin_only(status: int) -> dict[str, int]:
    return {**{who: 403 for who in SIGNED_IN}, "admin": status}


ROWS = {
    "records_console:index": ("get", lambda o: reverse("records_console:index"), admin_only(200)),
    "records_console:children_import": (
        "get",
        lambda o: reverse("records_console:children_import", args=[o["site_a"].pk]),
        admin_only(200),
    ),
    "records_console:staff_import": (
        "get",
        lambda o: reverse("records_console:staff_import", args=[o["site_a"].pk]),
        admin_only(200),
    ),
    "records_console:import_detail": (
        "get",
        lambda o: reverse("records_console:import_detail", args=[o["import_job"].pk]),
        admin_only(200),
    ),
    "records_console:import_confirm": (
        "post",
        lambda o: reverse("records_console:import_confirm", args=[o["import_job"].pk]),
        admin_only(302),
    ),
    "records_console:import_leavers_restore": (
        "post",
        lambda o: reverse("records_console:import_leavers_restore", args=[o["import_job"].pk]),
        admin_only(302),
    ),
    "records_console:import_status": (
        "get",
        lambda o: reverse("records_console:import_status", args=[o["import_job"].pk]),
        admin_only(200),
    ),
    "records_console:categories": ("get", lambda o: reverse("records_console:categories"), admin_only(200)),
    "records_console:category_add": ("get", lambda o: reverse("records_console:category_add"), admin_only(200)),
    "records_console:category_edit": (
        "get",
        lambda o: reverse("records_console:category_edit", args=[o["category"].pk]),
        admin_only(200),
    ),
    "records_console:category_retire": (
        "post",
        lambda o: reverse("records_console:category_retire", args=[o["category"].pk]),
        admin_only(302),
    ),
    "records_console:category_reinstate": (
        "post",
        lambda o: reverse("records_console:category_reinstate", args=[o["category"].pk]),
        admin_only(302),
    ),
}


# The confirmation ticked: a refusal is the access rule's, not the form's. What a refused restore
# changed (nothing) is checked in tests/concerns/test_import_access.py.
POST_DATA = {"records_console:import_leavers_restore": {"confirm": "on"}}


def objects(cast) -> dict:
    """A previewed children import at site A, by its administrator."""
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.CHILDREN,
        site=cast.site_a,
        created_by=cast.admin,
        file_name="roll.csv",
        rows=[
            {
                "row": 2,
                "upn": "A123456789012",
                "first_name": "Ivo",
                "last_name": "Pennick",
                "preferred_name": "",
                "date_of_birth": "2016-04-01",
                "year_group": "Year 4",
            }
        ],
        seen_keys=["A123456789012"],
        total=1,
        preview={"created": 1, "updated": 0, "unchanged": 0, "left": 0, "errors": 0},
    )
    return {"site_a": cast.site_a, "import_job": job, "category": category("Neglect")}
