"""Seal every ledger entry written so far into the hash chain (beat does this every few seconds)."""

from django.core.management.base import BaseCommand

from audit.sealing import audit_seal


class Command(BaseCommand):
    help = "Link every unsealed ledger entry into the hash chain, in short batches."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", type=int, default=5000, help="entries per transaction (default 5000)")

    def handle(self, *args, batch: int, **options) -> None:
        sealed = audit_seal(batch=batch)
        self.stdout.write(f"Sealed {sealed} ledger entr{'y' if sealed == 1 else 'ies'}.")
