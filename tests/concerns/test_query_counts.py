"""The hot pages run a fixed number of queries however much there is to show.

Budgets include the per-request overhead: session, user, verified device, the menu's roles and,
on pages that write to the ledger, the actor's roles recorded with the entry."""

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
