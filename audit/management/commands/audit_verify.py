"""Walk the ledger's hash chain and report the first broken link: an edited, removed or inserted entry."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.chain import Anchor, chain_verify
from audit.sealing import SEALING_OVERDUE_AFTER, unsealed_overdue

# Exit codes: 2, the chain is broken; 3, entries have waited for the sealer too long (it has stopped).
BROKEN, NOT_SEALED = 2, 3


class Command(BaseCommand):
    help = (
        "Verify the sealed hash chain of the audit ledger (seals nothing). Exits non-zero at the first "
        "broken link, naming the entry (exit 2), and when entries have waited for sealing longer than "
        "five minutes, so that a change to them would not show (exit 3). --anchor (JSON from audit_anchor, "
        "or a file holding it) also detects a rewrite or truncation since the anchor was taken."
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
            message = f"BROKEN after {result.checked} good entries: {where}{result.problem}"
            raise CommandError(message, returncode=BROKEN)
        _refuse_if_sealing_stalled(result.checked)
        self.stdout.write(
            f"OK: {result.checked} sealed entries verified in {elapsed:.2f} s ({rate:,.0f} entries/s)"
            f"{'; the anchor matches' if anchor else ''}; {result.extra['unsealed']} not yet sealed."
        )


def _refuse_if_sealing_stalled(checked: int) -> None:
    # A ledger the sealer never reaches verifies as "OK: 0 sealed entries": true of the chain, and
    # no assurance at all about the entries outside it.
    waiting, oldest = unsealed_overdue()
    if not waiting:
        return
    since = f" (the oldest since {oldest:%Y-%m-%d %H:%M:%S %Z})" if oldest else ""
    minutes = int(SEALING_OVERDUE_AFTER.total_seconds() // 60)
    raise CommandError(
        f"NOT SEALED: {waiting} entries have waited longer than {minutes} minutes to be sealed{since}, so a "
        f"change to them would not show. Is the sealer running (beat's audit-seal task, or manage.py "
        f"audit_seal)? The {checked} sealed entries verified.",
        returncode=NOT_SEALED,
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
