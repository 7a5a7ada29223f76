"""One person's ledger entries, newest first (the ledger filtered by who acted).

Built CONCURRENTLY on PostgreSQL: a plain CREATE INDEX would hold back every audited request's
INSERT for as long as the build of a ledger of millions of entries takes.
"""

from django.db import migrations, models

INDEX = models.Index(fields=["actor", "id"], name="audit_entry_actor_newest")


def create(apps, schema_editor) -> None:
    model = apps.get_model("audit", "AuditEntry")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{INDEX.name}" ON "{model._meta.db_table}" ("actor_id", "id")'
        )
    else:
        schema_editor.add_index(model, INDEX)


def drop(apps, schema_editor) -> None:
    schema_editor.remove_index(apps.get_model("audit", "AuditEntry"), INDEX)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("audit", "0004_ledger_named_objects")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="auditentry", index=INDEX)],
            database_operations=[migrations.RunPython(create, drop)],
        )
    ]
