"""Access-matrix rows for the staff recording pages (concerns app).

Each row: URL name -> (method, url builder taking the objects dict, {who: status}). Anyone not
named gets 302 (a redirect to sign in) — only anonymous should ever be left out.
"""

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from concerns.models import Concern
from concerns.services.shares import share_grant
from tests.access.common import NON_RECORDERS, READERS_OF_THE_CONCERN, RECORDERS, SIGNED_IN_ONLY, WHO
from tests.concerns.helpers import PNG_BYTES, record_url, valid_post
from tests.conftest import client_for
from tests.factories import restricted_category

# name: (method, url builder, {who: status}); anonymous defaults to 302 (to sign in).
ROWS = {
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


def objects(cast) -> dict:
    """A concern by staff at site A with an attachment, and a draft of theirs."""
    author = client_for(cast.staff)
    post = valid_post(cast.child_a)
    post["files"] = [SimpleUploadedFile("note.png", PNG_BYTES)]
    author.post(record_url(), post)
    draft_key = uuid.uuid4()
    author.post(reverse("concerns:draft_autosave", args=[draft_key]), {"observations": "draft"})
    concern = Concern.objects.get()
    # A share of another child's record, so the matrix's readers of `concern` stay as they are.
    share = share_grant(
        granted_by=cast.dsl,
        grantee=cast.staff2,
        child=cast.child_a2,
        reason="Form tutor follow-up.",
        ends_on=timezone.localdate(),
    )
    restricted_post = valid_post(cast.child_a, categories=[str(restricted_category().pk)])
    restricted_post["files"] = [SimpleUploadedFile("restricted.png", PNG_BYTES)]
    author.post(record_url(), restricted_post)
    restricted = Concern.objects.get(is_restricted=True)
    author.post(record_url(), valid_post(cast.child_a2))
    shared = Concern.objects.get(child_links__child=cast.child_a2)
    client_for(cast.staff_b).post(record_url(), valid_post(cast.child_b))
    return {
        "restricted": restricted,
        "restricted_attachment": restricted.attachments.get(),
        "shared": shared,
        "other_site": Concern.objects.get(site=cast.site_b),
        "concern": concern,
        "attachment": concern.attachments.get(),
        "draft_key": draft_key,
        "share": share,
        "child_a": cast.child_a,
    }


SHARE_ROWS = {
    "concerns:share_concern": (
        "get",
        lambda o: reverse("concerns:share_concern", args=[o["concern"].pk]),
        {**READERS_OF_THE_CONCERN, "deputy": 200, "dsl": 200, "staff": 403, "auditor": 403},
    ),
    "concerns:share_child": (
        "get",
        lambda o: reverse("concerns:share_child", args=[o["child_a"].pk]),
        {
            "staff": 403,
            "staff2": 403,
            "deputy": 200,
            "dsl": 200,
            "admin": 403,
            "auditor": 403,
            "dsl_b": 404,
            "ended": 404,
        },
    ),
    "concerns:share_end": (
        "post",
        lambda o: reverse("concerns:share_end", args=[o["share"].pk]),
        {**{who: 404 for who in WHO if who != "anonymous"}, "deputy": 302, "dsl": 302},
    ),
    "concerns:shared": ("get", lambda o: reverse("concerns:shared"), SIGNED_IN_ONLY),
}
ROWS.update(SHARE_ROWS)

# The same pages asked about the other objects that matter: a restricted concern, a concern
# reached through a share of its child, and a concern at the other site.
NOT_AT_SITE_A = {who: 404 for who in WHO if who != "anonymous"}
VARIANT_ROWS = {
    "concerns:detail#restricted": (
        "get",
        lambda o: reverse("concerns:detail", args=[o["restricted"].pk]),
        {**NOT_AT_SITE_A, "staff": 200, "dsl": 200, "auditor": 200},
    ),
    "concerns:attachment#restricted": (
        "get",
        lambda o: reverse("concerns:attachment", args=[o["restricted_attachment"].uid]),
        {**NOT_AT_SITE_A, "staff": 200, "dsl": 200, "auditor": 200},
    ),
    "concerns:detail#shared": (
        "get",
        lambda o: reverse("concerns:detail", args=[o["shared"].pk]),
        {**READERS_OF_THE_CONCERN, "staff2": 200},
    ),
    "concerns:share_concern#restricted": (
        "get",
        lambda o: reverse("concerns:share_concern", args=[o["restricted"].pk]),
        {**NOT_AT_SITE_A, "staff": 403, "dsl": 200, "auditor": 403},
    ),
    "concerns:restriction_lift": (
        "get",
        lambda o: reverse("concerns:restriction_lift", args=[o["restricted"].pk]),
        {**NOT_AT_SITE_A, "staff": 403, "dsl": 200, "auditor": 403},
    ),
    "concerns:restriction_lift#post": (
        "post",
        lambda o: reverse("concerns:restriction_lift", args=[o["restricted"].pk]),
        {**NOT_AT_SITE_A, "staff": 403, "dsl": 302, "auditor": 403},
    ),
    "concerns:restriction_lift#unrestricted": (
        "get",
        lambda o: reverse("concerns:restriction_lift", args=[o["concern"].pk]),
        {**READERS_OF_THE_CONCERN, "staff": 403, "deputy": 403, "dsl": 403, "auditor": 403},
    ),
    "concerns:detail#other_site": (
        "get",
        lambda o: reverse("concerns:detail", args=[o["other_site"].pk]),
        {**NOT_AT_SITE_A, "dsl_b": 200},
    ),
}
ROWS.update(VARIANT_ROWS)

POST_DATA = {
    "concerns:addendum": {"text": "An addendum."},
    "concerns:restriction_lift#post": {"reason": "The police investigation has closed.", "confirm": "on"},
}
