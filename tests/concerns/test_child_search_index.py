"""On PostgreSQL the child search is served by the names' trigram index (migration 0013), so a
search at a large site does not read its whole roll."""

import datetime

import pytest
from django.db import connection

from concerns.models import Child
from concerns.selectors.recording import children_matching


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_a_search_at_a_large_site_is_served_by_the_trigram_index(cast):
    # A roll the size of a large school's, with the statistics PostgreSQL plans from.
    Child.objects.bulk_create(
        Child(
            site=cast.site_a,
            first_name=f"Pupil{number}",
            last_name=f"Surname{number % 700}",
            upn=f"T{number:012d}",
            date_of_birth=datetime.date(2016, 1, 1) + datetime.timedelta(days=number % 2000),
            year_group="Year 4",
        )
        for number in range(6000)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('child_names_trgm')")
        cursor.execute("ANALYZE concerns_child")
    sql, params = children_matching(cast.dsl, "Fernsby").query.sql_with_params()
    with connection.cursor() as cursor:
        # A test database is small enough to be read whole from memory; production's is not.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "child_names_trgm" in plan, plan


def test_a_search_by_part_of_a_name_or_the_upn_still_finds_the_child(cast):
    assert [child.pk for child in children_matching(cast.dsl, "ernsb")] == [cast.child_a.pk]
    assert [child.pk for child in children_matching(cast.dsl, "a100000000001")] == [cast.child_a.pk]
