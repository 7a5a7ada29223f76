"""Build a large fictional organisation to measure Vigil at the size of a trust (DESIGN.md section 6).

    manage.py migrate
    manage.py seed_scale --sites 50 --children 50000 --concerns 1000000 --ledger 10000000

Everything is invented (see concerns/scale). It refuses a database that is not PostgreSQL, or that
already holds people, children or concerns, unless --force; and never runs in production: the
ledger it writes is append-only and can never be removed again.
"""

import importlib
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction

from accounts.models import User
from audit.models import AuditEntry, AuditEntryObject
from concerns.models import Child, Closure, Concern, ConcernChild, Notification, ReviewDecision
from concerns.scale.ledger import LedgerGenerator
from concerns.scale.organisation import SPAN_DAYS, OrganisationBuilder
from concerns.scale.writer import IndexesSetAside, sequences_reset

named_objects = importlib.import_module("audit.migrations.0004_ledger_named_objects")
# Tables big enough that building their indexes after the load beats updating them row by row.
LARGE_TABLES = (
    AuditEntry,
    AuditEntryObject,
    Concern,
    ConcernChild,
    Concern.categories.through,
    Notification,
    ReviewDecision,
    Closure,
)
LARGE_LOAD = 200_000


class Command(BaseCommand):
    help = "Generate a large fictional organisation (sites, people, children, concerns, a sealed ledger)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--sites", type=int, default=50)
        parser.add_argument("--children", type=int, default=50_000)
        parser.add_argument("--concerns", type=int, default=1_000_000)
        parser.add_argument("--ledger", type=int, default=10_000_000, help="ledger entries, exactly")
        parser.add_argument(
            "--days", type=int, default=SPAN_DAYS, help="the concerns are spread over this many days up to now"
        )
        parser.add_argument("--seed", type=int, default=20241202, help="the same seed makes the same organisation")
        parser.add_argument(
            "--force", action="store_true", help="run on this database even if it is not PostgreSQL or holds data"
        )

    def handle(self, *args, sites: int, children: int, concerns: int, ledger: int, days: int, seed: int, **options):
        self._refuse_unless_scratch(options["force"])
        if sites < 1 or children < sites or concerns < 0 or ledger < 0 or days < 1:
            raise CommandError("Give at least one site, at least one child per site, a day, and no negative sizes.")
        self.started = time.perf_counter()
        large = ledger + concerns >= LARGE_LOAD
        with transaction.atomic():
            triggers_off = self._triggers_off()
            org = OrganisationBuilder(
                sites=sites, children=children, concerns=concerns, seed=seed, days=days, log=self._log
            )
            with _indexes_aside(large, LARGE_TABLES[2:]):
                generated = org.build()
            self._ledger(generated, ledger, seed, large, triggers_off)
            sequences_reset([*(table.model for table in org.tables), AuditEntry])
            if triggers_off:
                _set_replication_role("origin")
        self._analyse()
        self._log(f"done: {sites} sites, {children} children, {concerns} concerns, {ledger} ledger entries")

    def _refuse_unless_scratch(self, force: bool) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("seed_scale writes a permanent, fictional ledger: never in production.")
        if force:
            return
        if connection.vendor != "postgresql":
            raise CommandError(f"seed_scale is for PostgreSQL (this is {connection.vendor}); --force to run anyway.")
        if User.objects.exists() or Child.objects.exists() or Concern.objects.exists():
            raise CommandError(
                f"The database {connection.settings_dict['NAME']} already holds people, children or concerns: "
                "seed_scale builds a fictional organisation in an empty scratch database (--force to add to it)."
            )

    def _triggers_off(self) -> bool:
        """PostgreSQL: load without row triggers and foreign-key checks (the rows are consistent by
        construction, and the index of named objects is built once afterwards). Superuser only;
        without it the load is slower but the same."""
        if connection.vendor != "postgresql":
            return False
        try:
            with transaction.atomic():
                _set_replication_role("replica")
        except DatabaseError:
            self._log("not a superuser: loading with the ledger's triggers on (slower)")
            return False
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL synchronous_commit = off")
        return True

    def _ledger(self, generated, total: int, seed: int, large: bool, triggers_off: bool) -> None:
        generator = LedgerGenerator.after_sealing(generated, total=total, seed=seed)
        with _indexes_aside(large, LARGE_TABLES[:2]):
            written = generator.write()
            self._log(f"ledger: {written} entries, sealed as chain_seq {generator.seq - written + 1}..{generator.seq}")
            if triggers_off:
                named_objects.backfill(connection, from_id=generator.first_id)
                self._log("ledger: index of the objects entries name built")

    def _analyse(self) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            # Outside a transaction (the command run by hand) VACUUM also sets the visibility map,
            # which index-only scans need; inside one (a test) ANALYZE alone is allowed.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self._log("statistics gathered")

    def _log(self, message: str) -> None:
        self.stdout.write(f"[{time.perf_counter() - self.started:7.1f} s] {message}")


def _set_replication_role(role: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL session_replication_role = {role}")


class _indexes_aside:  # noqa: N801 (used as a with-statement, like contextlib's helpers)
    """Set aside the secondary indexes of these tables for a large load on PostgreSQL; else nothing."""

    def __init__(self, large: bool, models):
        self.sets = [IndexesSetAside(model._meta.db_table) for model in models]
        self.active = large and connection.vendor == "postgresql"

    def __enter__(self):
        if self.active:
            for aside in self.sets:
                aside.__enter__()
        return self

    def __exit__(self, *exc_info):
        if self.active and exc_info[0] is None:
            for aside in self.sets:
                aside.__exit__(*exc_info)
