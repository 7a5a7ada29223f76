"""Lists of concerns read as small rows, not model instances: what a table of concerns shows.

A child with two hundred concerns, or a DSL's queue, is a table of a few columns. Reading each
concern whole (its narrative, the child's words) and building a model and a related manager for
every row cost more than the query (measured on the child page at 189 concerns: 15 ms of 70 ms);
these rows carry only what the tables show, read in one query for the concerns and one for their
categories (and one for their children where a table names them), whatever the number of rows.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse

from concerns.choices import ConcernStatus
from concerns.models import Concern, ConcernChild
from concerns.models.children import display_name_of
from concerns.models.concerns import concern_reference

ROW_FIELDS = ("id", "recorded_at", "status", "reviewed_at")
_PK_MARK = "2147483647"  # a concern id no test or site reaches, replaced by each row's own


@dataclass(frozen=True, slots=True)
class ConcernRow:
    id: int
    recorded_at: datetime
    status: str
    url: str
    categories: str
    children: str = ""
    child_ids: tuple[int, ...] = ()
    # When the DSL team recorded its review decision: the author sees that it was reviewed, and
    # when, never what was decided or by whom.
    reviewed_at: datetime | None = None

    @property
    def reference(self) -> str:
        return concern_reference(self.id)

    @property
    def status_label(self) -> str:
        return ConcernStatus(self.status).label


def category_names_of(ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    links = Concern.categories.through.objects.filter(concern_id__in=ids)
    ordered = links.order_by("category__position", "category__name").values_list("concern_id", "category__name")
    for concern_id, name in ordered:
        names[concern_id].append(name)
    return names


def children_named_in(ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    named: dict[int, list[tuple[int, str]]] = defaultdict(list)
    links = ConcernChild.objects.filter(concern_id__in=ids).order_by("id")
    for concern_id, child_id, preferred, first, last in links.values_list(
        "concern_id", "child_id", "child__preferred_name", "child__first_name", "child__last_name"
    ):
        named[concern_id].append((child_id, display_name_of(preferred, first, last)))
    return named


def concern_rows(concerns: QuerySet[Concern], *, with_children: bool = False) -> list[ConcernRow]:
    """Rows for these concerns (a queryset already limited to what the reader may see, ordered
    and sliced), in their order: one query for the rows, one for their categories, and one for
    their children's names if asked."""
    found = list(concerns.values_list(*ROW_FIELDS))
    ids = [row[0] for row in found]
    categories = category_names_of(ids) if ids else {}
    children = children_named_in(ids) if ids and with_children else {}
    url = reverse("concerns:detail", args=[int(_PK_MARK)])
    return [
        ConcernRow(
            id=pk,
            recorded_at=recorded_at,
            status=status,
            url=url.replace(_PK_MARK, str(pk)),
            categories="; ".join(categories.get(pk, ())),
            children=", ".join(name for _, name in children.get(pk, ())),
            child_ids=tuple(child_id for child_id, _ in children.get(pk, ())),
            reviewed_at=reviewed_at,
        )
        for pk, recorded_at, status, reviewed_at in found
    ]
