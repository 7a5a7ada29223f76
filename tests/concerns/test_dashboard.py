"""The DSL dashboard: its figures on a small known data set, whose concerns they count, the ledger,
constant queries, and a clear 400 for a bad filter."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit import events
from audit.models import AuditEntry
from concerns.choices import ConcernStatus
from concerns.models import Concern
from tests.conftest import client_for
from tests.factories import ChildFactory, ConcernFactory, category, restricted_category

URL = reverse("concerns:dashboard")


def _noon(days_ago: int) -> datetime.datetime:
    """Midday in the school's time some days ago: well inside a day, whatever the clock says now."""
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def _concern(cast, *, days_ago: int, about, late_by=datetime.timedelta(hours=1), categories=None, **fields):
    recorded = _noon(days_ago)
    concern = ConcernFactory(
        site=fields.pop("site", cast.site_a),
        author=fields.pop("author", cast.staff),
        recorded_at=recorded,
        occurred_at=recorded - late_by,
        about=about,
        categories=categories or [category("Neglect")],
        **fields,
    )
    return concern


def _reviewed(concern: Concern, *, after: datetime.timedelta, status=ConcernStatus.IN_REVIEW) -> None:
    Concern.objects.filter(pk=concern.pk).update(reviewed_at=concern.recorded_at + after, status=status)


@pytest.fixture
def known(cast):
    """Site A: five concerns (one closed, one recorded three days late, one restricted, one overdue
    disclosure with no words, one open from months ago); site B: one, never counted at site A."""
    ada, bram = cast.child_a, cast.child_a2
    closed = _concern(cast, days_ago=2, about=[ada])
    _reviewed(closed, after=datetime.timedelta(hours=1), status=ConcernStatus.CLOSED)
    late = _concern(cast, days_ago=5, about=[ada], late_by=datetime.timedelta(days=3))
    _reviewed(late, after=datetime.timedelta(hours=3))
    overdue = _concern(
        cast, days_ago=1, about=[bram], is_disclosure=True, child_words="", categories=[category("Online safety")]
    )
    Concern.objects.filter(pk=overdue.pk).update(review_deadline=timezone.now() - datetime.timedelta(hours=2))
    restricted = _concern(cast, days_ago=1, about=[ada], categories=[restricted_category()])
    Concern.objects.filter(pk=restricted.pk).update(review_deadline=timezone.now() + datetime.timedelta(hours=2))
    old = _concern(cast, days_ago=100, about=[bram])
    _reviewed(old, after=datetime.timedelta(hours=1), status=ConcernStatus.OPEN)
    _concern(cast, days_ago=1, about=[cast.child_b], site=cast.site_b, author=cast.staff_b)
    return {"restricted": restricted}


def _figures(user, **query):
    response = client_for(user).get(URL, query)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.context["figures"]


def test_the_dsl_sees_the_figures_of_the_known_data_set(cast, known):
    figures = _figures(cast.dsl)
    assert (figures.open, figures.awaiting_review, figures.overdue) == (4, 2, 1)
    assert (figures.recorded, figures.reviewed) == (4, 2)
    assert figures.median_to_review == datetime.timedelta(hours=2)
    assert figures.recorded_late == 1
    assert figures.longest_delay == datetime.timedelta(days=3)
    assert [(child.name, child.concerns) for child in figures.children] == [
        ("Addy Fernsby", 3),
        ("Bram Marrowfield", 1),
    ]
    by_category: dict[str, int] = {}
    for (name, _), number in figures.by_category_month.items():
        by_category[name] = by_category.get(name, 0) + number
    assert by_category == {"Neglect": 2, "Online safety": 1, restricted_category().name: 1}


def test_the_page_shows_the_chart_and_the_same_figures_as_a_table(cast, known):
    page = client_for(cast.dsl).get(URL).content.decode()
    assert 'role="img"' in page and "<title" in page
    assert 'id="by-category-month"' in page and "Online safety" in page
    assert "Addy Fernsby" in page and "<script" not in page.split("</main>")[0].split("<main")[-1]


def test_overdue_actions_and_unanswered_referrals_are_counted(cast, known):
    from concerns.models import CaseEntry

    today = timezone.localdate()
    hidden = known["restricted"]
    concern = Concern.objects.filter(site=cast.site_a, is_restricted=False).first()

    def entry(on, kind, **fields):
        return CaseEntry.objects.create(
            concern=on, kind=kind, recorded_by=cast.dsl, happened_on=today, text="Speak to the class teacher.", **fields
        )

    entry(concern, "action", assignee=cast.staff, due_on=today - datetime.timedelta(days=2))
    done = entry(concern, "action", assignee=cast.staff, due_on=today - datetime.timedelta(days=2))
    entry(concern, "action_done", regarding=done)
    entry(concern, "action", assignee=cast.staff, due_on=today + datetime.timedelta(days=2))
    entry(hidden, "action", assignee=cast.staff, due_on=today - datetime.timedelta(days=1))
    entry(concern, "referral", agency="social_care")
    answered = entry(concern, "referral", agency="police")
    entry(concern, "referral_response", regarding=answered)
    dsl, deputy = _figures(cast.dsl), _figures(cast.deputy)
    assert (dsl.actions_overdue, dsl.referrals_awaiting_response) == (2, 1)
    assert (deputy.actions_overdue, deputy.referrals_awaiting_response) == (1, 1)
    assert _figures(cast.dsl_b).actions_overdue == 0


def test_an_auditor_sees_the_same_figures_as_the_dsl(cast, known):
    figures = _figures(cast.auditor)
    assert (figures.open, figures.recorded, figures.children[0].concerns) == (4, 4, 3)


def test_a_deputy_does_not_count_a_restricted_concern(cast, known):
    figures = _figures(cast.deputy)
    assert (figures.open, figures.awaiting_review, figures.recorded) == (3, 1, 3)
    assert [(child.name, child.concerns) for child in figures.children] == [
        ("Addy Fernsby", 2),
        ("Bram Marrowfield", 1),
    ]
    assert restricted_category().name not in {name for name, _ in figures.by_category_month}


def test_a_deputy_counts_a_restricted_concern_marked_immediate_danger(cast, known):
    _concern(cast, days_ago=1, about=[cast.child_a2], categories=[restricted_category()], immediate_danger=True)
    assert _figures(cast.deputy).recorded == 4


def test_another_sites_concerns_are_never_counted(cast, known):
    figures = _figures(cast.dsl_b)
    assert (figures.open, figures.recorded, [child.name for child in figures.children]) == (1, 1, ["Cleo Fernsby"])


def test_a_dsl_of_two_sites_sees_both_or_picks_one(cast, known):
    from tests.factories import MembershipFactory

    MembershipFactory(user=cast.dsl, site=cast.site_b, role="dsl")
    assert _figures(cast.dsl).recorded == 5
    assert _figures(cast.dsl, site=cast.site_b.pk).recorded == 1
    assert _figures(cast.dsl, site=cast.site_a.pk).recorded == 4


def test_the_period_filters_what_was_recorded(cast, known):
    assert _figures(cast.dsl, period="year").recorded >= 4
    last_week = timezone.localdate() - datetime.timedelta(days=3)
    today = timezone.localdate()
    figures = _figures(
        cast.dsl,
        period="custom",
        first_day=last_week.day,
        first_month=last_week.month,
        first_year=last_week.year,
        last_day=today.day,
        last_month=today.month,
        last_year=today.year,
    )
    assert figures.recorded == 3  # the closed one and the two from yesterday; not the one of five days ago


def test_the_children_named_are_on_the_ledger(cast, known):
    client_for(cast.dsl).get(URL)
    entry = AuditEntry.objects.filter(event=events.CONCERN_DASHBOARD_VIEWED).latest("id")
    assert entry.actor == cast.dsl
    assert set(entry.additional_data["object_ids"]) == {cast.child_a.pk, cast.child_a2.pk}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "custom", "first_day": "31", "first_month": "2", "first_year": "2026"}, "is not a real date"),
        ({"period": "custom"}, "Enter the first day of the period."),
        ({"period": "custom", "first_day": "x", "first_month": "2", "first_year": "2026"}, "as numbers"),
        ({"period": "forever"}, "Select a valid choice"),
        ({"site": "abc"}, "Select a valid choice"),
        ({"site": "99999999999999999999999"}, "Select a valid choice"),
        (
            {"period": "custom", "first_day": "2", "first_month": "3", "first_year": "2026"}
            | {"last_day": "1", "last_month": "3", "last_year": "2026"},
            "The last day must be the same as or after the first day.",
        ),
    ],
)
def test_bad_filter_input_is_a_clear_400(cast, query, message):
    response = client_for(cast.dsl).get(URL, query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_another_sites_id_is_not_a_choice(cast):
    response = client_for(cast.dsl).get(URL, {"site": cast.site_b.pk})
    assert response.status_code == 400


def _queries(user) -> int:
    client = client_for(user)
    client.get(URL)  # the session and the categories once, as a browser already signed in
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_concerns(cast):
    ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a])
    one = _queries(cast.dsl)
    for number in range(49):
        child = ChildFactory(site=cast.site_a)
        ConcernFactory(
            site=cast.site_a,
            author=cast.staff,
            about=[child],
            categories=[category("Neglect" if number % 2 else "Online safety")],
            recorded_at=timezone.now() - datetime.timedelta(days=number % 28),
        )
    assert _queries(cast.dsl) == one
