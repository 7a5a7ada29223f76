"""Importing the roll from the school's MIS, and running every MIS import (children or staff) as a job.

Step 1, the preview, reads and checks every row and writes nothing but the job that holds them.
Step 2, the confirmation, queues the job; a worker applies the rows in batches, each its own
transaction, counting as it goes, so a large file shows progress and a restarted worker carries on.
One worker at a time: a worker claims the job with a conditional UPDATE and keeps a heartbeat on
it, and another takes over only once that heartbeat is RUN_LEASE old.
Re-importing updates by UPN and never duplicates. Children missing from a full import ("this file
is the whole roll", never ticked for the person) are marked left, never deleted; a child who
reappears is put back on the roll. When more than LEAVERS_CONFIRM_OVER children would be marked
left, the confirmation needs that exact number typed in: a file of three rows must not take a school
of hundreds off the roll with one click. The children an import marked left can be put back from
its page (import_leavers_restore).

Every child an import creates, updates, marks left or puts back is on the ledger: one entry per
batch, of the Child type, listing the children's ids (object_ids) and the names of the fields
written, never their values. A failed import leaves its own entry, written after its batch
rolled back.
"""

import datetime
import logging
import re

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Site, User
from audit import events
from audit.models import AuditEntry
from audit.services import audit_record
from concerns import policy
from concerns.models import Child, ImportJob
from concerns.services.imports import staff as staff_imports
from concerns.services.imports.staff import DATE_HINT, ParsedFile, parse_date, read_csv

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# More than this many children marked left by one import, and the person types the number first.
LEAVERS_CONFIRM_OVER = 5
# A running job whose worker has shown no sign of life for this long may be taken over.
RUN_LEASE = datetime.timedelta(minutes=5)
UPN_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{12}$")
CHILD_FIELDS = ("first_name", "last_name", "preferred_name", "date_of_birth", "year_group")
CHILD_COLUMNS = {
    "upn": ("upn", "unique pupil number", "pupil upn"),
    "first_name": (
        "legal forename",
        "legal first name",
        "legal forenames",
        "forename",
        "forenames",
        "first name",
        "firstname",
        "given name",
    ),
    "last_name": ("legal surname", "legal last name", "surname", "last name", "lastname", "family name"),
    "preferred_name": ("preferred forename", "preferred name", "preferred first name", "known as", "chosen name"),
    "date_of_birth": ("dob", "date of birth", "birth date", "birthdate", "d o b"),
    "year_group": ("year", "year group", "nc year", "national curriculum year", "nc year actual", "yeargroup"),
}
CHILD_REQUIRED = ("upn", "first_name", "last_name", "date_of_birth")
CHILD_LABELS = {
    "upn": "UPN",
    "first_name": "legal first name",
    "last_name": "legal surname",
    "date_of_birth": "date of birth",
}
LIMITS = {"first_name": 100, "last_name": 100, "preferred_name": 100, "year_group": 30}


def _upn_problem(upn: str) -> str | None:
    if not upn:
        return "The UPN is missing."
    if not UPN_PATTERN.match(upn):
        return f"“{upn[:20]}” is not a UPN: a UPN is 13 characters, a letter then 12 letters or digits."
    return None


def _child_row(number: int, cells: dict[str, str], today: datetime.date) -> tuple[dict, list[str]]:
    upn = cells["upn"].replace(" ", "").upper()
    problems = [problem for problem in [_upn_problem(upn)] if problem]
    row = {"row": number, "upn": upn}
    for key, label in (("first_name", "legal first name"), ("last_name", "legal surname")):
        if not cells[key]:
            problems.append(f"The {label} is missing.")
    for key, limit in LIMITS.items():
        value = " ".join(cells.get(key, "").split())
        row[key] = value
        if len(value) > limit:
            problems.append(f"The {key.replace('_', ' ')} is longer than {limit} characters.")
    born = cells["date_of_birth"]
    if not born:
        problems.append("The date of birth is missing.")
    else:
        try:
            date_of_birth = parse_date(born)
        except ValueError:
            problems.append(f"“{born[:20]}” is not a date of birth: {DATE_HINT}.")
        else:
            if date_of_birth > today:
                problems.append(f"The date of birth {date_of_birth:%d/%m/%Y} is in the future.")
            row["date_of_birth"] = date_of_birth.isoformat()
    return row, problems


def children_file_parse(*, site: Site, upload: UploadedFile) -> ParsedFile:
    """Read and check a roll from the MIS without writing anything: every problem, by row."""
    today = timezone.localdate()
    candidates = [
        _child_row(n, cells, today) for n, cells in read_csv(upload, CHILD_COLUMNS, CHILD_REQUIRED, CHILD_LABELS)
    ]
    rows_by_upn: dict[str, list[int]] = {}
    for row, _problems in candidates:
        if UPN_PATTERN.match(row["upn"]):
            rows_by_upn.setdefault(row["upn"], []).append(row["row"])
    elsewhere = set(Child.objects.filter(upn__in=list(rows_by_upn)).exclude(site=site).values_list("upn", flat=True))
    parsed = ParsedFile(seen_keys=sorted(rows_by_upn))
    for row, problems in candidates:
        numbers = rows_by_upn.get(row["upn"], [])
        if len(numbers) > 1:
            listed = ", ".join(str(n) for n in numbers)
            problems.append(f"UPN {row['upn']} is on more than one row ({listed}): none of them is imported.")
        if row["upn"] in elsewhere:
            problems.append(f"UPN {row['upn']} belongs to a child at another site of the organisation.")
        if problems:
            parsed.reject(row["row"], problems)
        else:
            parsed.rows.append(row)
    return parsed


def _differs(child: Child, row: dict) -> bool:
    values = _child_values(row)
    return child.left_on is not None or any(getattr(child, name) != value for name, value in values.items())


def _child_values(row: dict) -> dict:
    values = {name: row[name] for name in CHILD_FIELDS}
    values["date_of_birth"] = datetime.date.fromisoformat(row["date_of_birth"])
    return values


def _leavers(site: Site, seen_upns) -> list[int]:
    seen = set(seen_upns)
    on_roll = Child.objects.filter(site=site, left_on__isnull=True).values_list("id", "upn")
    return [child_id for child_id, upn in on_roll if upn not in seen]


def children_import_preview(*, site: Site, parsed: ParsedFile, is_full: bool) -> dict[str, int]:
    """What importing these checked rows would do to the site's roll, counted, without writing anything."""
    existing = {}
    for start in range(0, len(parsed.rows), BATCH_SIZE):
        upns = [row["upn"] for row in parsed.rows[start : start + BATCH_SIZE]]
        existing.update({child.upn: child for child in Child.objects.filter(site=site, upn__in=upns)})
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in parsed.rows:
        child = existing.get(row["upn"])
        counts["created" if child is None else "updated" if _differs(child, row) else "unchanged"] += 1
    counts["left"] = len(_leavers(site, parsed.seen_keys)) if is_full else 0
    counts["on_roll"] = Child.objects.filter(site=site, left_on__isnull=True).count()
    return counts


@transaction.atomic
def import_preview(*, admin: User, site: Site, kind: str, upload: UploadedFile, is_full: bool = True) -> ImportJob:
    """Check a file from the MIS and keep its rows for confirmation; the roll and the staff list are untouched."""
    if kind == ImportJob.Kind.CHILDREN:
        parsed = children_file_parse(site=site, upload=upload)
        preview = children_import_preview(site=site, parsed=parsed, is_full=is_full)
    else:
        parsed = staff_imports.staff_file_parse(upload=upload)
        preview = staff_imports.staff_import_preview(admin=admin, site=site, parsed=parsed)
        is_full = False  # staff missing from a file are never removed
    preview["errors"] = len(parsed.errors)
    job = ImportJob(
        kind=kind,
        site=site,
        created_by=admin,
        file_name=(upload.name or "")[:255],
        is_full=is_full,
        rows=parsed.rows,
        seen_keys=parsed.seen_keys,
        errors=parsed.errors,
        preview=preview,
        total=len(parsed.rows),
    )
    job.full_clean()
    job.save()
    audit_record(actor=admin, event=events.import_event(kind, "previewed"), target=job, site_id=site.id)
    return job


def leavers_to_confirm(job: ImportJob) -> int:
    """How many children the person must confirm will be marked left before this import runs (0: none)."""
    leaving = job.preview.get("left", 0) if job.kind == ImportJob.Kind.CHILDREN and job.is_full else 0
    return leaving if leaving > LEAVERS_CONFIRM_OVER else 0


def _check_leavers_confirmed(job: ImportJob, leavers_confirmed: int | None) -> None:
    expected = leavers_to_confirm(job)
    if expected and leavers_confirmed != expected:
        raise ValidationError(
            f"This import would mark {expected} children as left. To go ahead, type {expected} in the box; if "
            "this file is not the whole roll, choose the file again and leave “This file is the whole roll” unticked."
        )


@transaction.atomic
def import_confirm(*, admin: User, job: ImportJob, leavers_confirmed: int | None = None) -> bool:
    """Queue a previewed import for the worker; a second click queues nothing more.

    An import that would mark more than LEAVERS_CONFIRM_OVER children as left is queued only with
    that exact number confirmed.
    """
    if job.status != ImportJob.Status.PREVIEW:
        return False
    if not job.rows:
        raise ValidationError("Nothing in this file can be imported: correct it and upload it again.")
    _check_leavers_confirmed(job, leavers_confirmed)
    queued = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(status=ImportJob.Status.QUEUED)
    if queued:
        audit_record(actor=admin, event=events.import_event(job.kind, "confirmed"), target=job, site_id=job.site_id)
        transaction.on_commit(lambda: _enqueue(job.pk))
    job.refresh_from_db()
    return bool(queued)


def _enqueue(job_id: int) -> None:
    from concerns.tasks import import_run

    try:
        import_run.delay(job_id)
    except Exception:
        # The job is committed as queued; the periodic sweep (imports_resume) starts it later.
        logger.exception("Could not enqueue import %s; the sweep will start it", job_id)


def _children_batch(job: ImportJob, rows: list[dict]) -> tuple[dict[str, int], list[dict]]:
    existing = {child.upn: child for child in Child.objects.filter(upn__in=[row["upn"] for row in rows])}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    new, changed, errors = [], [], []
    for row in rows:
        child = existing.get(row["upn"])
        if child is not None and child.site_id != job.site_id:
            # Checked at preview too; this catches a child added at another site since then.
            errors.append({"row": row["row"], "messages": [f"UPN {row['upn']} belongs to a child at another site."]})
        elif child is None:
            child = Child(site_id=job.site_id, upn=row["upn"], **_child_values(row))
            # Uniqueness was checked above for the whole batch, and the site is the job's: checking
            # either again per child would cost a query a row. The database constraint backs both.
            child.full_clean(exclude=["site"], validate_unique=False, validate_constraints=False)
            new.append(child)
        elif _differs(child, row):
            values = _child_values(row)
            fields = _fields_changed(child, values)
            for name, value in values.items():
                setattr(child, name, value)
            child.left_on = None  # a child who reappears in the MIS is back on the roll
            child.full_clean(exclude=["site"], validate_unique=False, validate_constraints=False)
            changed.append((child, fields))
        else:
            counts["unchanged"] += 1
    Child.objects.bulk_create(new)
    Child.objects.bulk_update([child for child, _fields in changed], [*CHILD_FIELDS, "left_on"])
    # bulk_create and bulk_update bypass auditlog: the batch is on the ledger here, by child id.
    _audit_children(job, events.IMPORT_CHILDREN_CREATED, [child.pk for child in new], ["upn", *CHILD_FIELDS])
    written = sorted({name for _child, fields in changed for name in fields})
    _audit_children(job, events.IMPORT_CHILDREN_UPDATED, [child.pk for child, _fields in changed], written)
    counts["created"], counts["updated"] = len(new), len(changed)
    return counts, errors


def _audit_children(job: ImportJob, event: str, child_ids: list[int], fields: list[str]) -> None:
    """One ledger entry naming these children and the fields written: findable by child, no values."""
    if not child_ids:
        return
    audit_record(
        actor=job.created_by,
        event=event,
        model=Child,
        object_ids=child_ids,
        site_id=job.site_id,
        fields=fields,
        action=AuditEntry.Action.CREATE if event.endswith("created") else AuditEntry.Action.UPDATE,
    )


def _fields_changed(child: Child, values: dict) -> list[str]:
    fields = [name for name, value in values.items() if getattr(child, name) != value]
    return [*fields, "left_on"] if child.left_on is not None else fields


def _staff_batch(job: ImportJob, rows: list[dict]) -> tuple[dict[str, int], list[dict]]:
    counts, errors = staff_imports.staff_import_apply(actor=job.created_by, site=job.site, rows=rows)
    counts.pop("accounts_created", None)
    return counts, errors


@transaction.atomic
def import_batch_apply(*, job_id: int) -> bool:
    """Apply the next batch of a running import and count it; False once every row is done."""
    job = ImportJob.objects.select_for_update().select_related("site", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.RUNNING or job.processed >= job.total:
        return False
    rows = job.rows[job.processed : job.processed + BATCH_SIZE]
    apply = _children_batch if job.kind == ImportJob.Kind.CHILDREN else _staff_batch
    counts, errors = apply(job, rows)
    job.processed += len(rows)
    job.created += counts["created"]
    job.updated += counts["updated"]
    job.unchanged += counts["unchanged"]
    job.errors = job.errors + errors
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["processed", "created", "updated", "unchanged", "errors", "heartbeat_at"])
    return job.processed < job.total


@transaction.atomic
def import_finish(*, job_id: int) -> ImportJob:
    """Mark leavers (a full children import), close the job and write its ledger entry."""
    job = ImportJob.objects.select_for_update().select_related("site", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.RUNNING:
        return job
    if job.kind == ImportJob.Kind.CHILDREN and job.is_full:
        job.left = _children_mark_left(job)
    job.status = ImportJob.Status.DONE
    job.finished_at = timezone.now()
    # The names and dates of birth were only needed until they were imported: keep no second copy.
    job.rows, job.seen_keys = [], []
    job.save(update_fields=["left", "left_child_ids", "errors", "status", "finished_at", "rows", "seen_keys"])
    counts = {"created": job.created, "updated": job.updated, "unchanged": job.unchanged, "left": job.left}
    counts["errors"] = len(job.errors)
    audit_record(
        actor=job.created_by,
        event=events.import_event(job.kind),
        target=job,
        site_id=job.site_id,
        counts=counts,
        action=AuditEntry.Action.UPDATE,
    )
    return job


def _children_mark_left(job: ImportJob) -> int:
    leaver_ids = _leavers(job.site, job.seen_keys)
    allowed = max(job.preview.get("left", 0), LEAVERS_CONFIRM_OVER)
    if len(leaver_ids) > allowed:
        # Children joined the roll after the preview: more would leave than the person confirmed.
        job.errors = [
            *job.errors,
            {
                "row": None,
                "messages": [
                    f"{len(leaver_ids)} children on the roll are not in this file, more than the "
                    f"{job.preview.get('left', 0)} the preview showed: nobody was marked as left. "
                    "Check the file and import it again."
                ],
            },
        ]
        return 0
    today = timezone.localdate()
    for start in range(0, len(leaver_ids), BATCH_SIZE):
        batch = leaver_ids[start : start + BATCH_SIZE]
        Child.objects.filter(id__in=batch).update(left_on=today)
        _audit_children(job, events.CHILD_LEFT_ROLL, batch, ["left_on"])
    job.left_child_ids = leaver_ids
    return len(leaver_ids)


def import_left_still_off_roll(job: ImportJob) -> list[int]:
    """The children this import marked left who are still off the roll: who its page can put back."""
    still_left: list[int] = []
    for start in range(0, len(job.left_child_ids), BATCH_SIZE):
        batch = job.left_child_ids[start : start + BATCH_SIZE]
        found = Child.objects.filter(id__in=batch, site_id=job.site_id, left_on__isnull=False)
        still_left.extend(found.values_list("id", flat=True))
    return sorted(still_left)


@transaction.atomic
def import_leavers_restore(*, admin: User, job: ImportJob) -> int:
    """Put back on the roll the children this import marked left (a file that was not the whole roll)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.kind != ImportJob.Kind.CHILDREN or job.status != ImportJob.Status.DONE:
        raise ValidationError("Only a finished children import marks anyone as left.")
    child_ids = import_left_still_off_roll(job)
    if not child_ids:
        raise ValidationError("Every child this import marked as left is already back on the roll.")
    for start in range(0, len(child_ids), BATCH_SIZE):
        batch = child_ids[start : start + BATCH_SIZE]
        Child.objects.filter(id__in=batch).update(left_on=None)
        audit_record(
            actor=admin,
            event=events.IMPORT_CHILDREN_RESTORED,
            model=Child,
            object_ids=batch,
            site_id=job.site_id,
            fields=["left_on"],
            action=AuditEntry.Action.UPDATE,
        )
    audit_record(
        actor=admin,
        event=events.IMPORT_CHILDREN_RESTORED,
        target=job,
        site_id=job.site_id,
        counts={"restored": len(child_ids)},
        action=AuditEntry.Action.UPDATE,
    )
    return len(child_ids)


def import_start(*, job_id: int) -> bool:
    """Claim a queued job for this worker, or take over one whose worker has been silent for RUN_LEASE.

    One conditional UPDATE: of two workers handed the same job at once, the database lets one
    match the row, and the other finds it already claimed and leaves it alone.
    """
    now = timezone.now()
    silent = Q(status=ImportJob.Status.RUNNING) & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - RUN_LEASE))
    claimed = (
        ImportJob.objects.filter(pk=job_id)
        .filter(Q(status=ImportJob.Status.QUEUED) | silent)
        .update(status=ImportJob.Status.RUNNING, started_at=Coalesce(F("started_at"), Value(now)), heartbeat_at=now)
    )
    return bool(claimed)


@transaction.atomic
def import_fail(*, job_id: int, reason: str) -> None:
    """Stop a job that cannot go on; the rows already applied stay, and a re-import is safe.

    Runs after the failed batch's transaction has rolled back, so the failure itself is on the ledger.
    """
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    job.status = ImportJob.Status.FAILED
    job.finished_at = timezone.now()
    job.errors = [*job.errors, {"row": None, "messages": [reason]}]
    job.rows, job.seen_keys = [], []
    job.save(update_fields=["status", "finished_at", "errors", "rows", "seen_keys"])
    counts = {"created": job.created, "updated": job.updated, "unchanged": job.unchanged, "processed": job.processed}
    audit_record(
        actor=job.created_by,
        event=events.import_event(job.kind, "failed"),
        target=job,
        site_id=job.site_id,
        counts=counts,
        action=AuditEntry.Action.UPDATE,
    )


def import_run(*, job_id: int) -> ImportJob:
    """Run a confirmed import to the end, batch by batch; what the worker does."""
    if not import_start(job_id=job_id):
        return ImportJob.objects.get(pk=job_id)
    try:
        while import_batch_apply(job_id=job_id):
            pass
        return import_finish(job_id=job_id)
    except Exception:
        logger.exception("Import %s failed", job_id)
        import_fail(
            job_id=job_id,
            reason="The import stopped because of an error in Vigil. Rows counted above were imported; "
            "upload the file again to finish (re-importing never duplicates anyone).",
        )
        return ImportJob.objects.get(pk=job_id)


def import_ids_stalled(before: datetime.datetime) -> list[int]:
    """Queued jobs a lost message never started, and running ones whose worker went silent, for the sweep."""
    queued = ImportJob.objects.filter(status=ImportJob.Status.QUEUED, created_at__lt=before)
    silent = ImportJob.objects.filter(
        status=ImportJob.Status.RUNNING, heartbeat_at__lt=min(before, timezone.now() - RUN_LEASE)
    )
    ids = queued.order_by().values_list("id", flat=True).union(silent.order_by().values_list("id", flat=True))
    return sorted(ids)


def import_jobs_for(user) -> QuerySet[ImportJob]:
    """Imports at the sites the user administers today (a read, kept beside the imports it lists)."""
    return ImportJob.objects.filter(site_id__in=policy.admin_site_ids(user)).select_related("site", "created_by")


@transaction.atomic
def import_previews_expire(*, before: datetime.datetime) -> int:
    """Previews nobody confirmed by `before` lose the rows they hold: a copy of the roll is not kept idle."""
    expired = 0
    for job in ImportJob.objects.select_for_update().filter(status=ImportJob.Status.PREVIEW, created_at__lt=before):
        job.status = ImportJob.Status.FAILED
        job.finished_at = timezone.now()
        job.rows, job.seen_keys = [], []
        job.errors = [*job.errors, {"row": None, "messages": ["Not confirmed within a day: upload the file again."]}]
        job.save(update_fields=["status", "finished_at", "rows", "seen_keys", "errors"])
        expired += 1
    return expired
