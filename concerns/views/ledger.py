"""The ledger for those who may read it, and each child's page with "who has viewed this record".

Who reads what (DESIGN.md section 1): DSLs and auditors every entry for their sites; administrators
account events only, nothing about children; the DSL team "who has viewed this child" on the
child's page. Every one of these pages is itself on the ledger.
"""

import csv
import datetime
import itertools
from collections.abc import Iterable, Iterator

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.choices import Role
from accounts.decorators import recent_mfa_required
from audit import events
from audit import selectors as ledger
from audit.models import AuditEntry
from audit.services import audit_record
from concerns import policy
from concerns.forms.ledger import LedgerFilterForm
from concerns.models import Child, Concern
from concerns.models.concerns import concern_reference
from concerns.selectors import ledger as ledger_reads
from concerns.selectors.rows import concern_rows
from concerns.templatetags.ledger_tables import describe

VIEWERS_SHOWN = 20
LEDGER_APPS = ("accounts", "concerns", "audit")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "entry",
    "time (UTC)",
    "who",
    "email",
    "role",
    "event",
    "event code",
    "action",
    "object type",
    "object",
    "object number",
    "children",
    "child numbers",
    "site",
    "address",
    "request",
    "fields",
    "counts",
)
CSV_BATCH = 2000


class _Reader:
    """What of the ledger this person may read, from their active memberships."""

    def __init__(self, user):
        sight = policy.ledger_sight(user)
        self.user = user
        self.sight = sight
        self.full_sites = sight.full_sites
        self.account_sites = sight.account_sites
        self.reads_children = sight.reads_children
        self.reads_accounts = sight.reads_accounts
        if not (self.reads_children or self.reads_accounts):
            raise PermissionDenied("Your role does not read the audit ledger.")

    def scopes(self) -> list[ledger.LedgerScope]:
        scopes = [ledger_reads.whole_sites_scope(self.full_sites)] if self.reads_children else []
        return scopes + ([ledger_reads.account_events_scope(self.account_sites)] if self.reads_accounts else [])

    def single_site_id(self) -> int | None:
        site_ids = {*self.full_sites, *self.account_sites}
        return site_ids.pop() if len(site_ids) == 1 else None

    def form(self, data) -> LedgerFilterForm:
        members = ledger_reads.members_of(sorted({*self.full_sites, *self.account_sites}))
        types = ContentType.objects.filter(app_label__in=LEDGER_APPS).order_by("app_label", "model")
        return LedgerFilterForm(
            data,
            members=members,
            object_types=[(kind.pk, f"{kind.app_label}.{kind.model}") for kind in types],
            children=policy.children_named_on_ledger_for(self.sight) if self.reads_children else None,
        )

    def names_for(self, rows: list[AuditEntry]) -> ledger_reads.LedgerNames:
        return ledger_reads.ledger_names_for(self.user, self.sight, rows)


def _filtered(reader: _Reader, form: LedgerFilterForm) -> QuerySet[AuditEntry]:
    entries = ledger.ledger_entries_for(reader.scopes())
    if not form.is_valid():
        return entries.none()
    data = form.cleaned_data
    if data.get("child"):
        entries = ledger.entries_about_child(
            entries,
            child_id=data["child"],
            child_type_id=ledger_reads.type_id(Child),
            child_list_type_ids=ledger_reads.child_list_type_ids(),
        )
    return ledger.ledger_filtered(
        entries,
        actor_id=data["actor"],
        event=data["event"],
        action=data["action"],
        content_type_id=data["object_type"],
        object_id=data["object_id"],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )


def _audit_ledger_read(
    request: HttpRequest, reader: _Reader, form: LedgerFilterForm, named: Iterable[int] = (), **kwargs
) -> None:
    """The ledger's reading of itself: about the child filtered by, and every child it named (by name,
    or offered as a choice), since a name read from a child's record is a read of that record."""
    child_id = form.cleaned_data.get("child") if form.is_valid() else None
    children = {*named, *([child_id] if child_id else []), *(child.pk for child in form.children_offered)}
    target = {"model": Child, "object_ids": sorted(children)} if children else {"target": request.user}
    audit_record(actor=request.user, site_id=reader.single_site_id(), **target, **kwargs)


def _choices(request: HttpRequest, dropped: tuple[str, ...], key: str, offered: list[tuple[int, str]]) -> list:
    """Links that choose one of several a name matched, keeping the other filters."""
    query = request.GET.copy()
    for name in (*dropped, "before"):
        query.pop(name, None)
    links = []
    for pk, text in offered:
        query[key] = str(pk)
        links.append({"text": text, "url": f"?{query.urlencode()}"})
    return links


def _offered(request: HttpRequest, form: LedgerFilterForm) -> dict:
    children = [
        (child.pk, f"{child.display_name} — {child.year_group or 'no year group'}, {child.site.name}")
        for child in form.children_offered
    ]
    people = [(pk, f"{name} ({email})") for pk, name, email in form.people_offered]
    return {
        "children_offered": _choices(request, ("child", "child_name"), "child", children),
        "people_offered": _choices(request, ("actor", "who"), "actor", people),
    }


def _int_or_none(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@login_required
@require_GET
def ledger_index(request: HttpRequest) -> HttpResponse:
    reader = _Reader(request.user)
    form = reader.form(request.GET)
    rows, next_before = ledger.ledger_page(_filtered(reader, form), before=_int_or_none(request.GET.get("before")))
    names = reader.names_for(rows)
    _audit_ledger_read(
        request, reader, form, named=names.children, event=events.LEDGER_VIEWED, counts={"entries": len(rows)}
    )
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "concerns/ledger/ledger.html",
        {
            "form": form,
            "rows": rows,
            "names": names,
            "next_before": next_before,
            "query": query.urlencode(),
            "is_first_page": "before" not in request.GET,
            "reads_children": reader.reads_children,
            **_offered(request, form),
        },
        status=400 if form.errors else 200,
    )


def csv_cell(value) -> str:
    """A spreadsheet must not run a cell as a formula: text that would start one gets a leading quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv_row(entry: AuditEntry, names: ledger_reads.LedgerNames, reads_children: bool) -> list[str]:
    extra = entry.additional_data or {}
    described = describe(entry, names, reads_children)
    cells = [
        entry.id,
        entry.timestamp.astimezone(datetime.UTC).isoformat(),
        described.who,
        described.email,
        described.role,
        described.event,
        entry.event,
        entry.get_action_display(),
        f"{entry.content_type.app_label}.{entry.content_type.model}",
        described.object.text,
        entry.object_pk,
        "; ".join(link.text for link in described.children),
        " ".join(str(number) for number in extra.get("object_ids", [])) if reads_children else "",
        described.site,
        entry.remote_addr,
        entry.cid,
        " ".join(extra.get("fields", [])),
        " ".join(f"{name}={number}" for name, number in extra.get("counts", {}).items()),
    ]
    return [csv_cell(cell) for cell in cells]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(entries: QuerySet[AuditEntry], reader: _Reader) -> Iterator[str]:
    """The file, a batch of entries at a time, each batch's names read in a few queries."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)
    rows = entries.select_related("content_type").order_by("-id").iterator(chunk_size=CSV_BATCH)
    while batch := list(itertools.islice(rows, CSV_BATCH)):
        names = reader.names_for(batch)
        for entry in batch:
            yield writer.writerow(_csv_row(entry, names, reader.reads_children))


@login_required
@recent_mfa_required
@require_GET
def ledger_export(request: HttpRequest) -> HttpResponse:
    reader = _Reader(request.user)
    form = reader.form(request.GET)
    if not form.is_valid():
        _audit_ledger_read(request, reader, form, event=events.LEDGER_VIEWED, counts={"entries": 0})
        context = {"form": form, "rows": [], "reads_children": reader.reads_children, **_offered(request, form)}
        return render(request, "concerns/ledger/ledger.html", context, status=400)
    # Stop at today's head, so the count on the ledger and the rows in the file agree.
    entries = _filtered(reader, form).filter(id__lte=ledger.ledger_head_id())
    _audit_ledger_read(
        request,
        reader,
        form,
        named=ledger_reads.children_named_among(reader.sight, entries),
        event=events.LEDGER_EXPORTED,
        counts={"entries": entries.count()},
    )
    response = StreamingHttpResponse(_csv_lines(entries, reader), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="vigil-ledger-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _child_for_page(user, pk: int) -> Child:
    child = ledger_reads.child_for_record_page(user, pk)
    if child is not None:
        return child
    if policy.children_on_roll_for(user).filter(pk=pk).exists():
        raise PermissionDenied("A child's record is for the DSL team and auditors of the school.")
    raise Http404


def _roles_at(actor_role: str, site_code: str) -> str:
    """The recorded roles ("staff@birch, dsl@oak") as words, those at this child's school first."""
    parts = [part.split("@", 1) for part in actor_role.split(", ") if "@" in part]
    here = [Role(role).label for role, code in parts if code == site_code and role in Role.values]
    return ", ".join(here) or ", ".join(f"{Role(role).label} ({code})" for role, code in parts if role in Role.values)


def _viewers_of(child: Child, visible_concern_ids: set[int]) -> list[AuditEntry]:
    """The latest reads of this child's record, each with the reader's roles as they were then.

    A read of a concern the page's reader may not see is not listed: that it was read would tell
    a deputy that a restricted concern exists."""
    about = ledger.entries_about_child(
        None,
        child_id=child.pk,
        child_type_id=ledger_reads.type_id(Child),
        child_list_type_ids=ledger_reads.child_list_type_ids(),
    )
    reads = about.filter(action=AuditEntry.Action.ACCESS).exclude(
        ledger_reads.about_concerns_not_among(visible_concern_ids)
    )
    rows = list(reads[:VIEWERS_SHOWN])  # the page needs content_type_id only: no join to sort by
    for row in rows:
        row.role_label = _roles_at(row.actor_role, child.site.code)
        row.event_label = events.label(row.event)
        row.concern_reference = concern_reference(row.object_id) if row.object_id else ""
    return rows


@login_required
@require_GET
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    child = _child_for_page(request.user, pk)
    concerns = concern_rows(ledger_reads.concerns_about(request.user, child))
    visible_concern_ids = {concern.id for concern in concerns}
    audit_record(
        actor=request.user,
        event=events.CHILD_VIEWED,
        target=child,
        site_id=child.site_id,
        object_ids=[child.pk],
        counts={"concerns": len(concerns)},
    )
    reads_ledger = policy.reads_ledger_at(request.user, child.site_id)
    return render(
        request,
        "concerns/child.html",
        {
            "child": child,
            "concerns": concerns,
            "viewers": _viewers_of(child, visible_concern_ids),
            "visible_concern_ids": visible_concern_ids,
            "concern_type_id": ledger_reads.type_id(Concern),
            "ledger_url": f"{reverse('ledger:index')}?child={child.pk}" if reads_ledger else "",
        },
    )
