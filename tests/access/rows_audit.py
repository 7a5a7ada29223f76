"""Access-matrix rows for the ledger pages and the child's page (issue 4).

The ledger is read by DSLs and auditors (all of their sites) and administrators (account events);
a site-B DSL reads site B's ledger, so they get the page too — with nothing of site A on it.
A child's page is for the DSL team and auditors of the child's site: those who can find the child
on the roll are refused (403); everyone else is told it does not exist (404).
"""

from django.urls import reverse

LEDGER_READERS = {
    "staff": 403,
    "staff2": 403,
    "deputy": 403,
    "dsl": 200,
    "admin": 200,
    "auditor": 200,
    "dsl_b": 200,
    "ended": 403,
}

ROWS = {
    "ledger:index": ("get", lambda o: reverse("ledger:index"), LEDGER_READERS),
    "ledger:export": ("get", lambda o: reverse("ledger:export"), LEDGER_READERS),
    "concerns:child": (
        "get",
        lambda o: reverse("concerns:child", args=[o["ledger_child"].pk]),
        {
            "staff": 403,
            "staff2": 403,
            "deputy": 200,
            "dsl": 200,
            "admin": 403,
            "auditor": 200,
            "dsl_b": 404,
            "ended": 404,
        },
    ),
}


def objects(cast) -> dict:
    return {"ledger_child": cast.child_a}
