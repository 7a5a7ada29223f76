"""The ids an entry names are indexed rows, written with the entry, as append-only as the ledger."""

import contextlib
import importlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction

from accounts.models import User
from audit.models import AuditEntry, AuditEntryObject
from audit.sealing import audit_seal
from audit.services import audit_record
from concerns.models import Child
from tests.audit.test_ledger_integrity import raw, run_verify

LINKS = "audit_auditentryobject"
named_objects_migration = importlib.import_module("audit.migrations.0004_ledger_named_objects")


def _named(entry: AuditEntry) -> list[tuple[int, int]]:
    return sorted(entry.named_objects.values_list("entry_type_id", "object_id"))


@contextlib.contextmanager
def _triggers_off(table: str):
    """What only someone with the keys to the database server can do (see test_ledger_integrity)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            try:
                yield
            finally:
                cursor.execute("SET session_replication_role = origin")
            return
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        triggers = cursor.fetchall()
        for name, _ in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            yield
        finally:
            for _, sql in triggers:
                cursor.execute(sql)


def test_an_entry_naming_children_indexes_each_one_in_the_same_insert(cast, django_assert_num_queries):
    child_type = ContentType.objects.get_for_model(Child)
    with django_assert_num_queries(1):
        entry = AuditEntry.objects.create(
            content_type=child_type,
            event="child.searched",
            action=AuditEntry.Action.ACCESS,
            additional_data={"object_ids": [cast.child_a2.pk, cast.child_a.pk, cast.child_a.pk]},
        )
    assert _named(entry) == sorted([(child_type.pk, cast.child_a.pk), (child_type.pk, cast.child_a2.pk)])


def test_audit_record_and_auditlog_entries_name_only_what_they_list(cast):
    searched = audit_record(actor=cast.staff, event="child.searched", model=Child, object_ids=[cast.child_a.pk])
    assert [object_id for _, object_id in _named(searched)] == [cast.child_a.pk]
    # A field change (auditlog) lists no ids: its object is the entry's own object_id.
    created = AuditEntry.objects.filter(content_type=searched.content_type, object_id=cast.child_a.pk).get()
    assert _named(created) == []
    assert _named(audit_record(actor=cast.staff, event="child.viewed", target=cast.child_a)) == []
    odd = audit_record(actor=cast.staff, event="child.searched", model=Child, object_ids=[])
    assert _named(odd) == []


def test_the_index_refuses_updates_and_deletes(cast):
    entry = audit_record(actor=cast.dsl, event="child.searched", model=Child, object_ids=[cast.child_a.pk])
    with pytest.raises(DatabaseError, match="append-only: UPDATE"):
        raw(f"UPDATE {LINKS} SET object_id = %s WHERE entry_id = %s", [cast.child_b.pk, entry.pk])
    with pytest.raises(DatabaseError, match="append-only: DELETE"):
        raw(f"DELETE FROM {LINKS} WHERE entry_id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only: DELETE"), transaction.atomic():
        AuditEntryObject.objects.filter(entry=entry).delete()
    if connection.vendor == "postgresql":
        raw("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(DatabaseError, match="append-only: TRUNCATE"):
            raw(f"TRUNCATE {LINKS}")
    assert [object_id for _, object_id in _named(entry)] == [cast.child_a.pk]


def test_verification_covers_the_index_too(cast):
    entry = audit_record(actor=cast.dsl, event="child.searched", model=Child, object_ids=[cast.child_a.pk])
    audit_seal()
    assert run_verify()[0] == 0
    with _triggers_off(LINKS):
        raw(f"DELETE FROM {LINKS} WHERE entry_id = %s", [entry.pk])
    code, output = run_verify()
    assert code != 0
    assert "rows were removed from audit_auditentryobject" in output
    with _triggers_off(LINKS):
        raw(f"INSERT INTO {LINKS} (entry_id, entry_type_id, object_id) VALUES (%s, %s, %s)", [entry.pk, 1, 1])
        raw(f"INSERT INTO {LINKS} (entry_id, entry_type_id, object_id) VALUES (%s, %s, %s)", [entry.pk, 1, 2])
    code, output = run_verify()
    assert code != 0
    assert "rows were added to audit_auditentryobject" in output


def test_the_migration_indexes_entries_written_before_it(cast):
    with _triggers_off(AuditEntry._meta.db_table):
        before = audit_record(actor=cast.dsl, event="child.searched", model=User, object_ids=[5, 3])
    assert _named(before) == []
    named_objects_migration.backfill(connection)
    named_objects_migration.backfill(connection)  # a second run changes nothing
    assert [object_id for _, object_id in _named(before)] == [3, 5]
