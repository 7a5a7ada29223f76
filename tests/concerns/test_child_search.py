"""Two children of one name are told apart wherever a child is chosen: by date of birth and year group."""

import datetime

import pytest
from django.urls import reverse

from tests.concerns.helpers import record_url
from tests.conftest import client_for
from tests.factories import ChildFactory


@pytest.fixture
def two_sams(cast):
    born = {"Year 3": datetime.date(2018, 10, 9), "Year 5": datetime.date(2016, 4, 21)}
    return [
        ChildFactory(site=cast.site_a, first_name="Sam", last_name="Okafor", year_group=year, date_of_birth=day)
        for year, day in born.items()
    ]


def test_search_results_show_date_of_birth_and_year_group(cast, two_sams):
    page = client_for(cast.staff).get(reverse("concerns:child_search"), {"q": "Sam Okafor"}).text
    assert "Year 3 · born 9 Oct 2018" in page
    assert "Year 5 · born 21 Apr 2016" in page


def test_the_child_picker_is_given_date_of_birth_and_year_group(cast, two_sams):
    response = client_for(cast.staff).get(reverse("concerns:child_lookup"), {"q": "Okafor"})
    assert [(child["year_group"], child["born_on"]) for child in response.json()["results"]] == [
        ("Year 3", "9 Oct 2018"),
        ("Year 5", "21 Apr 2016"),
    ]


def test_the_chosen_child_on_the_form_shows_date_of_birth_and_year_group(cast, two_sams):
    page = client_for(cast.staff).get(record_url(), {"child": two_sams[1].pk}).text
    assert "Year 5 · born 21 Apr 2016" in page
