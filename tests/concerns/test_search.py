"""Searching concerns: by reference, by a child's name, by the words recorded in a concern or its
addenda; only ever what the reader may read, newest first, paged, on the ledger, and at a cost
that does not grow with the number of matches."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit import events
from audit.models import AuditEntry
from concerns.models import Addendum
from concerns.selectors.search import SEARCH_PAGE_SIZE, search_concerns
from tests.conftest import client_for
from tests.factories import ChildFactory, ConcernFactory, restricted_category

SEARCH = reverse("concerns:search")
# Distinctive words, so that a match can only be the concern that holds them.
WORDS = "Said the bruise came from the wardrobe door at the caravan."


def references(response) -> list[str]:
    return re.findall(r">(VC-\d{6})<", response.content.decode())


@pytest.fixture
def written(cast):
    """A concern staff wrote at site A, holding WORDS, about a child named Orlaith Brindlecombe."""
    child = ChildFactory(site=cast.site_a, first_name="Orlaith", last_name="Brindlecombe")
    return ConcernFactory(site=cast.site_a, author=cast.staff, about=[child], observations=WORDS)


def test_the_words_recorded_find_the_concern_for_its_readers_only(cast, written):
    for who in (cast.staff, cast.dsl, cast.deputy, cast.auditor):
        assert references(client_for(who).get(SEARCH, {"q": "wardrobe caravan"})) == [written.reference], who
    for who in (cast.staff2, cast.dsl_b):
        page = client_for(who).get(SEARCH, {"q": "wardrobe caravan"})
        assert page.status_code == 200 and references(page) == []
        assert "No concern you may read matches" in page.content.decode()


def test_a_childs_name_finds_the_concerns_about_them(cast, written):
    other = ConcernFactory(site=cast.site_a, author=cast.staff)
    page = client_for(cast.dsl).get(SEARCH, {"q": "Brindlecombe"})
    assert references(page) == [written.reference] and other.reference not in page.content.decode()
    assert "Orlaith Brindlecombe" in page.content.decode()


def test_a_reference_finds_that_concern_if_it_may_be_read(cast, written):
    assert references(client_for(cast.dsl).get(SEARCH, {"q": written.reference})) == [written.reference]
    assert references(client_for(cast.dsl).get(SEARCH, {"q": f"vc-{written.pk}"})) == [written.reference]
    assert references(client_for(cast.dsl_b).get(SEARCH, {"q": written.reference})) == []


def test_the_words_of_an_addendum_find_its_concern(cast, written):
    Addendum.objects.create(concern=written, author=cast.staff, text="Later the foster carer mentioned a trampoline.")
    assert references(client_for(cast.dsl).get(SEARCH, {"q": "trampoline"})) == [written.reference]
    assert references(client_for(cast.staff2).get(SEARCH, {"q": "trampoline"})) == []


def test_a_deputy_does_not_find_a_restricted_concern_they_may_not_read(cast):
    restricted = ConcernFactory(
        site=cast.site_a, author=cast.staff, categories=[restricted_category()], observations=WORDS
    )
    assert references(client_for(cast.dsl).get(SEARCH, {"q": "caravan"})) == [restricted.reference]
    assert references(client_for(cast.deputy).get(SEARCH, {"q": "caravan"})) == []


def test_results_are_newest_first_and_paged(cast):
    now = timezone.now()
    made = [
        ConcernFactory(
            site=cast.site_a,
            author=cast.staff,
            observations=f"Spoke about the caravan, visit {number}.",
            recorded_at=now - datetime.timedelta(hours=number),
        )
        for number in range(SEARCH_PAGE_SIZE + 5)
    ]
    client = client_for(cast.dsl)
    first, second = client.get(SEARCH, {"q": "caravan"}), client.get(SEARCH, {"q": "caravan", "page": 2})
    assert references(first) == [concern.reference for concern in made[:SEARCH_PAGE_SIZE]]
    assert references(second) == [concern.reference for concern in made[SEARCH_PAGE_SIZE:]]
    assert "Older</a>" in first.content.decode() and "Older</a>" not in second.content.decode()


def test_what_was_shown_is_on_the_ledger(cast, written):
    client_for(cast.dsl).get(SEARCH, {"q": "caravan"})
    entry = AuditEntry.objects.filter(event=events.CONCERN_SEARCHED).get()
    assert entry.actor == cast.dsl and entry.additional_data["counts"] == {"concerns": 1, "children": 0}
    assert entry.additional_data["object_ids"] == [written.child_links.get().child_id]


def test_nothing_found_writes_nothing_to_the_ledger(cast, written):
    client_for(cast.dsl).get(SEARCH, {"q": "xylophone"})
    assert not AuditEntry.objects.filter(event__in=[events.CONCERN_SEARCHED, events.CHILD_SEARCHED]).exists()


@pytest.mark.parametrize(
    "query",
    [
        {"q": "caravan\x00"},
        {"q": "x" * 5000},
        {"q": "caravan", "page": "99999999999999999999"},
        {"q": "caravan", "page": "²"},
        {"q": "caravan", "page": "-3"},
        {"q": '"unterminated quote OR -'},
        {"q": "&|!():*"},
    ],
)
def test_odd_input_is_answered_not_a_500(cast, written, query):
    page = client_for(cast.dsl).get(SEARCH, query)
    assert page.status_code == 200


def test_the_search_costs_the_same_queries_for_one_match_or_forty(cast):
    client = client_for(cast.dsl)
    ConcernFactory(site=cast.site_a, author=cast.staff, observations="The caravan again.")
    with CaptureQueriesContext(connection) as one:
        client.get(SEARCH, {"q": "caravan"})
    for _ in range(39):
        ConcernFactory(site=cast.site_a, author=cast.staff, observations="The caravan again.")
    with CaptureQueriesContext(connection) as forty:
        page = client.get(SEARCH, {"q": "caravan"})
    assert len(references(page)) == SEARCH_PAGE_SIZE
    assert len(forty.captured_queries) == len(one.captured_queries)


def test_the_selector_refuses_nothing_it_should_show_and_shows_nothing_else(cast, written):
    assert [row.id for row in search_concerns(cast.staff, "wardrobe").rows] == [written.pk]
    assert search_concerns(cast.admin, "wardrobe").rows == []
    assert search_concerns(cast.staff, "").rows == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text indexes are PostgreSQL's")
def test_postgresql_finds_the_words_through_the_full_text_indexes(cast, written):
    ConcernFactory.create_batch(30, site=cast.site_a, author=cast.staff)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE concerns_concern")
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table is read whole otherwise
    with CaptureQueriesContext(connection) as captured:
        search_concerns(cast.dsl, "wardrobe")
    sent = [query["sql"] for query in captured.captured_queries]
    [words] = [sql for sql in sent if "to_tsvector" in sql and "concerns_concern" in sql.split("WHERE")[0]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {words}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "concern_words_fts" in plan
    # Stemming: another form of the word finds it.
    assert [row.id for row in search_concerns(cast.dsl, "wardrobes").rows] == [written.pk]
