"""The ids each ledger entry names, as indexed rows the database writes with the entry.

"Which entries name child 68" was a JSON scan of the whole ledger (DESIGN.md section 6). From here
on an AFTER INSERT trigger on the ledger copies an entry's additional_data["object_ids"] into
audit_auditentryobject in the same statement, whatever wrote the entry (audit_record, auditlog,
a bulk load), and those rows, like the ledger's, are never updated or deleted. Existing entries
are filled in here.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

LINKS = "audit_auditentryobject"

POSTGRES_INSTALL = [
    # The ids are copied as the entry holds them: integers only (as SQLite's json_each types them),
    # each once.
    r"""
CREATE FUNCTION audit_ledger_name_objects() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_auditentryobject (entry_id, entry_type_id, object_id)
    SELECT DISTINCT NEW.id, NEW.content_type_id, (named.value #>> '{}')::bigint
    FROM jsonb_array_elements(NEW.additional_data->'object_ids') AS named(value)
    WHERE jsonb_typeof(named.value) = 'number' AND (named.value #>> '{}') ~ '^-?[0-9]{1,18}$';
    RETURN NULL;
END
$$""",
    """CREATE TRIGGER audit_ledger_name_objects AFTER INSERT ON audit_auditentry
    FOR EACH ROW WHEN (jsonb_typeof(NEW.additional_data->'object_ids') = 'array')
    EXECUTE FUNCTION audit_ledger_name_objects()""",
    r"""
CREATE FUNCTION audit_ledger_objects_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit ledger is append-only: % of the objects its entries name refused', TG_OP;
END
$$""",
    """CREATE TRIGGER audit_ledger_objects_update BEFORE UPDATE OR DELETE ON audit_auditentryobject
    FOR EACH ROW EXECUTE FUNCTION audit_ledger_objects_guard()""",
    """CREATE TRIGGER audit_ledger_objects_truncate BEFORE TRUNCATE ON audit_auditentryobject
    FOR EACH STATEMENT EXECUTE FUNCTION audit_ledger_objects_guard()""",
]
POSTGRES_BACKFILL = r"""
INSERT INTO audit_auditentryobject (entry_id, entry_type_id, object_id)
SELECT DISTINCT entry.id, entry.content_type_id, (named.value #>> '{}')::bigint
FROM audit_auditentry AS entry, jsonb_array_elements(entry.additional_data->'object_ids') AS named(value)
WHERE entry.id >= %s AND jsonb_typeof(entry.additional_data->'object_ids') = 'array'
    AND jsonb_typeof(named.value) = 'number' AND (named.value #>> '{}') ~ '^-?[0-9]{1,18}$'
ON CONFLICT DO NOTHING
"""
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_ledger_name_objects ON audit_auditentry",
    "DROP TRIGGER IF EXISTS audit_ledger_objects_update ON audit_auditentryobject",
    "DROP TRIGGER IF EXISTS audit_ledger_objects_truncate ON audit_auditentryobject",
    "DROP FUNCTION IF EXISTS audit_ledger_name_objects()",
    "DROP FUNCTION IF EXISTS audit_ledger_objects_guard()",
]

SQLITE_INSTALL = [
    """CREATE TRIGGER audit_ledger_name_objects AFTER INSERT ON audit_auditentry
    WHEN json_type(NEW.additional_data, '$.object_ids') = 'array'
    BEGIN
        INSERT OR IGNORE INTO audit_auditentryobject (entry_id, entry_type_id, object_id)
        SELECT NEW.id, NEW.content_type_id, named.value FROM json_each(NEW.additional_data, '$.object_ids') AS named
        WHERE named.type = 'integer';
    END""",
    """CREATE TRIGGER audit_ledger_objects_delete BEFORE DELETE ON audit_auditentryobject
    BEGIN SELECT RAISE(ABORT, 'audit ledger is append-only: DELETE of the objects its entries name refused'); END""",
    """CREATE TRIGGER audit_ledger_objects_update BEFORE UPDATE ON audit_auditentryobject
    BEGIN SELECT RAISE(ABORT, 'audit ledger is append-only: UPDATE of the objects its entries name refused'); END""",
]
SQLITE_BACKFILL = """
INSERT OR IGNORE INTO audit_auditentryobject (entry_id, entry_type_id, object_id)
SELECT entry.id, entry.content_type_id, named.value
FROM audit_auditentry AS entry, json_each(entry.additional_data, '$.object_ids') AS named
WHERE entry.id >= %s AND json_type(entry.additional_data, '$.object_ids') = 'array' AND named.type = 'integer'
"""
SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in ("audit_ledger_name_objects", "audit_ledger_objects_delete", "audit_ledger_objects_update")
]


def backfill(connection, *, from_id: int = 0) -> None:
    """Index the ids of every entry already written, from `from_id` on (idempotent: an id already
    indexed is skipped). Also used by seed_scale, which loads its ledger with the triggers off."""
    with connection.cursor() as cursor:
        cursor.execute(POSTGRES_BACKFILL if connection.vendor == "postgresql" else SQLITE_BACKFILL, [from_id])


def install(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"The ledger's triggers are written for PostgreSQL and SQLite, not {vendor}")
    backfill(schema_editor.connection)
    for statement in POSTGRES_INSTALL if vendor == "postgresql" else SQLITE_INSTALL:
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES_REMOVE if vendor == "postgresql" else SQLITE_REMOVE if vendor == "sqlite" else []:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_ledger_append_only"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEntryObject",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "entry_id", "object_id", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="named_objects",
                        to=settings.AUDITLOG_LOGENTRY_MODEL,
                    ),
                ),
                (
                    "entry_type",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                ("object_id", models.BigIntegerField()),
            ],
            options={"verbose_name": "object named by an audit entry"},
        ),
        migrations.RunPython(install, remove),
        migrations.AddIndex(
            model_name="auditentryobject",
            index=models.Index(fields=["entry_type", "object_id", "entry"], name="audit_named_object"),
        ),
    ]
