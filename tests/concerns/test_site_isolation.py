"""Staff see the roll of their own sites and their own concerns, nothing else."""

import pytest
from django.urls import reverse

from concerns.models import Concern
from tests.concerns.helpers import record_url, valid_post
from tests.conftest import client_for
from tests.factories import ConcernFactory, restricted_category


@pytest.fixture
def concern_a(cast):
    client_for(cast.staff).post(record_url(), valid_post(cast.child_a))
    return Concern.objects.get()


def test_staff_at_one_site_cannot_find_a_child_of_another(cast):
    client = client_for(cast.staff_b)
    for query in ("Fernsby", "Addy", cast.child_a.upn):
        assert "Addy Fernsby" not in client.get(reverse("concerns:child_search"), {"q": query}).text
        assert (
            client.get(reverse("concerns:child_lookup"), {"q": query}).json()["results"]
            == [
                {
                    "id": cast.child_b.pk,
                    "name": "Cleo Fernsby",
                    "year_group": "Year 8",
                    "site": cast.site_b.name,
                    "born": cast.child_b.date_of_birth.isoformat(),
                    "born_on": "17 May 2014",
                },
            ][: 1 if query == "Fernsby" else 0]
        )


def test_search_finds_by_preferred_name_and_upn(cast):
    client = client_for(cast.staff)
    assert "Addy Fernsby" in client.get(reverse("concerns:child_search"), {"q": "addy"}).text
    assert "Addy Fernsby" in client.get(reverse("concerns:child_search"), {"q": "A100000000001"}).text
    assert "Addy Fernsby" not in client.get(reverse("concerns:child_search"), {"q": "A10000000000"}).text


def test_children_who_left_the_roll_are_not_found(cast):
    cast.child_a.left_on = cast.child_a.date_of_birth.replace(year=2025)
    cast.child_a.save()
    assert "Addy Fernsby" not in client_for(cast.staff).get(reverse("concerns:child_search"), {"q": "Addy"}).text


@pytest.mark.parametrize("who", ["staff2", "staff_b", "dsl_b", "admin", "ended"])
def test_others_cannot_read_a_concern_they_should_not(cast, concern_a, who):
    client = client_for(getattr(cast, who))
    for url in (reverse("concerns:detail", args=[concern_a.pk]), reverse("concerns:receipt", args=[concern_a.pk])):
        response = client.get(url)
        assert response.status_code == 404
        assert "Came in at 08:40" not in response.text
    assert concern_a.reference not in client.get(reverse("concerns:mine")).text


def test_the_dsl_of_the_site_can_read_it_and_the_deputy_unless_restricted(cast, concern_a):
    assert client_for(cast.dsl).get(reverse("concerns:detail", args=[concern_a.pk])).status_code == 200
    assert client_for(cast.deputy).get(reverse("concerns:detail", args=[concern_a.pk])).status_code == 200
    restricted = ConcernFactory(
        site=cast.site_a, author=cast.staff2, about=[cast.child_a], categories=[restricted_category()]
    )
    assert client_for(cast.deputy).get(reverse("concerns:detail", args=[restricted.pk])).status_code == 404
    assert client_for(cast.dsl).get(reverse("concerns:detail", args=[restricted.pk])).status_code == 200
    assert client_for(cast.auditor).get(reverse("concerns:detail", args=[restricted.pk])).status_code == 200
    assert client_for(cast.staff2).get(reverse("concerns:detail", args=[restricted.pk])).status_code == 200


def test_an_ended_membership_grants_nothing(cast):
    client = client_for(cast.ended)
    assert "Addy Fernsby" not in client.get(reverse("concerns:child_search"), {"q": "Addy"}).text
    assert client.get(reverse("concerns:new")).status_code == 403
    assert client.post(record_url(), valid_post(cast.child_a)).status_code == 403
    assert not Concern.objects.exists()


@pytest.mark.parametrize("who", ["admin", "auditor"])
def test_admins_and_auditors_find_children_but_do_not_record(cast, who):
    client = client_for(getattr(cast, who))
    assert "Addy Fernsby" in client.get(reverse("concerns:child_search"), {"q": "Addy"}).text
    assert "Record a concern" not in client.get(reverse("concerns:child_search"), {"q": "Addy"}).text.split("<main")[1]
    assert client.get(reverse("concerns:new")).status_code == 403
    assert client.post(record_url(), valid_post(cast.child_a)).status_code == 403
    assert not Concern.objects.exists()
