"""The sealer: links newly written ledger entries into the hash chain, in short batches.

Requests only INSERT their entry, in their own transaction, and never wait for one another. The
chain lock is held here, by one sealer at a time, for one batch: measured on PostgreSQL, hashing
inside each request's transaction under a head-row lock capped the whole system near 1,600 audited
writes a second (DESIGN.md section 4); a batch of thousands takes a fraction of a second.
"""

import datetime

from django.db import connection, transaction
from django.db.models import Count, Min
from django.utils import timezone

from audit.chain import CONTENT_COLUMNS, GENESIS_HASH, canonical_form, content_type_labels, entry_hash
from audit.models import AuditEntry

# Any fixed number, the same in every process: PostgreSQL's advisory lock that serialises sealers.
SEALER_LOCK_KEY = 0x76696731  # "vig1"
SEAL_SQL = "UPDATE audit_auditentry SET chain_seq = %s, prev_hash = %s, entry_hash = %s WHERE id = %s"
# Beat seals every few seconds; an entry still unsealed after this long means the sealer has stopped,
# and until it runs again a change to that entry would not show in the chain.
SEALING_OVERDUE_AFTER = datetime.timedelta(minutes=5)


def audit_seal(*, batch: int = 5000, max_batches: int | None = None) -> int:
    """Seal every entry written so far into the chain, so any later change to it shows; returns how many."""
    labels = content_type_labels()
    sealed = batches = 0
    while max_batches is None or batches < max_batches:
        count = audit_seal_batch(batch=batch, labels=labels)
        sealed, batches = sealed + count, batches + 1
        if count < batch:
            break
    return sealed


@transaction.atomic
def audit_seal_batch(*, batch: int = 5000, labels: dict[int, str] | None = None) -> int:
    """Seal up to `batch` of the oldest unsealed entries in one short transaction; returns how many."""
    _lock_chain_head()
    head = (
        AuditEntry.objects.filter(chain_seq__isnull=False)
        .order_by("-chain_seq")
        .values_list("chain_seq", "entry_hash")[:1]
    )
    seq, prev_hash = head[0] if head else (0, GENESIS_HASH)
    rows = list(AuditEntry.objects.filter(entry_hash="").order_by("id").values_list(*CONTENT_COLUMNS)[:batch])
    if not rows:
        return 0
    if labels is None or any(row[CONTENT_COLUMNS.index("content_type_id")] not in labels for row in rows):
        labels = content_type_labels()
    updates = []
    for row in rows:
        seq += 1
        prev_hash, previous = entry_hash(prev_hash, canonical_form(row, labels)), prev_hash
        updates.append((seq, previous, prev_hash, row[0]))
    with connection.cursor() as cursor:
        cursor.executemany(SEAL_SQL, updates)
    return len(updates)


def _lock_chain_head() -> None:
    # PostgreSQL: a transaction-scoped advisory lock, released at commit; it blocks only other
    # sealers, never a request writing its entry. SQLite: the transaction already holds the
    # database's single write lock (BEGIN IMMEDIATE, see settings), which serialises sealers.
    # Either way the unique chain_seq and the seal-once trigger refuse a second seal outright.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEALER_LOCK_KEY])


def oldest_unsealed_at() -> datetime.datetime | None:
    """When the oldest entry still waiting to be sealed was written, or None if every entry is sealed.

    The lowest unsealed id, through the sealer's partial index, however many are waiting: ids are
    taken in the order entries are written, so it is the oldest (give or take a transaction that
    committed late)."""
    return AuditEntry.objects.filter(entry_hash="").order_by("id").values_list("timestamp", flat=True).first()


def unsealed_overdue(*, now: datetime.datetime | None = None) -> tuple[int, datetime.datetime | None]:
    """How many entries have waited for the sealer longer than SEALING_OVERDUE_AFTER, and since when."""
    since = (now or timezone.now()) - SEALING_OVERDUE_AFTER
    waiting = AuditEntry.objects.filter(entry_hash="", timestamp__lt=since).aggregate(
        count=Count("id"), oldest=Min("timestamp")
    )
    return waiting["count"], waiting["oldest"]
