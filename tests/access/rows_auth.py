"""Access-matrix rows for signing in and out, MFA and password pages."""

from django.urls import reverse

from tests.access.common import SIGNED_IN, WHO

ROWS = {
    "accounts:login": (
        "get",
        lambda o: reverse("accounts:login"),
        {"anonymous": 200, **{who: 302 for who in SIGNED_IN}},
    ),
    "accounts:logout": ("post", lambda o: reverse("accounts:logout"), {who: 302 for who in WHO}),
}
