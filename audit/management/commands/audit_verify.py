"""Walk the ledger's hash chain and report the first broken link: an edited, removed or inserted entry."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.chain import Anchor, chain_verify


class Command(BaseCommand):
    help = (
        "Verify the sealed hash chain of the audit ledger (seals nothing). Exits non-zero at the first "
        "broken link, naming the entry. --anchor (JSON from audit_anchor, or a file holding it) also "
        "detects a rewrite or truncation since the anchor was taken."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--anchor", help="the JSON printed by audit_anchor, or the path of a file holding it")
        parser.add_argument("--chunk-size", type=int, default=10_000, help="rows fetched per round trip")

    def handle(self, *args, anchor: str | None, chunk_size: int, **options) -> None:
        started = time.perf_counter()
        result = chain_verify(anchor=_read_anchor(anchor) if anchor else None, chunk_size=chunk_size)
        elapsed = time.perf_counter() - started
        rate = result.checked / elapsed if elapsed > 0 else 0.0
        if not result.ok:
            where = f"entry id {result.broken_id} (chain_seq {result.broken_seq}): " if result.broken_id else ""
            if result.broken_id and result.broken_seq is None:
                where = f"entry id {result.broken_id}: "
            raise CommandError(f"BROKEN after {result.checked} good entries: {where}{result.problem}", returncode=2)
        self.stdout.write(
            f"OK: {result.checked} sealed entries verified in {elapsed:.2f} s ({rate:,.0f} entries/s)"
            f"{'; the anchor matches' if anchor else ''}; {result.extra['unsealed']} not yet sealed."
        )


def _read_anchor(value: str) -> Anchor:
    text = value.strip()
    if not text.startswith("{"):
        path = Path(text)
        if not path.is_file():
            raise CommandError(f"--anchor is neither JSON from audit_anchor nor a readable file: {value!r}")
        text = path.read_text()
    try:
        return Anchor.from_json(text)
    except (ValueError, KeyError, TypeError) as error:
        raise CommandError(f"--anchor is not an anchor from audit_anchor: {error}") from error
