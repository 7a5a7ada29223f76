"""The hot pages run a fixed number of queries however much there is to show.

Budgets include the per-request overhead: session, user, verified device, the menu's roles, the
header's unread-alert count (one query over the partial index of unread alerts) and, on pages that
write to the ledger, the actor's roles recorded with the entry. The count added one query to each
page; every budget here still held with room to spare, so none was raised."""

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import ChildFactory, ConcernFactory


@pytest.fixture
def busy_site(cast):
    children = [ChildFactory(site=cast.site_a, last_name=f"Fernsby{i}") for i in range(20)]
    for child in children:
        ConcernFactory(site=cast.site_a, author=cast.staff, about=[child, cast.child_a])
    return children


@pytest.mark.parametrize(
    "name, query",
    [
        ("concerns:child_search", {"q": "Fernsby"}),
        ("concerns:child_lookup", {"q": "Fernsby"}),
        ("concerns:mine", {}),
        ("concerns:home", {}),
    ],
)
def test_hot_pages_have_a_constant_query_count(cast, busy_site, django_assert_max_num_queries, name, query):
    client = client_for(cast.staff)
    client.get(reverse(name), query)  # warm the content-type cache
    with django_assert_max_num_queries(17):
        response = client.get(reverse(name), query)
    assert response.status_code == 200


def test_concern_page_query_count(cast, busy_site, django_assert_max_num_queries):
    concern = cast.child_a.concerns.first()
    client = client_for(cast.staff)
    client.get(reverse("concerns:detail", args=[concern.pk]))
    with django_assert_max_num_queries(22):
        assert client.get(reverse("concerns:detail", args=[concern.pk])).status_code == 200


def _queries_for(client, url, django_assert_max_num_queries, budget):
    client.get(url)  # warm the content-type cache
    with django_assert_max_num_queries(budget) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_drafts_page_query_count_does_not_grow_with_drafts(cast, django_assert_max_num_queries):
    import uuid

    from concerns.models import ConcernDraft

    client = client_for(cast.staff)
    url = reverse("concerns:drafts")

    def add_drafts(count):
        for i in range(count):
            child = ChildFactory(site=cast.site_a, last_name=f"Drafton{i}{count}")
            ConcernDraft.objects.create(
                key=uuid.uuid4(), author=cast.staff, data={"children": [str(child.pk)], f"role_{child.pk}": ["subject"]}
            )

    add_drafts(1)
    one = _queries_for(client, url, django_assert_max_num_queries, 16)
    add_drafts(15)
    many = _queries_for(client, url, django_assert_max_num_queries, 16)
    assert many == one
    assert "Drafton" in client.get(url).text


def test_child_page_query_count_does_not_grow_with_concerns(cast, busy_site, django_assert_max_num_queries):
    client = client_for(cast.dsl)
    url = reverse("concerns:child", args=[cast.child_a.pk])
    few = _queries_for(client, url, django_assert_max_num_queries, 20)
    for _ in range(15):
        ConcernFactory(site=cast.site_a, author=cast.staff2, about=[cast.child_a])
    assert _queries_for(client, url, django_assert_max_num_queries, 20) == few


def test_shared_with_me_query_count_does_not_grow_with_shares(cast, django_assert_max_num_queries):
    import datetime

    from django.utils import timezone

    from concerns.services.shares import share_grant

    client = client_for(cast.staff2)
    url = reverse("concerns:shared")

    def share_some(count):
        for i in range(count):
            child = ChildFactory(site=cast.site_a, last_name=f"Sharewell{i}{count}")
            concern = ConcernFactory(site=cast.site_a, author=cast.staff, about=[child])
            share_grant(
                granted_by=cast.dsl,
                grantee=cast.staff2,
                concern=concern if i % 2 else None,
                child=None if i % 2 else child,
                reason="Key adult for the plan.",
                ends_on=timezone.localdate() + datetime.timedelta(days=7),
            )

    share_some(2)
    few = _queries_for(client, url, django_assert_max_num_queries, 18)
    share_some(12)
    assert _queries_for(client, url, django_assert_max_num_queries, 18) == few
