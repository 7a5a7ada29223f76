"""Reads of the ledger, in plain ids: the caller says which sites, objects and children are in view.

`audit` knows no domain model. The concerns layer turns a reader's roles into a LedgerScope (sites,
and for entries written without a site, the ids of objects and children at those sites); these
functions only filter the one table. Id sets from different rules are combined by UNION, never OR.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet
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


def _events_starting(entries: QuerySet, prefixes: Iterable[str]) -> QuerySet:
    parts = [entries.filter(event__startswith=prefix).order_by().values("id") for prefix in prefixes]
    return entries.filter(id__in=parts[0].union(*parts[1:])) if parts else entries


def _scope_ids(scope: LedgerScope) -> list[QuerySet]:
    unsited = AuditEntry.objects.filter(site_id__isnull=True)
    parts = [AuditEntry.objects.filter(site_id__in=scope.site_ids)]
    for type_id, object_ids in scope.objects.items():
        parts.append(unsited.filter(content_type_id=type_id, object_id__in=object_ids))
    if scope.child_ids is not None and scope.child_list_type_ids:
        parts.append(unsited.filter(id__in=_naming(scope.child_list_type_ids, scope.child_ids)))
    if scope.event_prefixes:
        parts = [_events_starting(part, scope.event_prefixes) for part in parts]
    if scope.unattributed_events:
        parts.append(unsited.filter(actor__isnull=True, event__in=scope.unattributed_events))
    return [part.order_by().values("id") for part in parts]


def ledger_entries_for(scopes: Sequence[LedgerScope]) -> QuerySet[AuditEntry]:
    """Every entry in any of the scopes, newest first; nothing when there is no scope."""
    parts = [part for scope in scopes for part in _scope_ids(scope)]
    if not parts:
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(id__in=parts[0].union(*parts[1:])).order_by("-id")


def entries_about_child(
    entries: QuerySet[AuditEntry] | None, *, child_id: int, child_type_id: int, child_list_type_ids: Iterable[int]
) -> QuerySet[AuditEntry]:
    """Entries about one child: the child itself, or entries of the listed types whose object_ids name it.

    Without `entries`, the whole ledger: a child's page shows every view of that child, from anywhere."""
    entries = AuditEntry.objects.all() if entries is None else entries
    itself = entries.filter(content_type_id=child_type_id, object_id=child_id).order_by().values("id")
    named = entries.filter(id__in=_naming(child_list_type_ids, [child_id])).order_by().values("id")
    return entries.filter(id__in=itself.union(named)).order_by("-id")


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
    rows = list(entries.select_related("content_type").order_by("-id")[: PAGE_SIZE + 1])
    if len(rows) > PAGE_SIZE:
        return rows[:PAGE_SIZE], rows[PAGE_SIZE - 1].id
    return rows, None


def ledger_head_id() -> int:
    """The newest entry's id now: an export stops here, so its count and its rows agree."""
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
