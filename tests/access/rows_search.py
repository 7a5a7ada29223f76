"""Access-matrix rows for searching concerns: everyone who reads concerns (staff, the DSL team,
auditors) searches what they may read; administrators, who read no concern, and people whose
membership has ended, are refused."""

from django.urls import reverse

from tests.access.common import RECORDERS

ROWS = {
    "concerns:search": (
        "get",
        lambda o: reverse("concerns:search") + "?q=Fernsby",
        {**RECORDERS, "auditor": 200, "admin": 403, "ended": 403},
    ),
}
