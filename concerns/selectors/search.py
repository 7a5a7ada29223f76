"""Search across the concerns a person may read: by reference, by a child's name or UPN, and by
the words recorded in a concern or its addenda (issue 9, DESIGN.md sections 1 and 6).

Each way of matching is its own query, already limited to what the reader may read (the policy's
`concerns_visible_to`), ordered newest first and cut at the end of the page asked for; the pages
are then merged in Python. Three small, indexed queries with a LIMIT each, rather than one query
whose condition ORs a text match with a set of children's concerns, which no index serves and
which DESIGN.md section 6 measured at hundreds of milliseconds on a million concerns.

On PostgreSQL the words are matched by full-text search (`websearch_to_tsquery`, English
stemming: "bruises" finds "bruised") over GIN indexes of exactly the expressions below
(migration concerns 0016); elsewhere (SQLite, `make run`) by a case-insensitive substring of
each word, which is slower but finds the same concerns for whole words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from concerns import policy
from concerns.models import Addendum, Child, Concern, ConcernChild
from concerns.selectors.recording import children_matching
from concerns.selectors.rows import ConcernRow, concern_rows

SEARCH_PAGE_SIZE = 20
MAX_PAGE = 50  # 1,000 concerns: past that, the search should be narrower
QUERY_LENGTH = 200
ADDENDA_SEARCHED = 2_000  # the newest matching addenda; older ones need narrower words
NAMED_SEARCHED = 5_000  # the newest concerns naming the children matched
_REFERENCE = re.compile(r"^\s*VC-?0*(\d{1,12})\s*$", re.IGNORECASE)
# The concern's words that are searched (what was seen, what the child said, where): the
# index in migration 0016 is over these, in this order.
CONCERN_TEXT_FIELDS = ("observations", "child_words", "location")


@dataclass(frozen=True)
class SearchResults:
    query: str
    page: int
    rows: list[ConcernRow]
    children: list[Child]
    has_next: bool
    reference_match: bool  # the query was a concern reference the reader may read

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def child_ids_shown(self) -> list[int]:
        shown = {child.id for child in self.children}
        shown.update(child_id for row in self.rows for child_id in row.child_ids)
        return sorted(shown)


def _newest_first(concerns: QuerySet[Concern], wanted: int) -> list[tuple]:
    return list(concerns.order_by("-recorded_at", "-id").values_list("recorded_at", "id")[:wanted])


def _text_matches(concerns: QuerySet[Concern], query: str) -> QuerySet[Concern]:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        words = SearchQuery(query, config="english", search_type="websearch")
        return concerns.annotate(words=SearchVector(*CONCERN_TEXT_FIELDS, config="english")).filter(words=words)
    for word in query.split()[:8]:
        concerns = concerns.filter(_any_field_contains(CONCERN_TEXT_FIELDS, word))
    return concerns


def _addenda_matching(query: str) -> QuerySet[Addendum]:
    addenda = Addendum.objects.all()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        words = SearchQuery(query, config="english", search_type="websearch")
        return addenda.annotate(words=SearchVector("text", config="english")).filter(words=words)
    for word in query.split()[:8]:
        addenda = addenda.filter(text__icontains=word)
    return addenda


def _any_field_contains(fields: tuple[str, ...], word: str) -> Q:
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": word})
    return condition


def search_concerns(user, query: str, *, page: int = 1) -> SearchResults:
    """One page of the concerns `user` may read that match `query`, newest first, with the
    children on their roll whose name or UPN matched. A reference ("VC-000042") finds that
    concern alone."""
    query = query.replace("\x00", "").strip()[:QUERY_LENGTH]
    page = min(max(page, 1), MAX_PAGE)
    if not query:
        return SearchResults(query, page, [], [], has_next=False, reference_match=False)
    visible = policy.concerns_visible_to(user)
    reference = _REFERENCE.match(query)
    if reference:
        found = concern_rows(visible.filter(pk=int(reference.group(1))), with_children=True)
        return SearchResults(query, 1, found, [], has_next=False, reference_match=bool(found))
    wanted = page * SEARCH_PAGE_SIZE + 1
    children = list(children_matching(user, query))
    sources = [_newest_first(_text_matches(visible, query), wanted)]
    # The newest matching addenda's concerns as a list: as a subquery, a common word made
    # PostgreSQL hash every concern of the site against it.
    addenda = _addenda_matching(query).order_by("-created_at").values_list("concern_id", flat=True)
    addenda_concerns = list(dict.fromkeys(addenda[:ADDENDA_SEARCHED]))
    if addenda_concerns:
        sources.append(_newest_first(visible.filter(id__in=addenda_concerns), wanted))
    if children:
        # The concerns naming them as a list of ids: as a join or a subquery, PostgreSQL walked
        # the large site's 200,000 concerns against the policy's condition (570 and 300 ms).
        links = ConcernChild.objects.filter(child__in=[child.id for child in children]).order_by("-concern_id")
        named = list(dict.fromkeys(links.values_list("concern_id", flat=True)[:NAMED_SEARCHED]))
        sources.append(_newest_first(visible.filter(id__in=named), wanted))
    merged = sorted({pair for source in sources for pair in source}, reverse=True)
    start = (page - 1) * SEARCH_PAGE_SIZE
    page_ids = [pk for _, pk in merged[start : start + SEARCH_PAGE_SIZE]]
    rows = concern_rows(Concern.objects.filter(pk__in=page_ids).order_by("-recorded_at", "-id"), with_children=True)
    return SearchResults(
        query,
        page,
        rows,
        children if page == 1 else [],
        has_next=len(merged) > start + SEARCH_PAGE_SIZE,
        reference_match=False,
    )
