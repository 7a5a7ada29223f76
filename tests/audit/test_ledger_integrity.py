"""The ledger is append-only and tamper-evident: the database refuses changes, the chain shows them.

The helpers at the top (writing entries, running the commands, playing the tamperer) are shared
with test_ledger_concurrency.py.
"""

import contextlib
import datetime
import io
import json
import zoneinfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from accounts.models import User
from audit.chain import CONTENT_COLUMNS, canonical_form, content_type_labels, entry_hash
from audit.models import AuditEntry
from audit.sealing import audit_seal
from audit.services import audit_record
from tests.factories import UserFactory

LEDGER = "audit_auditentry"


def write_entries(actor, count: int, *, event: str = "child.viewed") -> list[AuditEntry]:
    """`count` ledger entries as requests write them: each in its own transaction, unsealed."""
    entries = []
    for number in range(count):
        with transaction.atomic():
            entries.append(
                audit_record(
                    actor=actor,
                    event=event,
                    model=User,
                    object_ids=[number, number + 1],
                    counts={"shown": number},
                    site_id=7,
                    actor_role="dsl",
                    remote_addr="192.0.2.10",
                )
            )
    return entries


def run_verify(*args: str) -> tuple[int, str]:
    """Run audit_verify as an operator would: (exit code, what it printed)."""
    out = io.StringIO()
    try:
        call_command("audit_verify", *args, stdout=out)
    except CommandError as error:
        return error.returncode, str(error)
    return 0, out.getvalue()


def anchor_now() -> str:
    out = io.StringIO()
    call_command("audit_anchor", stdout=out)
    return out.getvalue().strip()


def raw(sql: str, params: list | None = None) -> None:
    """One raw statement, in a savepoint so a refusal leaves the test's transaction usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@contextlib.contextmanager
def triggers_off():
    """What only someone with the keys to the database server can do: switch the triggers off.

    PostgreSQL: session_replication_role = replica (superuser only). SQLite: drop the triggers
    and put the same ones back afterwards.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            try:
                yield
            finally:
                cursor.execute("SET session_replication_role = origin")
            return
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [LEDGER])
        triggers = cursor.fetchall()
        assert triggers, "the ledger has no triggers to switch off"
        for name, _ in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            yield
        finally:
            for _, sql in triggers:
                cursor.execute(sql)


def sealed(entries: list[AuditEntry]) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(pk__in=[e.pk for e in entries]).order_by("chain_seq"))


@pytest.fixture
def chain(cast) -> list[AuditEntry]:
    """Ten entries by the DSL, sealed, in chain order, after the entries that setting up the cast wrote."""
    audit_seal()
    entries = write_entries(cast.dsl, 10)
    audit_seal()
    return sealed(entries)


def whole_chain() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(chain_seq__isnull=False).order_by("chain_seq"))


def where(entry: AuditEntry) -> str:
    """How audit_verify names an entry."""
    return f"entry id {entry.pk} (chain_seq {entry.chain_seq})"


# The database refuses changes ---------------------------------------------------------------


def test_raw_update_of_a_sealed_entry_is_refused(chain):
    with pytest.raises(DatabaseError, match="append-only: UPDATE"):
        raw(f"UPDATE {LEDGER} SET event = 'nothing.happened' WHERE id = %s", [chain[3].pk])
    assert AuditEntry.objects.get(pk=chain[3].pk).event == "child.viewed"


def test_raw_update_of_an_unsealed_entry_is_refused(cast):
    [entry] = write_entries(cast.dsl, 1)
    with pytest.raises(DatabaseError, match="append-only: UPDATE"):
        raw(f"UPDATE {LEDGER} SET actor_id = NULL WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only: UPDATE"):
        # Sealing and changing the content in one statement is still changing the content.
        raw(
            f"UPDATE {LEDGER} SET chain_seq = 1, prev_hash = %s, entry_hash = %s, event = 'other' WHERE id = %s",
            ["0" * 64, "a" * 64, entry.pk],
        )
    with pytest.raises(DatabaseError, match="append-only: UPDATE"):
        raw(f"UPDATE {LEDGER} SET chain_seq = 1 WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).actor == cast.dsl


def test_setting_a_hash_twice_is_refused(chain):
    with pytest.raises(DatabaseError, match="append-only: UPDATE"):
        raw(f"UPDATE {LEDGER} SET entry_hash = %s WHERE id = %s", ["b" * 64, chain[0].pk])
    with pytest.raises(DatabaseError, match="append-only: UPDATE"):
        raw(f"UPDATE {LEDGER} SET chain_seq = NULL, prev_hash = '', entry_hash = '' WHERE id = %s", [chain[0].pk])
    assert AuditEntry.objects.get(pk=chain[0].pk).entry_hash == chain[0].entry_hash


def test_raw_delete_is_refused(chain):
    with pytest.raises(DatabaseError, match="append-only: DELETE"):
        raw(f"DELETE FROM {LEDGER} WHERE id = %s", [chain[5].pk])
    with pytest.raises(DatabaseError, match="append-only: DELETE"), transaction.atomic():
        AuditEntry.objects.filter(pk=chain[5].pk).delete()
    assert AuditEntry.objects.count() >= 10


def test_emptying_the_ledger_is_refused(chain):
    # PostgreSQL's TRUNCATE has its own statement trigger; SQLite has no TRUNCATE, and its
    # unqualified DELETE (which it would otherwise turn into one) fires the row trigger.
    if connection.vendor == "postgresql":
        # The test's own transaction has deferred foreign-key checks pending on the ledger, which
        # PostgreSQL would refuse a TRUNCATE for before any trigger runs; run them now.
        raw("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(DatabaseError, match="append-only: TRUNCATE"):
            raw(f"TRUNCATE {LEDGER}")
        with pytest.raises(DatabaseError, match="append-only: TRUNCATE"):
            raw(f"TRUNCATE {LEDGER} CASCADE")
    with pytest.raises(DatabaseError, match="append-only: DELETE"):
        raw(f"DELETE FROM {LEDGER}")
    assert run_verify()[0] == 0
    assert len(whole_chain()) == chain[-1].chain_seq


def test_the_orm_cannot_change_an_entry_either(chain):
    with pytest.raises(DatabaseError, match="append-only: UPDATE"), transaction.atomic():
        AuditEntry.objects.filter(pk=chain[2].pk).update(actor_role="admin")
    entry = AuditEntry.objects.get(pk=chain[2].pk)
    entry.actor_role = "admin"
    with pytest.raises(DatabaseError, match="append-only: UPDATE"), transaction.atomic():
        entry.save()


def test_deleting_a_user_in_the_ledger_is_refused_and_their_entries_still_name_them(db):
    # auditlog's actor is SET_NULL on delete: that would rewrite who did what, so the ledger
    # refuses it. People are deactivated, never deleted.
    visitor = UserFactory(email="visitor@test.example", full_name="Vi Visitor")
    [entry] = write_entries(visitor, 1)
    audit_seal()
    with pytest.raises(DatabaseError, match="append-only: UPDATE"), transaction.atomic():
        visitor.delete()
    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_email, entry.actor_name) == (visitor.pk, "visitor@test.example", "Vi Visitor")
    assert run_verify()[0] == 0


# The chain ---------------------------------------------------------------------------------------


def test_sealing_links_every_entry_once_in_order_and_it_verifies(chain):
    everything = whole_chain()
    assert [e.chain_seq for e in everything] == list(range(1, len(everything) + 1))
    assert everything[-10:] == chain
    assert everything[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.entry_hash for a, b in zip(everything, everything[1:], strict=False))
    assert audit_seal() == 0, "nothing is sealed twice"
    code, output = run_verify()
    assert code == 0
    assert output.startswith(f"OK: {len(everything)} sealed entries verified")


def test_verify_seals_nothing_and_says_what_is_waiting(chain, cast):
    write_entries(cast.staff, 3)
    code, output = run_verify()
    assert code == 0
    assert f"OK: {chain[-1].chain_seq} sealed entries verified" in output
    assert "3 not yet sealed" in output
    assert AuditEntry.objects.filter(entry_hash="").count() == 3


def test_field_changes_recorded_by_auditlog_are_sealed_and_verified_too(cast):
    # Creating the cast writes auditlog entries (changes as JSON) beside Vigil's own events.
    write_entries(cast.dsl, 2)
    total = AuditEntry.objects.count()
    assert audit_seal(batch=3) == total, "small batches still seal everything"
    assert run_verify()[0] == 0


def test_an_entry_that_commits_late_with_a_lower_id_is_sealed_later_in_the_chain(chain, cast):
    # Two requests: the first takes its id, the second takes a higher one and commits first; the
    # sealer runs in between. Explicit ids stand in for that timing.
    def entry_with_id(pk: int) -> AuditEntry:
        return AuditEntry.objects.create(
            id=pk, content_type=chain[0].content_type, event="child.viewed", actor=cast.staff, action=3
        )

    early = entry_with_id(chain[-1].pk + 100)
    assert audit_seal() == 1
    late = entry_with_id(chain[-1].pk + 50)
    assert audit_seal() == 1
    early.refresh_from_db()
    late.refresh_from_db()
    assert (late.pk < early.pk, late.chain_seq) == (True, early.chain_seq + 1)
    assert run_verify()[0] == 0


def test_a_changed_row_is_reported_with_its_id(chain):
    with triggers_off():
        raw(f"UPDATE {LEDGER} SET actor_role = 'auditor' WHERE id = %s", [chain[4].pk])
    code, output = run_verify()
    assert code != 0
    assert where(chain[4]) in output
    assert "changed after it was sealed" in output
    assert f"after {chain[4].chain_seq - 1} good entries" in output


def test_a_changed_json_field_or_timestamp_is_reported(chain):
    with triggers_off():
        raw(
            f"UPDATE {LEDGER} SET additional_data = %s WHERE id = %s",
            ['{"counts": {"shown": 99}, "object_ids": [1, 2]}', chain[7].pk],
        )
    assert where(chain[7]) in run_verify()[1]


def test_a_deleted_row_is_reported(chain):
    with triggers_off():
        raw(f"DELETE FROM {LEDGER} WHERE id = %s", [chain[3].pk])
    code, output = run_verify()
    assert code != 0
    assert where(chain[4]) in output
    assert f"chain_seq jumps from {chain[2].chain_seq} to {chain[4].chain_seq}" in output
    assert "missing (removed)" in output


def test_a_deleted_row_with_the_chain_renumbered_is_reported(chain):
    with triggers_off():
        raw(f"DELETE FROM {LEDGER} WHERE id = %s", [chain[3].pk])
        for entry in chain[4:]:
            raw(f"UPDATE {LEDGER} SET chain_seq = chain_seq - 1 WHERE id = %s", [entry.pk])
    code, output = run_verify()
    assert code != 0
    assert f"entry id {chain[4].pk}" in output
    assert f"does not match the hash of entry id {chain[2].pk}" in output


def test_an_inserted_forged_row_is_reported(chain, cast):
    # A forger makes room after chain[4] and inserts a well-formed entry there, hashed on it.
    with triggers_off():
        for entry in reversed(chain[5:]):
            raw(f"UPDATE {LEDGER} SET chain_seq = chain_seq + 1 WHERE id = %s", [entry.pk])
    [forged] = write_entries(cast.auditor, 1, event="child.viewed")
    labels = content_type_labels()
    row = AuditEntry.objects.filter(pk=forged.pk).values_list(*CONTENT_COLUMNS).get()
    forged_hash = entry_hash(chain[4].entry_hash, canonical_form(row, labels))
    raw(
        f"UPDATE {LEDGER} SET chain_seq = %s, prev_hash = %s, entry_hash = %s WHERE id = %s",
        [chain[5].chain_seq, chain[4].entry_hash, forged_hash, forged.pk],
    )
    code, output = run_verify()
    assert code != 0
    assert f"entry id {chain[5].pk} (chain_seq {chain[5].chain_seq + 1})" in output
    assert f"does not match the hash of entry id {forged.pk}" in output
    assert "inserted" in output


def test_an_anchor_detects_truncation_of_the_tail(chain):
    anchor = anchor_now()
    assert json.loads(anchor) == {
        "count": chain[-1].chain_seq,
        "chain_seq": chain[-1].chain_seq,
        "id": chain[-1].pk,
        "hash": chain[-1].entry_hash,
    }
    with triggers_off():
        raw(f"DELETE FROM {LEDGER} WHERE id IN (%s, %s)", [chain[8].pk, chain[9].pk])
    assert run_verify()[0] == 0, "without an anchor a clean cut at the end cannot be seen"
    code, output = run_verify("--anchor", anchor)
    assert code != 0
    assert "truncated" in output


def test_an_anchor_detects_a_rewritten_chain(chain):
    anchor = anchor_now()
    # The forger changes entry 3 and re-hashes everything after it: the chain itself is
    # consistent again, only the anchor kept outside shows the rewrite.
    with triggers_off():
        raw(f"UPDATE {LEDGER} SET actor_role = 'staff' WHERE id = %s", [chain[2].pk])
        labels = content_type_labels()
        previous = chain[1].entry_hash
        for entry in chain[2:]:
            row = AuditEntry.objects.filter(pk=entry.pk).values_list(*CONTENT_COLUMNS).get()
            new_hash = entry_hash(previous, canonical_form(row, labels))
            raw(f"UPDATE {LEDGER} SET prev_hash = %s, entry_hash = %s WHERE id = %s", [previous, new_hash, entry.pk])
            previous = new_hash
    assert run_verify()[0] == 0
    code, output = run_verify("--anchor", anchor)
    assert code != 0
    assert where(chain[-1]) in output
    assert "rewritten since the anchor" in output


def test_an_anchor_still_matches_after_more_entries_and_can_be_read_from_a_file(chain, cast, tmp_path):
    anchor_file = tmp_path / "anchor.json"
    anchor_file.write_text(anchor_now())
    write_entries(cast.staff, 4)
    audit_seal()
    code, output = run_verify("--anchor", str(anchor_file))
    assert code == 0
    assert f"OK: {chain[-1].chain_seq + 4} sealed entries verified" in output
    assert "the anchor matches" in output
    assert run_verify("--anchor", str(tmp_path / "missing.json"))[0] != 0


def test_the_beat_schedule_runs_the_sealer(cast):
    from audit.tasks import audit_seal as sealing_task

    [schedule] = [s for s in settings.CELERY_BEAT_SCHEDULE.values() if s["task"] == sealing_task.name]
    assert schedule["schedule"] <= 10
    write_entries(cast.dsl, 2)
    unsealed = AuditEntry.objects.filter(entry_hash="").count()
    assert sealing_task.apply().get() == unsealed
    assert not AuditEntry.objects.filter(entry_hash="").exists()


def test_the_seal_command_reports_what_it_sealed(cast):
    write_entries(cast.dsl, 3)
    unsealed = AuditEntry.objects.filter(entry_hash="").count()
    out = io.StringIO()
    call_command("audit_seal", "--batch", "2", stdout=out)
    assert out.getvalue().strip() == f"Sealed {unsealed} ledger entries."


def test_the_canonical_form_is_the_same_content_however_the_database_returns_it():
    def row(**changes) -> tuple:
        content = dict.fromkeys(CONTENT_COLUMNS)
        content.update(
            id=41,
            timestamp=datetime.datetime(2026, 11, 28, 19, 0, 0, 250, tzinfo=datetime.UTC),
            content_type_id=5,
            event="child.viewed",
            additional_data={"object_ids": [3, 4], "counts": {"shown": 2}},
        )
        content.update(changes)
        return tuple(content[column] for column in CONTENT_COLUMNS)

    labels = {5: "concerns.child", 6: "concerns.concern"}
    original = canonical_form(row(), labels)
    london = datetime.datetime(2026, 11, 28, 19, 0, 0, 250, tzinfo=datetime.UTC).astimezone(
        zoneinfo.ZoneInfo("Europe/London")
    )
    assert canonical_form(row(timestamp=london), labels) == original
    assert canonical_form(row(additional_data={"counts": {"shown": 2}, "object_ids": [3, 4]}), labels) == original
    assert '"concerns.child"' in original and "2026-11-28T19:00:00.000250+00:00" in original
    for changed in (row(content_type_id=6), row(additional_data={"object_ids": [3]}), row(event="child.exported")):
        assert canonical_form(changed, labels) != original
    assert entry_hash("0" * 64, original) != entry_hash("1" * 64, original), "each hash depends on the one before"


def test_an_inserted_row_with_a_forged_seal_but_no_place_in_the_chain_is_reported(chain, cast):
    [forged] = write_entries(cast.auditor, 1)
    with triggers_off():
        raw(f"UPDATE {LEDGER} SET prev_hash = %s, entry_hash = %s WHERE id = %s", ["0" * 64, "c" * 64, forged.pk])
    code, output = run_verify()
    assert code != 0
    assert f"entry id {forged.pk}: it carries a hash but no place in the chain" in output
