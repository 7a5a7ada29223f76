"""The review queue: what each member of the cast finds in it, in which order, its numbers, its
filters and pages, its reading on the ledger, and a page cost that does not grow with the queue."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from audit.models import AuditEntry
from concerns.choices import ConcernStatus
from concerns.models import Category, Concern
from concerns.selectors.review import QUEUE_PAGE_SIZE, queue_rows, review_queue_counts, review_queue_for
from concerns.services.review import concern_claim, concern_close, concern_review
from concerns.services.shares import share_grant
from tests.conftest import client_for
from tests.factories import ChildFactory, ConcernFactory, MembershipFactory, category, restricted_category

QUEUE = reverse("concerns:review_queue")
HOUR = datetime.timedelta(hours=1)


def awaiting(cast, *, site=None, recorded_ago=HOUR, deadline_in=4 * HOUR, recorded_at=None, **kwargs) -> Concern:
    """A concern awaiting review, recorded `recorded_ago` (an hour after it happened), due
    `deadline_in` from now (negative: overdue). The deadline is given, not computed from the
    site's hours, so that what is overdue does not depend on when the tests run."""
    site = site or cast.site_a
    now = timezone.now()
    recorded_at = recorded_at or now - recorded_ago
    kwargs.setdefault("author", cast.staff if site == cast.site_a else cast.staff_b)
    kwargs.setdefault("about", [ChildFactory(site=site)])
    return ConcernFactory(
        site=site,
        recorded_at=recorded_at,
        occurred_at=recorded_at - HOUR,
        review_deadline=now + deadline_in,
        escalates_at=now + deadline_in,
        **kwargs,
    )


def references(response) -> list[str]:
    """The concerns a queue page lists, in order."""
    return re.findall(r'class="fw-semibold queue-ref" href="[^"]+">(VC-\d+)<', response.text)


@pytest.fixture
def queue_of_site_a(cast):
    """An ordinary concern, a restricted one, a restricted one in immediate danger, a restricted
    one shared with the deputy, and one at site B."""
    plain = awaiting(cast, about=[cast.child_a])
    restricted = awaiting(cast, categories=[restricted_category()])
    danger = awaiting(cast, categories=[restricted_category()], immediate_danger=True)
    shared = awaiting(cast, categories=[restricted_category()])
    share_grant(
        granted_by=cast.dsl,
        grantee=cast.deputy,
        concern=shared,
        reason="Covering the DSL's absence.",
        ends_on=timezone.localdate(),
    )
    other_site = awaiting(cast, site=cast.site_b, about=[cast.child_b])
    return {"plain": plain, "restricted": restricted, "danger": danger, "shared": shared, "other_site": other_site}


# --- who sees what --------------------------------------------------------------------------


def test_the_dsl_sees_everything_awaiting_review_at_their_site(cast, queue_of_site_a):
    shown = references(client_for(cast.dsl).get(QUEUE))
    wanted = {queue_of_site_a[name].reference for name in ("plain", "restricted", "danger", "shared")}
    assert set(shown) == wanted


def test_a_deputy_sees_restricted_concerns_only_when_shared_or_in_immediate_danger(cast, queue_of_site_a):
    response = client_for(cast.deputy).get(QUEUE)
    assert set(references(response)) == {queue_of_site_a[name].reference for name in ("plain", "danger", "shared")}
    assert queue_of_site_a["restricted"].reference not in response.text


def test_the_other_sites_dsl_sees_nothing_of_site_a(cast, queue_of_site_a):
    response = client_for(cast.dsl_b).get(QUEUE)
    assert references(response) == [queue_of_site_a["other_site"].reference]
    assert cast.child_a.display_name not in response.text and "Oakfield" not in response.text


@pytest.mark.parametrize("who", ["staff", "staff2", "admin", "auditor", "ended"])
def test_people_outside_the_dsl_team_are_refused_the_queue(cast, queue_of_site_a, who):
    response = client_for(getattr(cast, who)).get(QUEUE)
    assert response.status_code == 403
    assert queue_of_site_a["plain"].reference not in response.text


def test_the_signed_out_are_sent_to_sign_in(cast):
    response = client_for(None).get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_reviewed_and_closed_concerns_leave_the_queue(cast):
    reviewed = awaiting(cast)
    closed = awaiting(cast)
    still = awaiting(cast)
    for concern in (reviewed, closed):
        concern_review(user=cast.dsl, concern=concern, decision="monitor", rationale="Watch at lunchtimes.")
    concern_close(user=cast.dsl, concern=closed, outcome="no_further_action", reason="Nothing more needed.")
    assert references(client_for(cast.dsl).get(QUEUE)) == [still.reference]


def test_an_ended_deputy_membership_empties_their_queue(cast, queue_of_site_a):
    cast.deputy.memberships.update(ends_on=timezone.localdate() - datetime.timedelta(days=1))
    assert client_for(cast.deputy).get(QUEUE).status_code == 403


# --- order, numbers, rows -------------------------------------------------------------------


def test_immediate_danger_comes_first_then_the_nearest_deadline(cast):
    later = awaiting(cast, deadline_in=5 * HOUR)
    overdue = awaiting(cast, deadline_in=-2 * HOUR)
    danger = awaiting(cast, immediate_danger=True, deadline_in=10 * HOUR)
    sooner = awaiting(cast, deadline_in=HOUR)
    shown = references(client_for(cast.dsl).get(QUEUE))
    assert shown == [danger.reference, overdue.reference, sooner.reference, later.reference]


def test_the_counts_say_how_many_await_review_are_overdue_and_in_immediate_danger(cast, queue_of_site_a):
    awaiting(cast, deadline_in=-HOUR)
    awaiting(cast, immediate_danger=True, deadline_in=-HOUR)
    dsl = review_queue_counts(cast.dsl)
    assert (dsl.awaiting, dsl.overdue, dsl.immediate_danger) == (6, 2, 2)
    deputy = review_queue_counts(cast.deputy)  # not the restricted concern nobody shared
    assert (deputy.awaiting, deputy.overdue, deputy.immediate_danger) == (5, 2, 2)
    page = client_for(cast.dsl).get(QUEUE).text
    counts = re.sub(r"\s+", " ", page[page.index('id="queue-counts"') :][:900])
    assert "6</span> awaiting review" in counts and "2</span> overdue" in counts
    assert "2</span> immediate danger" in counts


def test_each_row_says_who_when_how_late_and_how_long_is_left(cast):
    concern = awaiting(
        cast,
        about=[cast.child_a, cast.child_a2],
        recorded_ago=2 * HOUR,
        deadline_in=-90 * datetime.timedelta(minutes=1),
    )
    Concern.objects.filter(pk=concern.pk).update(escalation_level=1)
    concern_claim(user=cast.deputy, concern=concern)
    fresh = awaiting(cast, deadline_in=3 * HOUR + datetime.timedelta(minutes=5))
    page = re.sub(r"\s+", " ", client_for(cast.dsl).get(QUEUE).text)
    row = page[page.index(f'id="queue-row-{concern.pk}"') : page.index(f'id="queue-row-{fresh.pk}"')]
    assert "Addy Fernsby, Bram Marrowfield" in row and "Neglect" in row and "By Sam Staffer" in row
    assert "(1 hour later)" in row  # recorded an hour after it happened
    assert "Overdue by 1 hour 30 minutes" in row
    assert "Escalated — Level 1: the DSL team re-alerted" in row
    assert "<strong>Dev Deputy</strong> is reviewing this" in row
    assert f'action="{reverse("concerns:review_claim", args=[concern.pk])}"' not in row  # someone has it
    assert "3 hours 4 minutes left" in page or "3 hours 5 minutes left" in page


def test_times_are_shown_in_london_time(cast):
    # 12:00 UTC in July is 13:00 in London.
    moment = datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.UTC)
    concern = awaiting(cast, recorded_at=moment)
    Concern.objects.filter(pk=concern.pk).update(review_deadline=moment)
    page = client_for(cast.dsl).get(QUEUE).text
    assert "Review by 1 Jul 2026, 13:00" in page and "Recorded 1 Jul 2026, 13:00" in page
    assert "Happened 1 Jul 2026, 12:00" in page


# --- filters and pages ----------------------------------------------------------------------


@pytest.fixture
def dsl_at_both_sites(cast):
    MembershipFactory(user=cast.dsl, site=cast.site_b, role=Role.DSL)
    return cast.dsl


def test_a_dsl_of_two_sites_filters_by_site(cast, dsl_at_both_sites, queue_of_site_a):
    client = client_for(cast.dsl)
    assert len(references(client.get(QUEUE))) == 5
    only_b = client.get(QUEUE, {"site": cast.site_b.pk})
    assert references(only_b) == [queue_of_site_a["other_site"].reference]
    assert "1</span> awaiting review" in re.sub(r"\s+", " ", only_b.text)


def test_filters_by_category_status_claimed_by_me_and_overdue(cast):
    neglect = awaiting(cast, deadline_in=HOUR)
    bullying = awaiting(cast, categories=[category("Online safety")], deadline_in=-HOUR)
    mine = awaiting(cast, deadline_in=2 * HOUR)
    theirs = awaiting(cast, deadline_in=3 * HOUR)
    concern_claim(user=cast.dsl, concern=mine)
    concern_claim(user=cast.deputy, concern=theirs)
    client = client_for(cast.dsl)
    bullying_category = category("Online safety")
    assert references(client.get(QUEUE, {"category": bullying_category.pk})) == [bullying.reference]
    assert references(client.get(QUEUE, {"status": ConcernStatus.IN_REVIEW})) == [mine.reference, theirs.reference]
    unclaimed = references(client.get(QUEUE, {"status": ConcernStatus.SUBMITTED}))
    assert unclaimed == [bullying.reference, neglect.reference]  # the overdue one's deadline is nearer
    assert references(client.get(QUEUE, {"claimed_by_me": "on"})) == [mine.reference]
    assert references(client.get(QUEUE, {"overdue": "on"})) == [bullying.reference]


def test_the_filters_chosen_stay_chosen_and_category_names_are_escaped(cast):
    awaiting(cast)
    chosen = Category.objects.create(name="Online <safety> & harm", position=99)
    page = client_for(cast.dsl).get(QUEUE, {"category": chosen.pk, "status": ConcernStatus.IN_REVIEW}).text
    assert f'<option value="{chosen.pk}" selected>Online &lt;safety&gt; &amp; harm</option>' in page
    assert f'<option value="{ConcernStatus.IN_REVIEW}" selected>Claimed (in review)</option>' in page
    assert '<option value="" selected>' not in page.split('name="category"')[1].split("</select>")[0]
    assert '<select name="category" class="form-select" id="id_category">' in page


@pytest.mark.parametrize(
    "query, message",
    [
        ({"site": "abc"}, "Choose one of your sites from the list."),
        ({"category": "999999"}, "Choose a category from the list."),
        ({"status": "closed"}, "Choose a status from the list."),
        ({"status": "\x00"}, "Choose a status from the list."),
    ],
)
def test_a_filter_that_is_not_one_of_the_choices_is_explained_not_a_500(cast, queue_of_site_a, query, message):
    response = client_for(cast.dsl).get(QUEUE, query)
    assert response.status_code == 400
    assert message in response.text and references(response) == []


def test_a_dsl_cannot_filter_their_way_into_another_site(cast, queue_of_site_a):
    response = client_for(cast.dsl).get(QUEUE, {"site": cast.site_b.pk})
    assert response.status_code == 400 and queue_of_site_a["other_site"].reference not in response.text
    assert review_queue_for(cast.dsl, site_id=cast.site_b.pk).count() == 0


def test_the_queue_is_paged(cast):
    concerns = [
        awaiting(cast, deadline_in=HOUR + i * datetime.timedelta(minutes=1)) for i in range(QUEUE_PAGE_SIZE + 3)
    ]
    client = client_for(cast.dsl)
    first = client.get(QUEUE)
    assert references(first) == [concern.reference for concern in concerns[:QUEUE_PAGE_SIZE]]
    assert "Page 1 of 2" in first.text and f'href="{QUEUE}?page=2"' in first.text
    assert references(client.get(QUEUE, {"page": 2})) == [concern.reference for concern in concerns[QUEUE_PAGE_SIZE:]]
    assert references(client.get(QUEUE, {"page": "abc"})) == references(first)
    assert len(references(client.get(QUEUE, {"page": 99}))) == 3  # past the end: the last page
    # The filters stay with the pages.
    assert "?overdue=on&amp;page=2" not in client.get(QUEUE, {"overdue": "on"}).text  # nothing overdue, no pages
    assert f"category={category().pk}&amp;page=2" in client.get(QUEUE, {"category": category().pk}).text


# --- the ledger, the home page --------------------------------------------------------------


def test_reading_the_queue_is_on_the_ledger_with_the_children_shown(cast, queue_of_site_a):
    client_for(cast.deputy).get(QUEUE)
    entry = AuditEntry.objects.filter(event="concern.queue_viewed").get()
    shown = {
        link.child_id for name in ("plain", "danger", "shared") for link in queue_of_site_a[name].child_links.all()
    }
    assert entry.actor == cast.deputy and set(entry.additional_data["object_ids"]) == shown
    assert entry.additional_data["counts"] == {"concerns": 3} and entry.site_id == cast.site_a.pk


def test_the_dsl_teams_home_page_is_the_queue(cast, queue_of_site_a):
    for who in ("dsl", "deputy"):
        page = client_for(getattr(cast, who)).get(reverse("concerns:home"))
        assert page.status_code == 200
        assert 'id="home-queue"' in page.text and queue_of_site_a["plain"].reference in page.text
        assert "Worried about a child?" in page.text  # they record too
    assert AuditEntry.objects.filter(event="concern.queue_viewed").count() == 2
    staff_home = client_for(cast.staff).get(reverse("concerns:home")).text
    assert 'id="home-queue"' not in staff_home and queue_of_site_a["plain"].reference not in staff_home


# --- the queries ----------------------------------------------------------------------------


def _queue_queries(client, django_assert_max_num_queries) -> int:
    client.get(QUEUE)  # warm the content-type cache
    with django_assert_max_num_queries(25) as captured:
        assert client.get(QUEUE).status_code == 200
    return len(captured)


def test_the_queue_pages_queries_do_not_grow_with_the_queue(cast, django_assert_max_num_queries):
    client = client_for(cast.dsl)
    awaiting(cast)
    one = _queue_queries(client, django_assert_max_num_queries)
    for _ in range(199):
        awaiting(cast, about=[ChildFactory(site=cast.site_a), ChildFactory(site=cast.site_a)])
    assert _queue_queries(client, django_assert_max_num_queries) == one


def test_two_hundred_rows_are_built_in_three_queries(cast, django_assert_num_queries):
    for _ in range(200):
        awaiting(cast)
    concerns = review_queue_for(cast.dsl)[:200]
    with django_assert_num_queries(3):  # the rows, their categories, their children
        rows = queue_rows(concerns)
    assert len(rows) == 200


def test_the_queue_filters_by_site_and_the_unreviewed_not_by_a_list_of_concern_ids(cast, queue_of_site_a):
    sql = str(review_queue_for(cast.deputy).query)
    assert '"reviewed_at" IS NULL' in sql and f'"site_id" IN ({cast.site_a.pk})' in sql
    # The small sets (what they wrote, what was shared with them) are a subquery, never a list.
    assert not re.search(r'"concerns_concern"\."id" IN \(\d', sql)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the partial index is read by PostgreSQL's planner")
def test_postgresql_reads_the_queue_through_its_partial_index(cast, queue_of_site_a):
    # A site's history is mostly reviewed concerns: the planner then prefers the partial index
    # over the site's index, as it does on seed_scale data (DESIGN.md section 6).
    child = ChildFactory(site=cast.site_a)
    history = [awaiting(cast, about=[child]) for _ in range(300)]
    Concern.objects.filter(pk__in=[concern.pk for concern in history]).update(
        reviewed_at=timezone.now(), status=ConcernStatus.OPEN, escalates_at=None
    )
    concerns = review_queue_for(cast.dsl)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE concerns_concern")
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = concerns.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
        counts_sql, counts_params = concerns.order_by().values("id").query.sql_with_params()
        cursor.execute(f"EXPLAIN SELECT count(*) FROM ({counts_sql}) q", counts_params)
        counts_plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "concern_awaiting_review" in plan, plan
    assert "concern_awaiting_review" in counts_plan, counts_plan


def test_what_the_queue_may_show_is_what_the_policy_lets_each_person_triage(cast, queue_of_site_a):
    from concerns import policy

    everything = list(Concern.objects.all())
    for who in ("staff", "staff2", "deputy", "dsl", "admin", "auditor", "dsl_b", "ended"):
        user = getattr(cast, who)
        triageable = set(policy.restrict(user, Concern, policy.Action.TRIAGE).values_list("pk", flat=True))
        assert triageable == {concern.pk for concern in everything if policy.can_triage(user, concern)}, who


def test_queue_rows_escape_every_value(cast):
    from django.template import Context

    from concerns.templatetags.review_queue import queue_rows as queue_rows_tag

    concern = awaiting(cast, about=[ChildFactory(site=cast.site_a, first_name="<script>x()</script>")])
    cast.staff.full_name = '"><b>Sam</b>'
    cast.staff.save()
    concern_claim(user=cast.deputy, concern=concern)
    cast.deputy.full_name = "<i>Dev</i>"
    cast.deputy.save()
    rows = queue_rows(review_queue_for(cast.dsl))
    html = queue_rows_tag(Context({"user": cast.dsl, "csrf_token": '"token', "back_to": '/review/?a="b'}), rows)
    assert "<script>" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "<b>Sam</b>" not in html and "&quot;&gt;&lt;b&gt;Sam&lt;/b&gt;" in html
    assert "<i>Dev</i>" not in html and "&lt;i&gt;Dev&lt;/i&gt;" in html
