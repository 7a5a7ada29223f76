"""Tables of concerns are built from small rows (concerns.selectors.rows) and one template tag:
the same dates as Django's date filter, every value escaped."""

import datetime

import pytest
from django.template.defaultfilters import date as django_date
from django.utils import timezone

from concerns.selectors.rows import ConcernRow
from concerns.templatetags.vigil import concern_table_rows, when

UTC = datetime.UTC


@pytest.mark.parametrize(
    "moment, shown",
    [
        (datetime.datetime(2026, 7, 1, 8, 5, tzinfo=UTC), "1 Jul 2026, 09:05"),  # British Summer Time
        (datetime.datetime(2026, 12, 3, 23, 59, tzinfo=UTC), "3 Dec 2026, 23:59"),
        (datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "25 Oct 2026, 01:30"),  # the autumn change
        (datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25 Oct 2026, 01:30"),
    ],
)
def test_when_shows_london_time_as_the_date_filter_does(moment, shown):
    assert when(moment) == shown
    assert when(moment) == django_date(timezone.localtime(moment), "j M Y, H:i")


def test_table_rows_escape_every_value():
    row = ConcernRow(
        id=7,
        recorded_at=datetime.datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
        status="submitted",
        url="/concerns/7/",
        categories="<script>alert(1)</script>",
        children='Ada "Addy" <b>Fernsby</b>',
    )
    html = concern_table_rows([row], about=True)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>" not in html and "&lt;b&gt;Fernsby" in html
    assert '<a href="/concerns/7/">VC-000007</a>' in html
    assert "3 Dec 2026, 09:00" in html and "Submitted" in html
