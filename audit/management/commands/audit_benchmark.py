"""Measure the ledger: audit cost per request, sealing rate and verification rate (a benchmark, not a test).

Writes synthetic entries that can never be removed (the ledger is append-only), so it runs only
in a scratch database, never in production, and only when told so with --scratch-database.
"""

import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from audit.chain import chain_verify
from audit.models import AuditEntry
from audit.sealing import audit_seal
from audit.services import audit_record

EVENT = "benchmark.viewed"


class Command(BaseCommand):
    help = "Benchmark the audit ledger in a scratch database: per-request cost, sealing and verification rates."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--entries", type=int, default=200_000, help="synthetic entries to add in bulk")
        parser.add_argument("--requests", type=int, default=5_000, help="audited transactions to time one by one")
        parser.add_argument(
            "--scratch-database",
            action="store_true",
            help="confirm this is a throwaway database: the entries written here can never be removed",
        )

    def handle(self, *args, entries: int, requests: int, scratch_database: bool, **options) -> None:
        if getattr(settings, "PRODUCTION", False) or not scratch_database:
            raise CommandError(
                "audit_benchmark adds permanent entries to the append-only ledger: run it only on a scratch "
                "database, outside production, with --scratch-database."
            )
        self.stdout.write(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        audit_seal()  # start from a fully sealed ledger
        self._per_request(requests)
        self._bulk_insert(entries)
        self._seal()
        self._verify()

    def _per_request(self, requests: int) -> None:
        actor = get_user_model().objects.order_by("pk").first()
        model = get_user_model()
        in_call, whole = [], []
        for number in range(requests):
            started = time.perf_counter()
            with transaction.atomic():
                before = time.perf_counter()
                audit_record(actor=actor, event=EVENT, model=model, object_ids=[number], site_id=1, actor_role="dsl")
                in_call.append(time.perf_counter() - before)
            whole.append(time.perf_counter() - started)
        self.stdout.write(f"audit cost per request over {requests} transactions (audit_record; whole transaction):")
        for label, samples in (("audit_record", in_call), ("with commit", whole)):
            self.stdout.write(f"  {label:>12}: median {_ms(statistics.median(samples))}, p95 {_ms(_p95(samples))}")

    def _bulk_insert(self, entries: int) -> None:
        content_type = ContentType.objects.get_for_model(get_user_model())
        now = timezone.now()
        started = time.perf_counter()
        for first in range(0, entries, 5_000):
            batch = [
                AuditEntry(
                    content_type=content_type,
                    object_pk="",
                    object_repr=f"{content_type.app_label}.{content_type.model}#",
                    action=AuditEntry.Action.ACCESS,
                    event=EVENT,
                    actor_role="dsl",
                    site_id=1,
                    timestamp=now,
                    additional_data={"object_ids": [n, n + 1, n + 2], "counts": {"shown": 3}},
                    cid=f"{n:032x}",
                    remote_addr="192.0.2.1",
                )
                for n in range(first, min(first + 5_000, entries))
            ]
            AuditEntry.objects.bulk_create(batch)
        self.stdout.write(f"inserted {entries} synthetic entries in {time.perf_counter() - started:.1f} s")

    def _seal(self) -> None:
        started = time.perf_counter()
        sealed = audit_seal()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"sealed {sealed} entries in {elapsed:.1f} s: {sealed / elapsed:,.0f} entries/s")
        self.stdout.write(f"the sealer's queue, right after a mass seal: {_ms(_queue_lookup())}")
        if connection.vendor == "postgresql":
            # What autovacuum does soon after: the partial index drops the entries of sealed rows.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE audit_auditentry")
            self.stdout.write(f"the sealer's queue, once vacuumed (steady state): {_ms(_queue_lookup())}")

    def _verify(self) -> None:
        started = time.perf_counter()
        result = chain_verify()
        elapsed = time.perf_counter() - started
        verdict = "OK" if result.ok else f"BROKEN at entry id {result.broken_id}: {result.problem}"
        self.stdout.write(
            f"verified {result.checked} entries in {elapsed:.1f} s: {result.checked / elapsed:,.0f} entries/s "
            f"({result.checked / elapsed * 60:,.0f} a minute) - {verdict}"
        )


def _queue_lookup() -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM audit_auditentry WHERE entry_hash = '' ORDER BY id LIMIT 5000")
        cursor.fetchall()
    return time.perf_counter() - started


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]
