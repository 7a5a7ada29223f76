"""Insecure direct object references: an id from another site or another concern in a URL gets a
404 and changes nothing, on every nested route of the concerns pages."""

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from concerns.models import Addendum, Concern, ConcernDraft, Share
from concerns.services.shares import share_grant
from tests.concerns.helpers import PNG_BYTES, record_url, valid_post
from tests.conftest import client_for


@pytest.fixture
def site_b_records(cast):
    """A concern at site B with a file, a draft and a share there: what site A must never reach."""
    author = client_for(cast.staff_b)
    post = valid_post(cast.child_b)
    post["files"] = [SimpleUploadedFile("b.png", PNG_BYTES)]
    author.post(record_url(), post)
    draft_key = uuid.uuid4()
    author.post(reverse("concerns:draft_autosave", args=[draft_key]), {"observations": "site B draft"})
    concern = Concern.objects.get(site=cast.site_b)
    share = share_grant(
        granted_by=cast.dsl_b,
        grantee=cast.staff_b,
        child=cast.child_b,
        reason="Site B only.",
        ends_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    return {"concern": concern, "attachment": concern.attachments.get(), "draft_key": draft_key, "share": share}


@pytest.mark.parametrize("who", ["staff", "deputy", "dsl", "auditor", "admin"])
def test_site_b_ids_in_site_a_urls_are_not_found_and_change_nothing(cast, site_b_records, who):
    client = client_for(getattr(cast, who))
    records = site_b_records
    requests = [
        ("get", reverse("concerns:detail", args=[records["concern"].pk]), {}),
        ("get", reverse("concerns:receipt", args=[records["concern"].pk]), {}),
        ("post", reverse("concerns:addendum", args=[records["concern"].pk]), {"text": "Injected."}),
        ("get", reverse("concerns:attachment", args=[records["attachment"].uid]), {}),
        ("get", reverse("concerns:share_concern", args=[records["concern"].pk]), {}),
        (
            "post",
            reverse("concerns:share_concern", args=[records["concern"].pk]),
            {"grantee": cast.staff2.pk, "reason": "x", "ends_on": timezone.localdate()},
        ),
        ("get", reverse("concerns:share_child", args=[cast.child_b.pk]), {}),
        ("post", reverse("concerns:share_end", args=[records["share"].pk]), {}),
        ("get", record_url(records["draft_key"]), {}),
        ("post", reverse("concerns:draft_autosave", args=[records["draft_key"]]), {"observations": "overwritten"}),
        ("post", reverse("concerns:draft_discard", args=[records["draft_key"]]), {}),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data)
        recording_only = "/concerns/new/" in url or "/drafts/" in url
        allowed = {404, 403} if recording_only and who in ("auditor", "admin") else {404}
        assert response.status_code in allowed, f"{who} {method} {url}: {response.status_code}"
        assert "Came in at 08:40" not in response.content.decode(errors="ignore")
    assert not Addendum.objects.exists()
    assert ConcernDraft.objects.get(key=records["draft_key"]).data["observations"] == ["site B draft"]
    assert Share.objects.get().revoked_at is None
    assert Share.objects.count() == 1


def test_an_addendum_posted_to_someone_elses_concern_at_my_site_is_refused(cast):
    client_for(cast.staff2).post(record_url(), valid_post(cast.child_a2))
    theirs = Concern.objects.get()
    assert client_for(cast.staff).post(reverse("concerns:addendum", args=[theirs.pk]), {"text": "x"}).status_code == 404
    assert not Addendum.objects.exists()
