"""Reads of the ledger, in plain ids: the caller says which sites, objects and children are in view.

`audit` knows no domain model. The concerns layer turns a reader's roles into a LedgerScope (sites,
and for entries written without a site, the ids of objects and children at those sites); these
functions only filter the one table. What a reader may see is a condition on each row, never an
`id IN (…)` of everything they may see: under "newest first, fifty to a page" that set (a DSL's
whole site, millions of entries) was rebuilt and sorted for every row walked (DESIGN.md section 6).
"""

import datetime
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Expression, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull
from django.utils import timezone

from audit import events
from audit.models import AuditEntry, AuditEntryObject

PAGE_SIZE = 50
ACCOUNT_EVENT_PREFIXES = ("account.", "membership.")
SIGN_IN_FAILURE_EVENTS = (events.ACCOUNT_LOGIN_FAILED, events.ACCOUNT_LOCKED_OUT)


def _naming(type_ids: Iterable[int], object_ids: QuerySet | Sequence[int]) -> QuerySet:
    """Ids of the entries of these content types whose object_ids name one of `object_ids`.

    An index range on AuditEntryObject (entry_type, object_id, entry), where the JSON array
    itself would be scanned entry by entry (DESIGN.md section 6)."""
    lookup = "object_id__in" if isinstance(object_ids, QuerySet) or len(object_ids) != 1 else "object_id"
    value = object_ids if lookup == "object_id__in" else object_ids[0]
    return AuditEntryObject.objects.filter(entry_type_id__in=list(type_ids), **{lookup: value}).values("entry_id")


class IdAmong(Expression):
    """The entry's id is one of the ids a (small) subquery returns, in a form PostgreSQL walks in order.

    PostgreSQL: `id = ANY(ARRAY(subquery))`, which the primary key's index scans newest first and
    stops after a page, checking the reader's conditions on those rows only. `id IN (subquery)`
    would check every one of a child's thousands of entries and sort them before the first page.
    Elsewhere, `id IN (subquery)`. The subquery is a source expression, so it is relabelled with
    the query around it (see the ObjectIdsAmong fix in the history of this file).
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, ids: QuerySet):
        super().__init__()
        self.column: Any = F("id")
        self.ids: Any = ids.query

    def get_source_expressions(self) -> list:
        return [self.column, self.ids]

    def set_source_expressions(self, expressions) -> None:
        self.column, self.ids = expressions

    def as_sql(self, compiler, connection):
        column, column_params = compiler.compile(self.column)
        ids, ids_params = compiler.compile(self.ids)
        template = "{column} = ANY(ARRAY{ids})" if connection.vendor == "postgresql" else "{column} IN {ids}"
        return template.format(column=column, ids=ids), [*column_params, *ids_params]


@dataclass(frozen=True)
class LedgerScope:
    """One part of the ledger a reader may see, as plain ids the concerns layer works out from roles.

    site_ids: entries written for these sites. objects: for entries written without a site, the ids
    of objects (by content type id) at those sites. child_ids with child_list_type_ids: entries of
    those content types without a site whose object_ids name one of these children (found through
    AuditEntryObject, the index of those ids).
    event_prefixes: if given, only events starting with one of them (an administrator's view).
    unattributed_events: events written with no actor and no site that this reader also sees
    (failed sign-ins and lockouts: nobody is signed in, and the email may belong to no one).
    """

    site_ids: QuerySet | Sequence[int]
    objects: Mapping[int, QuerySet] = field(default_factory=dict)
    child_ids: QuerySet | None = None
    child_list_type_ids: tuple[int, ...] = ()
    event_prefixes: tuple[str, ...] = ()
    unattributed_events: tuple[str, ...] = ()


def _ids(ids: QuerySet | Sequence[int]) -> list[int]:
    """A reader's few site ids as a literal list, which the planner estimates well (a subquery it cannot)."""
    if isinstance(ids, QuerySet):
        return list(ids.values_list(ids.query.values_select[0], flat=True)) if ids.query.values_select else []
    return list(ids)


def _is_among(object_ids: QuerySet, column: str) -> Q:
    """True for an entry whose `column` is one of the ids the values() subquery `object_ids` returns.

    Asked row by row, with one index lookup: "(SELECT id … WHERE id = entry.object_id LIMIT 1) IS NOT
    NULL". As `object_id IN (…)` or EXISTS PostgreSQL would hash the whole set first (a large site's
    200,000 concerns, for every page) even when the page stops after fifty entries (DESIGN.md
    section 6); a scalar subquery it never hashes."""
    name = object_ids.query.values_select[0]
    one = object_ids.filter(**{name: OuterRef(column)}).order_by().values(name)[:1]
    return Q(IsNull(Subquery(one), False))


def _names_one_of(type_ids: Sequence[int], child_ids: QuerySet) -> Q:
    """An entry of these types whose object_ids name one of `child_ids`, through AuditEntryObject."""
    named = AuditEntryObject.objects.filter(entry_id=OuterRef("id"), object_id__in=child_ids)
    return Q(content_type_id__in=list(type_ids)) & Q(IsNull(Subquery(named.values("object_id")[:1]), False))


def _scope_condition(scope: LedgerScope) -> Q:
    """The entries of one scope, as a condition on each row (never a set of ids, see DESIGN.md section 6).

    Entries written for one of the sites, or written without a site about an object at one of them;
    PostgreSQL then walks the ledger newest first and stops at a page, checking each row as it goes."""
    unsited = Q(pk__in=[])
    for type_id, object_ids in scope.objects.items():
        unsited |= Q(content_type_id=type_id) & _is_among(object_ids, "object_id")
    if scope.child_ids is not None and scope.child_list_type_ids:
        unsited |= _names_one_of(scope.child_list_type_ids, scope.child_ids)
    condition = Q(site_id__in=_ids(scope.site_ids)) | (Q(site_id__isnull=True) & unsited)
    if scope.event_prefixes:
        condition &= reduce(operator.or_, (Q(event__startswith=prefix) for prefix in scope.event_prefixes))
    if scope.unattributed_events:
        condition |= Q(site_id__isnull=True, actor__isnull=True, event__in=scope.unattributed_events)
    return condition


def ledger_entries_for(scopes: Sequence[LedgerScope]) -> QuerySet[AuditEntry]:
    """Every entry in any of the scopes, newest first; nothing when there is no scope."""
    if not scopes:
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(reduce(operator.or_, map(_scope_condition, scopes))).order_by("-id")


def entries_about_child(
    entries: QuerySet[AuditEntry] | None, *, child_id: int, child_type_id: int, child_list_type_ids: Iterable[int]
) -> QuerySet[AuditEntry]:
    """Entries about one child: the child itself, or entries of the listed types whose object_ids name it.

    Without `entries`, the whole ledger: a child's page shows every view of that child, from anywhere.
    Both halves are index ranges of a few hundred ids (the entry's own object; AuditEntryObject),
    so the page starts from them and checks `entries`' own conditions on those rows only."""
    entries = AuditEntry.objects.all() if entries is None else entries
    itself = AuditEntry.objects.filter(content_type_id=child_type_id, object_id=child_id).order_by().values("id")
    named = _naming(child_list_type_ids, [child_id]).order_by()
    return entries.filter(IdAmong(itself.union(named))).order_by("-id")


def ledger_filtered(
    entries: QuerySet[AuditEntry],
    *,
    actor_id: int | None = None,
    event: str = "",
    action: int | None = None,
    content_type_id: int | None = None,
    object_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEntry]:
    """Narrow entries by who, what happened, to which object and when (dates in the site's time zone)."""
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if event:
        entries = entries.filter(event__startswith=event)
    if action is not None:
        entries = entries.filter(action=action)
    if content_type_id is not None:
        entries = entries.filter(content_type_id=content_type_id)
    if object_id is not None:
        entries = entries.filter(object_id=object_id)
    if date_from is not None:
        entries = entries.filter(timestamp__gte=_start_of(date_from))
    if date_to is not None:
        entries = entries.filter(timestamp__lt=_start_of(date_to + datetime.timedelta(days=1)))
    return entries


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def ledger_page(entries: QuerySet[AuditEntry], *, before: int | None = None) -> tuple[list[AuditEntry], int | None]:
    """One page of entries, newest first, older than `before` (keyset: one query whatever the page),
    and the id to ask for the next page with, or None on the last page."""
    if before is not None:
        entries = entries.filter(id__lt=before)
    rows = with_content_types(list(entries.order_by("-id")[: PAGE_SIZE + 1]))
    if len(rows) > PAGE_SIZE:
        return rows[:PAGE_SIZE], rows[PAGE_SIZE - 1].id
    return rows, None


def with_content_types(rows: list[AuditEntry]) -> list[AuditEntry]:
    """Give each entry its content type from Django's in-process cache of the small table.

    Not select_related: joining django_content_type lets PostgreSQL hash-join and sort every row
    a filter matches (a child's thousands, read from disk) where it would otherwise walk the
    primary key newest first and stop after a page."""
    for row in rows:
        row.content_type = ContentType.objects.get_for_id(row.content_type_id)
    return rows


def ledger_head_id() -> int:
    """The newest entry's id now: an export stops here, so its count and its rows agree."""
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
