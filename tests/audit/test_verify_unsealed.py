"""audit_verify says so, and exits non-zero, when entries have waited for the sealer too long.

A ledger nothing ever sealed used to verify as "OK: 0 sealed entries verified": true of the chain,
and no assurance about any entry. An entry outside the chain could be changed without a trace, so
entries waiting longer than five minutes (the sealer runs every few seconds) are reported.
"""

import datetime

import time_machine
from django.utils import timezone

from audit.models import AuditEntry
from audit.sealing import audit_seal
from tests.audit.test_ledger_integrity import raw, run_verify, triggers_off, write_entries

LATER = datetime.timedelta(minutes=6)


def test_a_ledger_nothing_has_sealed_for_five_minutes_fails_verification(cast):
    waiting = AuditEntry.objects.filter(entry_hash="").count()
    assert waiting, "setting up the cast wrote entries"
    with time_machine.travel(timezone.now() + LATER, tick=False):
        code, output = run_verify()
    assert code == 3
    assert output.startswith(f"NOT SEALED: {waiting} entries have waited longer than 5 minutes to be sealed")
    assert "Is the sealer running" in output and "The 0 sealed entries verified" in output


def test_entries_waiting_a_few_seconds_are_not_a_failure(cast):
    audit_seal()
    write_entries(cast.dsl, 2)
    code, output = run_verify()
    assert code == 0 and "2 not yet sealed" in output


def test_once_the_sealer_has_caught_up_verification_passes_again(cast):
    write_entries(cast.dsl, 2)
    with time_machine.travel(timezone.now() + LATER, tick=False):
        assert run_verify()[0] == 3
        audit_seal()
        code, output = run_verify()
    assert code == 0 and "0 not yet sealed" in output


def test_a_broken_chain_is_reported_first(cast):
    audit_seal()
    [entry] = write_entries(cast.dsl, 1)
    audit_seal()
    write_entries(cast.dsl, 1)
    with triggers_off():
        raw("UPDATE audit_auditentry SET event = 'nothing.happened' WHERE id = %s", [entry.pk])
    with time_machine.travel(timezone.now() + LATER, tick=False):
        code, output = run_verify()
    assert code == 2 and output.startswith("BROKEN")
