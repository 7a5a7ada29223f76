"""Access-matrix rows for the review queue and triage (concerns.views.review).

Triage is for the DSL team of the concern's site, on a concern they may read (DESIGN.md section
1): the author and the auditor read the concern but may not triage it (403); anyone who cannot
read it is told it does not exist (404); a deputy cannot triage a restricted concern nobody shared.
"""

from django.urls import reverse

from concerns.services.review import concern_review
from tests.access.common import WHO
from tests.factories import ChildFactory, ConcernFactory, restricted_category

SIGNED_IN = [who for who in WHO if who != "anonymous"]
NOT_VISIBLE = {who: 404 for who in SIGNED_IN}
# An unrestricted concern at site A, written by staff, awaiting review.
TRIAGERS_OF_THE_CONCERN = {**NOT_VISIBLE, "staff": 403, "auditor": 403, "deputy": 302, "dsl": 302}
DSL_TEAMS = {**{who: 403 for who in SIGNED_IN}, "deputy": 200, "dsl": 200, "dsl_b": 200}


def objects(cast) -> dict:
    awaiting = ConcernFactory(site=cast.site_a, author=cast.staff, about=[ChildFactory(site=cast.site_a)])
    reviewed = ConcernFactory(site=cast.site_a, author=cast.staff, about=[ChildFactory(site=cast.site_a)])
    concern_review(user=cast.dsl, concern=reviewed, decision="monitor", rationale="Keep an eye at lunchtimes.")
    restricted = ConcernFactory(
        site=cast.site_a, author=cast.staff, about=[ChildFactory(site=cast.site_a)], categories=[restricted_category()]
    )
    other_site = ConcernFactory(site=cast.site_b, author=cast.staff_b, about=[ChildFactory(site=cast.site_b)])
    return {
        "review_awaiting": awaiting,
        "review_reviewed": reviewed,
        "review_restricted": restricted,
        "review_other_site": other_site,
        "review_owner_id": cast.dsl.pk,
    }


def _at(name: str, key: str = "review_awaiting"):
    return lambda o: reverse(f"concerns:{name}", args=[o[key].pk])


ROWS = {
    "concerns:review_queue": ("get", lambda o: reverse("concerns:review_queue"), DSL_TEAMS),
    "concerns:review_claim": ("post", _at("review_claim"), TRIAGERS_OF_THE_CONCERN),
    "concerns:review_release": ("post", _at("review_release"), TRIAGERS_OF_THE_CONCERN),
    "concerns:review_priority": ("post", _at("review_priority"), TRIAGERS_OF_THE_CONCERN),
    # A plain GET of the decision form goes to the concern's page, where the form is.
    "concerns:review_decision": ("get", _at("review_decision"), TRIAGERS_OF_THE_CONCERN),
    "concerns:review_decision#post": ("post", _at("review_decision"), TRIAGERS_OF_THE_CONCERN),
    "concerns:review_owner": ("post", _at("review_owner", "review_reviewed"), TRIAGERS_OF_THE_CONCERN),
    "concerns:review_close": ("post", _at("review_close", "review_reviewed"), TRIAGERS_OF_THE_CONCERN),
    # A restricted concern: the deputy cannot read it unless it is shared.
    "concerns:review_claim#restricted": (
        "post",
        _at("review_claim", "review_restricted"),
        {**NOT_VISIBLE, "staff": 403, "auditor": 403, "dsl": 302},
    ),
    "concerns:review_decision#restricted": (
        "post",
        _at("review_decision", "review_restricted"),
        {**NOT_VISIBLE, "staff": 403, "auditor": 403, "dsl": 302},
    ),
    # The other site's concern: only its own DSL team (which may not close it before reviewing it).
    "concerns:review_claim#other_site": (
        "post",
        _at("review_claim", "review_other_site"),
        {**NOT_VISIBLE, "dsl_b": 302},
    ),
    "concerns:review_close#other_site": (
        "post",
        _at("review_close", "review_other_site"),
        {**NOT_VISIBLE, "dsl_b": 400},
    ),
}

DECISION = {"decision": "monitor", "rationale": "Speak to the form tutor and check in daily."}
POST_DATA = {
    "concerns:review_priority": {"priority": "high"},
    "concerns:review_decision#post": DECISION,
    "concerns:review_decision#restricted": DECISION,
    "concerns:review_owner": lambda o: {"owner": o["review_owner_id"]},
    "concerns:review_close": {"outcome": "no_further_action", "reason": "Nothing further: the coat was lost."},
    "concerns:review_close#other_site": {"outcome": "no_further_action", "reason": "Not yet reviewed."},
}
