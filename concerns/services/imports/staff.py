"""Importing staff from the school's MIS, and the CSV reading that every MIS import shares.

A file is read and checked row by row before anything is written: the preview shows what would
happen, the import then applies only the rows that passed. Staff missing from a file are never
removed: leaving is done in the users console, where it is deliberate and audited. Every row goes
through the users console's own services (user_create, user_rename, membership_change), so an
import follows the same rules and leaves the same ledger entries: an administrator's own row is
refused, a role change ends one membership and starts another, and a person who also works at a
site the administrator does not run keeps their name.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership, Site, User
from accounts.policy import require_not_self, require_whole_account
from accounts.services.users import membership_change, user_create, user_rename

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
DATE_PATTERNS = (
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$"), "%d/%m/%Y"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
)
DATE_HINT = "use dd/mm/yyyy or yyyy-mm-dd"

# Roles an MIS file may give. Administrators and auditors are never imported: those roles are
# granted one person at a time in the users console.
IMPORTABLE_ROLES = (Role.STAFF, Role.DEPUTY_DSL, Role.DSL)
ROLE_SPELLINGS = {
    "staff": Role.STAFF,
    "member of staff": Role.STAFF,
    "staff member": Role.STAFF,
    "teacher": Role.STAFF,
    "support staff": Role.STAFF,
    "deputy dsl": Role.DEPUTY_DSL,
    "deputy": Role.DEPUTY_DSL,
    "ddsl": Role.DEPUTY_DSL,
    "deputy designated safeguarding lead": Role.DEPUTY_DSL,
    "deputy safeguarding lead": Role.DEPUTY_DSL,
    "dsl": Role.DSL,
    "designated safeguarding lead": Role.DSL,
    "safeguarding lead": Role.DSL,
}
NOT_IMPORTABLE = {"admin", "administrator", "auditor", "admin user"}

STAFF_COLUMNS = {
    "email": ("email", "email address", "e mail", "work email", "school email"),
    "full_name": ("full name", "name", "staff name", "display name"),
    "role": ("role", "safeguarding role", "vigil role"),
    "ends_on": ("end date", "ends on", "leaving date", "end", "contract end date"),
}
STAFF_REQUIRED = ("email", "full_name", "role")
COLUMN_LABELS = {"email": "email", "full_name": "full name", "role": "role"}


@dataclass
class ParsedFile:
    """A file read and checked: the rows that passed, the rows that did not, and every key seen."""

    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    seen_keys: list[str] = field(default_factory=list)

    def reject(self, row: int, messages: list[str]) -> None:
        self.errors.append({"row": row, "messages": messages})


def normalise_header(text: str) -> str:
    return " ".join(re.sub(r"[_\-.:]", " ", (text or "").replace("\ufeff", "")).lower().split())


def _decode(upload: UploadedFile) -> str:
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: split it and import each part."
        )
    raw = upload.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ValidationError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: split it and import each part."
        )
    if b"\x00" in raw[:4096]:
        raise ValidationError("This is not a CSV file. Export the list from your MIS as CSV (comma-separated values).")
    if b"\x00" in raw:
        # A NUL further in is a damaged export; the database could not store it, so it never gets that far.
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise ValidationError(
            f"Line {line} of the file contains a null character, which a CSV file never has: the export is damaged. "
            "Export the list from your MIS again as CSV and import the new file."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # SIMS and Arbor exports on Windows are often Windows-1252 rather than UTF-8.
        return raw.decode("cp1252", errors="replace")


def _column_map(header: list[str], columns: dict[str, tuple[str, ...]], required: tuple[str, ...], labels) -> dict:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        for key, spellings in columns.items():
            if normalise_header(name) in spellings:
                if key in found:
                    raise ValidationError(f"The file has two columns for {labels.get(key, key)}: keep one.")
                found[key] = index
    missing = [key for key in required if key not in found]
    if missing:
        wanted = "; ".join(f"{labels[key]} (for example “{columns[key][0].title()}”)" for key in missing)
        raise ValidationError(f"The file has no column for: {wanted}. The first row must name the columns.")
    return found


def read_csv(
    upload: UploadedFile, columns: dict[str, tuple[str, ...]], required: tuple[str, ...], labels: dict[str, str]
) -> list[tuple[int, dict[str, str]]]:
    """Each non-blank data row as (spreadsheet row number, {column key: stripped text}).

    Problems with the file as a whole (not CSV, no header, a required column missing, too many
    rows) raise ValidationError before any row is returned.
    """
    text = _decode(upload)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise ValidationError("The file is empty: export the list from your MIS with a header row.") from error
    found = _column_map(header, columns, required, labels)
    rows = []
    number = 1  # the header; a spreadsheet numbers each record (a blank one too) as a row
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            rows.append((number, {key: cells[i].strip() if i < len(cells) else "" for key, i in found.items()}))
            if len(rows) > MAX_ROWS:
                raise ValidationError(f"The file has more than {MAX_ROWS:,} rows: split it and import each part.")
    except csv.Error as error:
        raise ValidationError(f"Row {number + 1} could not be read as CSV: {error}.") from error
    if not rows:
        raise ValidationError("The file has a header row but no data rows.")
    return rows


def parse_date(text: str) -> datetime.date:
    """A date written dd/mm/yyyy (as UK MIS exports do) or yyyy-mm-dd; ValueError otherwise."""
    for pattern, date_format in DATE_PATTERNS:
        if pattern.match(text):
            return datetime.datetime.strptime(text, date_format).date()
    raise ValueError(text)


def _staff_row(number: int, cells: dict[str, str], today: datetime.date) -> tuple[dict, list[str]]:
    problems = []
    email = cells["email"].strip().lower()
    if not email:
        problems.append("The email address is missing.")
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"“{cells['email'][:80]}” is not an email address.")
    full_name = " ".join(cells["full_name"].split())
    if not full_name:
        problems.append("The full name is missing.")
    elif len(full_name) > 150:
        problems.append("The full name is longer than 150 characters.")
    role_text = normalise_header(cells["role"])
    role = ROLE_SPELLINGS.get(role_text)
    if not role_text:
        problems.append("The role is missing: use staff, deputy DSL or DSL.")
    elif role_text in NOT_IMPORTABLE:
        problems.append("Administrators and auditors are not imported: add them in the users console.")
    elif role is None:
        problems.append(f"“{cells['role'][:40]}” is not a role Vigil knows: use staff, deputy DSL or DSL.")
    ends_on = None
    if cells.get("ends_on"):
        try:
            ends_on = parse_date(cells["ends_on"])
        except ValueError:
            problems.append(f"“{cells['ends_on'][:20]}” is not a date: {DATE_HINT}.")
        else:
            if ends_on < today:
                problems.append(
                    "The end date is in the past: leave it empty, or end the membership in the users console."
                )
    row = {
        "row": number,
        "email": email,
        "full_name": full_name,
        "role": role,
        "ends_on": ends_on and ends_on.isoformat(),
    }
    return row, problems


def staff_file_parse(*, upload: UploadedFile) -> ParsedFile:
    """Read and check a staff file from the MIS without writing anything."""
    today = timezone.localdate()
    parsed = ParsedFile()
    by_email: dict[str, list[int]] = {}
    candidates = []
    for number, cells in read_csv(upload, STAFF_COLUMNS, STAFF_REQUIRED, COLUMN_LABELS):
        row, problems = _staff_row(number, cells, today)
        if row["email"] and "@" in row["email"]:
            by_email.setdefault(row["email"], []).append(number)
        candidates.append((row, problems))
    for row, problems in candidates:
        rows_with_email = by_email.get(row["email"], [])
        if len(rows_with_email) > 1:
            listed = ", ".join(str(n) for n in rows_with_email)
            problems.append(f"{row['email']} is on more than one row ({listed}): none of them is imported.")
        if problems:
            parsed.reject(row["row"], problems)
        else:
            parsed.rows.append(row)
    parsed.seen_keys = sorted(by_email)
    return parsed


def _users_by_email(emails: list[str]) -> dict[str, User]:
    users = User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    return {user.email_lower: user for user in users}


def _memberships_at(site: Site, user_ids: list[int]) -> dict[int, list[Membership]]:
    found: dict[int, list[Membership]] = {}
    for membership in Membership.objects.filter(site=site, user_id__in=user_ids, role__in=list(IMPORTABLE_ROLES)):
        found.setdefault(membership.user_id, []).append(membership)
    return found


def _outcome(row: dict, user: User | None, memberships: list[Membership]) -> str:
    if user is None or not memberships:
        return "created"
    exact = [m for m in memberships if m.role == row["role"]]
    membership = exact[0] if exact else memberships[0]
    same = (
        membership.role == row["role"]
        and (membership.ends_on.isoformat() if membership.ends_on else None) == row["ends_on"]
        and user.full_name == row["full_name"]
    )
    return "unchanged" if same else "updated"


def _ended_here(row: dict, memberships: list[Membership], today: datetime.date) -> str | None:
    """A membership here that has ended is not brought back by a file: that is the users console's job."""
    ended = [m for m in memberships if m.ends_on and m.ends_on < today]
    live = [m for m in memberships if m not in ended]
    if ended and (not live or any(m.role == row["role"] for m in ended)):
        last = max(m.ends_on for m in ended if m.ends_on)
        return (
            f"{row['email']}'s membership at this site ended on {last:%d/%m/%Y}: "
            "restore it in the users console if they have come back."
        )
    return None


def _live(memberships: list[Membership], today: datetime.date) -> list[Membership]:
    return [m for m in memberships if not (m.ends_on and m.ends_on < today)]


def _refusal(*, admin: User, row: dict, user: User | None) -> str | None:
    """Why this row may not be imported by this administrator: the users console's own rules."""
    if user is None:
        return None
    try:
        require_not_self(admin, user)
        if user.full_name != row["full_name"]:
            require_whole_account(admin, user)
    except PermissionDenied as refused:
        return f"{row['email']}: {refused} Nothing in this row was imported."
    return None


def staff_import_preview(*, admin: User, site: Site, parsed: ParsedFile) -> dict[str, int]:
    """What importing the checked rows at this site would do, counted, without writing anything.

    Rows for people whose membership here has ended, and rows this administrator may not apply
    (their own, or a change of name for someone who also works at a site they do not
    administer), move to the file's errors.
    """
    today = timezone.localdate()
    users = _users_by_email([row["email"] for row in parsed.rows])
    memberships = _memberships_at(site, [user.id for user in users.values()])
    counts = {"created": 0, "updated": 0, "unchanged": 0, "accounts_created": 0}
    kept = []
    for row in parsed.rows:
        user = users.get(row["email"])
        held = memberships.get(user.id, []) if user else []
        problem = _ended_here(row, held, today) or _refusal(admin=admin, row=row, user=user)
        if problem:
            parsed.reject(row["row"], [problem])
            continue
        kept.append(row)
        counts[_outcome(row, user, _live(held, today))] += 1
        counts["accounts_created"] += user is None
    parsed.rows = kept
    parsed.errors.sort(key=lambda error: error["row"])
    return counts


def _row_apply(*, actor: User, site: Site, row: dict, user: User | None, memberships: list[Membership]) -> bool:
    """Apply one row through the users console's services; True if it made a new account."""
    ends_on = datetime.date.fromisoformat(row["ends_on"]) if row["ends_on"] else None
    if user is None:
        # No usable password and no email: the person is invited from the users console.
        user_create(
            admin=actor,
            full_name=row["full_name"],
            email=row["email"],
            site=site,
            role=row["role"],
            ends_on=ends_on,
            invite=False,
        )
        return True
    if user.full_name != row["full_name"]:
        user_rename(admin=actor, user=user, full_name=row["full_name"])
    exact = [m for m in memberships if m.role == row["role"]]
    current = exact[0] if exact else (memberships[0] if memberships else None)
    if current is None or current.role != row["role"] or current.ends_on != ends_on:
        membership_change(admin=actor, user=user, site=site, role=row["role"], ends_on=ends_on, current=current)
    return False


@transaction.atomic
def staff_import_apply(*, actor: User, site: Site, rows: list[dict]) -> tuple[dict[str, int], list[dict]]:
    """Add or update these people's memberships at the site, by email; never remove anyone.

    Each row is applied on its own (a savepoint): a row the rules refuse changes nothing and is
    reported with its reason, and the rows around it still go in.
    """
    today = timezone.localdate()
    users = _users_by_email([row["email"] for row in rows])
    memberships = _memberships_at(site, [user.id for user in users.values()])
    counts = {"created": 0, "updated": 0, "unchanged": 0, "accounts_created": 0}
    errors = []
    for row in rows:
        existing = users.get(row["email"])
        held = memberships.get(existing.id, []) if existing else []
        # Checked at preview too; a membership may have ended, or a rule changed, since then.
        problem = _ended_here(row, held, today) or _refusal(admin=actor, row=row, user=existing)
        if problem:
            errors.append({"row": row["row"], "messages": [problem]})
            continue
        held = _live(held, today)
        outcome = _outcome(row, existing, held)
        if outcome != "unchanged":
            try:
                with transaction.atomic():
                    counts["accounts_created"] += _row_apply(
                        actor=actor, site=site, row=row, user=existing, memberships=held
                    )
            except (PermissionDenied, ValidationError) as refused:
                errors.append({"row": row["row"], "messages": [f"Not imported: {' '.join(_messages(refused))}"]})
                continue
        counts[outcome] += 1
    return counts, errors


def _messages(error: Exception) -> list[str]:
    return error.messages if isinstance(error, ValidationError) else [str(error)]
