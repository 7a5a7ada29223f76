"""Every URL × every member of the cast → the status DESIGN.md section 1 says they get.

A URL pattern without a row here fails the test: no view goes unchecked. Not visible is 404;
visible but not allowed is 403; signed out is a redirect to sign in.
"""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from concerns.models import Concern
from tests.concerns.helpers import PNG_BYTES, record_url, valid_post
from tests.conftest import client_for

WHO = ("anonymous", "staff", "staff2", "deputy", "dsl", "admin", "auditor", "dsl_b", "ended")
RECORDERS = {"staff": 200, "staff2": 200, "deputy": 200, "dsl": 200, "dsl_b": 200}
NON_RECORDERS = {"admin": 403, "auditor": 403, "ended": 403}
SIGNED_IN_ONLY = {who: 200 for who in WHO if who != "anonymous"}
# A concern staff wrote at site A, in an unrestricted category: the author, the site's DSL team
# and its auditor read it; everyone else is told it does not exist.
READERS_OF_THE_CONCERN = {
    **{who: 404 for who in WHO if who != "anonymous"},
    "staff": 200,
    "deputy": 200,
    "dsl": 200,
    "auditor": 200,
}

# name: (method, url builder, {who: status}); anonymous defaults to 302 (to sign in).
MATRIX = {
    "accounts:login": (
        "get",
        lambda o: reverse("accounts:login"),
        {"anonymous": 200, **{who: 302 for who in WHO if who != "anonymous"}},
    ),
    "accounts:logout": ("post", lambda o: reverse("accounts:logout"), {who: 302 for who in WHO}),
    "concerns:home": ("get", lambda o: reverse("concerns:home"), SIGNED_IN_ONLY),
    "concerns:child_search": ("get", lambda o: reverse("concerns:child_search") + "?q=Fernsby", SIGNED_IN_ONLY),
    "concerns:child_lookup": ("get", lambda o: reverse("concerns:child_lookup") + "?q=Fernsby", SIGNED_IN_ONLY),
    "concerns:new": ("get", lambda o: reverse("concerns:new"), {**{w: 302 for w in RECORDERS}, **NON_RECORDERS}),
    "concerns:record": ("get", lambda o: record_url(), {**RECORDERS, **NON_RECORDERS}),
    "concerns:drafts": ("get", lambda o: reverse("concerns:drafts"), SIGNED_IN_ONLY),
    "concerns:draft_autosave": (
        "post",
        lambda o: reverse("concerns:draft_autosave", args=[uuid.uuid4()]),
        {"anonymous": 401, **RECORDERS, **NON_RECORDERS},
    ),
    "concerns:draft_discard": (
        "post",
        lambda o: reverse("concerns:draft_discard", args=[o["draft_key"]]),
        {**{who: 404 for who in WHO if who != "anonymous"}, "staff": 302},
    ),
    "concerns:mine": ("get", lambda o: reverse("concerns:mine"), SIGNED_IN_ONLY),
    "concerns:detail": (
        "get",
        lambda o: reverse("concerns:detail", args=[o["concern"].pk]),
        READERS_OF_THE_CONCERN,
    ),
    "concerns:receipt": (
        "get",
        lambda o: reverse("concerns:receipt", args=[o["concern"].pk]),
        {
            "staff": 200,
            "staff2": 404,
            "deputy": 403,
            "dsl": 403,
            "admin": 404,
            "auditor": 403,
            "dsl_b": 404,
            "ended": 404,
        },
    ),
    "concerns:addendum": (
        "post",
        lambda o: reverse("concerns:addendum", args=[o["concern"].pk]),
        {
            "staff": 302,
            "staff2": 404,
            "deputy": 403,
            "dsl": 403,
            "admin": 404,
            "auditor": 403,
            "dsl_b": 404,
            "ended": 404,
        },
    ),
    "concerns:attachment": (
        "get",
        lambda o: reverse("concerns:attachment", args=[o["attachment"].uid]),
        READERS_OF_THE_CONCERN,
    ),
}


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_pattern_has_a_row_in_the_matrix():
    assert _url_names(get_resolver()) == set(MATRIX)


@pytest.fixture
def objects(cast):
    author = client_for(cast.staff)
    post = valid_post(cast.child_a)
    post["files"] = [SimpleUploadedFile("note.png", PNG_BYTES)]
    author.post(record_url(), post)
    draft_key = uuid.uuid4()
    author.post(reverse("concerns:draft_autosave", args=[draft_key]), {"observations": "draft"})
    concern = Concern.objects.get()
    return {"concern": concern, "attachment": concern.attachments.get(), "draft_key": draft_key}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(cast, objects, name, who):
    method, build, expected = MATRIX[name]
    client = client_for(None if who == "anonymous" else getattr(cast, who))
    data = {"text": "An addendum."} if name == "concerns:addendum" else {}
    response = getattr(client, method)(build(objects), data)
    want = expected.get(who, 302)
    assert response.status_code == want, f"{who} {method.upper()} {name}: {response.status_code}, want {want}"
    if who == "anonymous" and want == 302 and name not in ("accounts:logout",):
        assert response["Location"].startswith(reverse("accounts:login"))
