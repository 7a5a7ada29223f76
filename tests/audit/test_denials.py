"""A refused request leaves one "access.denied" entry: the status, the page and its ids, nothing typed."""

import uuid

from django.urls import reverse

from audit.models import AuditEntry
from tests.conftest import client_for
from tests.factories import ConcernFactory


def _denials():
    return AuditEntry.objects.filter(event="access.denied")


def _concern_at_a(cast):
    return ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a])


def test_a_concern_someone_may_not_see_is_a_404_on_the_ledger(cast):
    concern = _concern_at_a(cast)
    response = client_for(cast.dsl_b).get(reverse("concerns:detail", args=[concern.pk]))
    assert response.status_code == 404
    assert b"Page not found" in response.content
    denial = _denials().get()
    assert denial.actor == cast.dsl_b
    assert denial.additional_data["counts"] == {"status": 404}
    assert sorted(denial.additional_data["fields"]) == [f"pk:{concern.pk}", "url:concerns:detail"]


def test_a_refusal_of_something_visible_is_a_403_on_the_ledger(cast):
    response = client_for(cast.staff).get(reverse("concerns:child", args=[cast.child_a.pk]))
    assert response.status_code == 403
    assert b"You cannot do that" in response.content
    denial = _denials().get()
    assert denial.actor == cast.staff
    assert denial.additional_data["counts"] == {"status": 403}
    assert f"pk:{cast.child_a.pk}" in denial.additional_data["fields"]


def test_the_denial_survives_the_rolled_back_request(cast):
    # The addendum view writes nothing before refusing, but the request's transaction is rolled
    # back all the same: the entry is there because the handler writes it afterwards.
    concern = _concern_at_a(cast)
    client = client_for(cast.staff2)
    before = AuditEntry.objects.count()
    response = client.post(reverse("concerns:addendum", args=[concern.pk]), {"text": "x"})
    assert response.status_code == 404
    assert AuditEntry.objects.count() == before + 1
    assert _denials().get().actor == cast.staff2


def test_words_in_the_query_string_are_not_recorded(cast):
    concern = _concern_at_a(cast)
    client_for(cast.admin).get(reverse("concerns:detail", args=[concern.pk]) + "?note=she+said+he+hit+her")
    denial = _denials().get()
    assert "hit" not in str(denial.additional_data)
    assert "hit" not in denial.object_repr


def test_a_uuid_in_the_path_is_recorded_as_an_id(cast):
    key = uuid.uuid4()
    response = client_for(cast.staff).post(reverse("concerns:draft_discard", args=[key]))
    assert response.status_code == 404
    assert f"key:{key}" in _denials().get().additional_data["fields"]


def test_signed_out_requests_go_to_sign_in_and_leave_no_denial(cast):
    concern = _concern_at_a(cast)
    response = client_for(None).get(reverse("concerns:detail", args=[concern.pk]))
    assert response.status_code == 302
    assert not _denials().exists()


def test_an_address_that_is_no_page_at_all_is_a_plain_404(cast):
    response = client_for(cast.dsl).get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert not _denials().exists()
