"""Access-matrix rows for signing in and out, MFA, session and password pages."""

from django.urls import reverse

from tests.access.common import SIGNED_IN, WHO

EVERYONE_SIGNED_IN = {who: 200 for who in SIGNED_IN}

ROWS = {
    "accounts:login": (
        "get",
        lambda o: reverse("accounts:login"),
        {"anonymous": 200, **{who: 302 for who in SIGNED_IN}},
    ),
    "accounts:logout": ("post", lambda o: reverse("accounts:logout"), {who: 302 for who in WHO}),
    # Every signed-in person may confirm it is them with a fresh code.
    "accounts:mfa_verify": ("get", lambda o: reverse("accounts:mfa_verify"), EVERYONE_SIGNED_IN),
    # Already enrolled (the cast all have an authenticator): sent on to enter a code instead.
    "accounts:mfa_enrol": ("get", lambda o: reverse("accounts:mfa_enrol"), {who: 302 for who in SIGNED_IN}),
    # A browser script asks; signed out, it is told so rather than sent to a page.
    "accounts:session_status": (
        "get",
        lambda o: reverse("accounts:session_status"),
        {"anonymous": 401, **EVERYONE_SIGNED_IN},
    ),
    "accounts:session_keepalive": (
        "post",
        lambda o: reverse("accounts:session_keepalive"),
        {"anonymous": 401, **EVERYONE_SIGNED_IN},
    ),
    "accounts:password_change": ("get", lambda o: reverse("accounts:password_change"), EVERYONE_SIGNED_IN),
    "accounts:password_change_done": ("get", lambda o: reverse("accounts:password_change_done"), EVERYONE_SIGNED_IN),
    # Resetting a forgotten password is for anyone, signed in or not.
    "accounts:password_reset": ("get", lambda o: reverse("accounts:password_reset"), {who: 200 for who in WHO}),
    "accounts:password_reset_done": (
        "get",
        lambda o: reverse("accounts:password_reset_done"),
        {who: 200 for who in WHO},
    ),
    # A made-up link: the page says the link does not work, to anyone.
    "accounts:password_reset_confirm": (
        "get",
        lambda o: reverse("accounts:password_reset_confirm", args=["MQ", "set-password"]),
        {who: 200 for who in WHO},
    ),
    "accounts:password_reset_complete": (
        "get",
        lambda o: reverse("accounts:password_reset_complete"),
        {who: 200 for who in WHO},
    ),
}
