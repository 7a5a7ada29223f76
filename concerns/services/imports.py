"""Importing the roll from the school's MIS, and running every MIS import (children or staff) as a job.

Step 1, the preview, reads and checks every row and writes nothing but the job that holds them.
Step 2, the confirmation, queues the job; a worker applies the rows in batches, each its own
transaction, counting as it goes, so a large file shows progress and a restarted worker carries on.
Re-importing updates by UPN and never duplicates. Children missing from a full import are marked
left, never deleted; a child who reappears is put back on the roll.
"""

import datetime
import logging
import re

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Site, User
from accounts.selectors import site_ids_for
from accounts.services import imports as staff_imports
from accounts.services.imports import DATE_HINT, ParsedFile, parse_date, read_csv
from audit.models import AuditEntry
from audit.services import audit_record
from concerns.models import Child, ImportJob

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
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
        row[key] = " ".join(cells.get(key, "").split())
        if len(row[key]) > limit:
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
        preview = staff_imports.staff_import_preview(site=site, parsed=parsed)
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
    audit_record(actor=admin, event=f"import.{kind}_previewed", target=job, site_id=site.id)
    return job


@transaction.atomic
def import_confirm(*, admin: User, job: ImportJob) -> bool:
    """Queue a previewed import for the worker; a second click queues nothing more."""
    if job.status != ImportJob.Status.PREVIEW:
        return False
    if not job.rows:
        raise ValidationError("Nothing in this file can be imported: correct it and upload it again.")
    queued = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(status=ImportJob.Status.QUEUED)
    if queued:
        audit_record(actor=admin, event=f"import.{job.kind}_confirmed", target=job, site_id=job.site_id)
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
            for name, value in _child_values(row).items():
                setattr(child, name, value)
            child.left_on = None  # a child who reappears in the MIS is back on the roll
            child.full_clean(exclude=["site"], validate_unique=False, validate_constraints=False)
            changed.append(child)
        else:
            counts["unchanged"] += 1
    Child.objects.bulk_create(new)
    Child.objects.bulk_update(changed, [*CHILD_FIELDS, "left_on"])
    counts["created"], counts["updated"] = len(new), len(changed)
    return counts, errors


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
    job.save(update_fields=["processed", "created", "updated", "unchanged", "errors"])
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
    job.save(update_fields=["left", "status", "finished_at", "rows", "seen_keys"])
    counts = {"created": job.created, "updated": job.updated, "unchanged": job.unchanged, "left": job.left}
    counts["errors"] = len(job.errors)
    audit_record(
        actor=job.created_by,
        event=f"import.{job.kind}",
        target=job,
        site_id=job.site_id,
        counts=counts,
        action=AuditEntry.Action.UPDATE,
    )
    return job


def _children_mark_left(job: ImportJob) -> int:
    leaver_ids = _leavers(job.site, job.seen_keys)
    today = timezone.localdate()
    for start in range(0, len(leaver_ids), BATCH_SIZE):
        Child.objects.filter(id__in=leaver_ids[start : start + BATCH_SIZE]).update(left_on=today)
    if leaver_ids:
        audit_record(
            actor=job.created_by,
            event="child.left_roll",
            model=Child,
            object_ids=leaver_ids,
            site_id=job.site_id,
            fields=["left_on"],
            action=AuditEntry.Action.UPDATE,
        )
    return len(leaver_ids)


def import_start(*, job_id: int) -> bool:
    """Claim a queued job for this worker (or resume one a lost worker left running)."""
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ).update(status=ImportJob.Status.RUNNING, started_at=timezone.now())
    return bool(claimed)


def import_fail(*, job_id: int, reason: str) -> None:
    """Stop a job that cannot go on; the rows already applied stay, and a re-import is safe."""
    job = ImportJob.objects.get(pk=job_id)
    job.status = ImportJob.Status.FAILED
    job.finished_at = timezone.now()
    job.errors = [*job.errors, {"row": None, "messages": [reason]}]
    job.rows, job.seen_keys = [], []
    job.save(update_fields=["status", "finished_at", "errors", "rows", "seen_keys"])


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
    """Queued jobs a lost message never started, for the periodic sweep."""
    return list(
        ImportJob.objects.filter(status=ImportJob.Status.QUEUED, created_at__lt=before).values_list("id", flat=True)
    )


def import_jobs_for(user) -> QuerySet[ImportJob]:
    """Imports at the sites the user administers today (a read, kept beside the imports it lists)."""
    return ImportJob.objects.filter(site_id__in=site_ids_for(user, {Role.ADMIN})).select_related("site", "created_by")


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
