"""Access-matrix rows for the DSL dashboard (concerns.views.dashboard): the DSL team and auditors
of any site; everyone else 403, and signed out to sign in."""

from django.urls import reverse

from tests.access.common import SIGNED_IN

DASHBOARD_READERS = {**{who: 403 for who in SIGNED_IN}, "deputy": 200, "dsl": 200, "auditor": 200, "dsl_b": 200}

ROWS = {
    "concerns:dashboard": ("get", lambda o: reverse("concerns:dashboard"), DASHBOARD_READERS),
}
