"""Dates are typed as day, month and year (then hour and minute), never read through a locale's picker."""

import calendar
import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from concerns.models import Concern, ConcernDraft, Share
from tests.concerns.helpers import occurred_parts, record_url, valid_post
from tests.conftest import client_for
from tests.factories import ConcernFactory

LAST_YEAR = timezone.localdate().year - 1
FEBRUARY_DAYS = calendar.monthrange(LAST_YEAR, 2)[1]


def _typed(day="", month="", year="", hour="", minute="") -> dict:
    return {
        "occurred_at_day": day,
        "occurred_at_month": month,
        "occurred_at_year": year,
        "occurred_at_hour": hour,
        "occurred_at_minute": minute,
    }


def _late(**parts) -> dict:
    return {**parts, "delay_reason": "Told me on the way out of the trip."}


BAD_DATES = {
    "31 February": (
        _typed("31", "2", str(LAST_YEAR), "10", "00"),
        f"31 February {LAST_YEAR} is not a real date: February {LAST_YEAR} has {FEBRUARY_DAYS} days.",
    ),
    "31 April": (_typed("31", "4", str(LAST_YEAR), "10", "00"), f"April {LAST_YEAR} has 30 days."),
    "a thirteenth month": (_typed("2", "13", str(LAST_YEAR), "10", "00"), "The month must be a number from 1 to 12."),
    "no month": (_typed("2", "", str(LAST_YEAR), "10", "00"), "The date it happened must include the month."),
    "no day or year": (_typed("", "3", "", "10", "00"), "The date it happened must include the day and the year."),
    "no time": (_typed("2", "3", str(LAST_YEAR)), "The time it happened must include the hour and the minutes."),
    "no minutes": (_typed("2", "3", str(LAST_YEAR), "10", ""), "The time it happened must include the minutes."),
    "words, not numbers": (_typed("second", "3", str(LAST_YEAR), "10", "00"), "as numbers, for example 27 3 2025"),
    "a two-digit year": (_typed("2", "3", "25", "10", "00"), "The year must have 4 numbers"),
    "25 o'clock": (_typed("2", "3", str(LAST_YEAR), "25", "00"), "The hour must be a number from 0 to 23"),
    "60 minutes": (_typed("2", "3", str(LAST_YEAR), "10", "60"), "The minutes must be a number from 0 to 59."),
    "nothing at all": (_typed(), "Enter the date and time it happened."),
}


@pytest.mark.parametrize("typed, message", BAD_DATES.values(), ids=BAD_DATES.keys())
def test_a_date_that_cannot_be_is_explained_and_what_was_typed_is_kept(cast, as_user, typed, message):
    response = as_user(cast.staff).post(record_url(), {**valid_post(cast.child_a), **_late(**typed)})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert message.replace("'", "&#x27;") in response.text
    for name, value in typed.items():
        assert f'name="{name}" id="id_{name}" value="{value}"' in response.text
    assert not Concern.objects.exists()


def test_a_future_time_typed_in_the_boxes_is_refused(cast, as_user):
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    response = as_user(cast.staff).post(record_url(), valid_post(cast.child_a, occurred_at=tomorrow.isoformat()))
    assert "The time it happened cannot be in the future." in response.text
    assert not Concern.objects.exists()


def test_day_and_month_are_never_swapped(cast, as_user):
    """2 December, typed as 2 then 12, is the 2nd of December (a US-locale picker made it 12 February)."""
    post = {**valid_post(cast.child_a), **_late(**_typed("2", "12", str(LAST_YEAR), "14", "05"))}
    response = as_user(cast.staff).post(record_url(), post)
    assert response.status_code == 302
    occurred = timezone.localtime(Concern.objects.get().occurred_at)
    assert (occurred.year, occurred.month, occurred.day, occurred.hour, occurred.minute) == (LAST_YEAR, 12, 2, 14, 5)


def test_the_form_has_no_browser_date_picker(cast, as_user):
    page = as_user(cast.staff).get(record_url()).text
    assert 'type="datetime-local"' not in page and 'type="date"' not in page
    for label in ("Day", "Month", "Year", "Hour", "Minute"):
        assert f">{label}</label>" in page
    assert 'inputmode="numeric"' in page


def test_a_draft_keeps_the_date_boxes_and_gives_them_back(cast):
    key = uuid.uuid4()
    client = client_for(cast.staff)
    typed = _typed("7", "3", str(LAST_YEAR), "09", "15")
    response = client.post(reverse("concerns:draft_autosave", args=[key]), {**typed, "observations": "Half"})
    assert response.status_code == 200
    assert {name: values for name, values in ConcernDraft.objects.get().data.items() if name in typed} == {
        name: [value] for name, value in typed.items()
    }
    page = client_for(cast.staff).get(record_url(key)).text
    for name, value in typed.items():
        assert f'name="{name}" id="id_{name}" value="{value}"' in page


def test_a_draft_saved_before_the_boxes_still_opens_with_its_date(cast):
    key = uuid.uuid4()
    ConcernDraft.objects.create(key=key, author=cast.staff, data={"occurred_at": [f"{LAST_YEAR}-11-04T08:45"]})
    page = client_for(cast.staff).get(record_url(key)).text
    for name, value in occurred_parts(datetime.datetime(LAST_YEAR, 11, 4, 8, 45)).items():
        assert f'name="{name}" id="id_{name}" value="{value}"' in page


def test_the_share_form_takes_its_end_date_in_boxes_too(cast):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a])
    url = reverse("concerns:share_concern", args=[concern.pk])
    ends = timezone.localdate() + datetime.timedelta(days=10)
    post = {"grantee": cast.staff2.pk, "reason": "Needs to know for the TAF meeting."}

    impossible_date = {"ends_on_day": "30", "ends_on_month": "2", "ends_on_year": "2027"}
    impossible = client_for(cast.dsl).post(url, {**post, **impossible_date})
    assert impossible.status_code == 400
    assert "30 February 2027 is not a real date" in impossible.text
    assert 'name="ends_on_day" id="id_ends_on_day" value="30"' in impossible.text
    missing = client_for(cast.dsl).post(url, {**post, "ends_on_day": "3", "ends_on_month": "", "ends_on_year": "2027"})
    assert "The last day of the share must include the month." in missing.text
    assert not Share.objects.exists()

    typed = {"ends_on_day": str(ends.day), "ends_on_month": str(ends.month), "ends_on_year": str(ends.year)}
    assert client_for(cast.dsl).post(url, {**post, **typed}).status_code == 302
    assert Share.objects.get().ends_on == ends
