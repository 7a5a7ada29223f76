"""Submitted text is never overwritten (DESIGN.md invariant 4): the database refuses, whoever asks.

Status and other triage fields may change; what the author wrote and when may not. Addenda are
never updated at all.
"""

from django.db import migrations

FROZEN = [
    "submission_key", "site_id", "author_id", "occurred_at", "recorded_at", "is_disclosure", "child_words",
    "observations", "location", "immediate_danger", "called_999", "delay_reason",
]
ADDENDUM_FROZEN = ["concern_id", "author_id", "created_at", "text"]
MESSAGE = "submitted text is never changed: add an addendum instead"


def _pg_changed(columns):
    return " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns)


def _sqlite_changed(columns):
    return " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, columns, name in (
        ("concerns_concern", FROZEN, "concern_text_immutable"),
        ("concerns_addendum", ADDENDUM_FROZEN, "addendum_immutable"),
    ):
        if vendor == "postgresql":
            schema_editor.execute(f"""
                CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF {_pg_changed(columns)} THEN
                        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
                    END IF;
                    RETURN NEW;
                END $$;
            """)
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();"
            )
        elif vendor == "sqlite":
            schema_editor.execute(f"""
                CREATE TRIGGER {name} BEFORE UPDATE ON {table}
                WHEN {_sqlite_changed(columns)}
                BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
            """)
        else:
            raise NotImplementedError(f"No immutability trigger for {vendor}")


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, name in (("concerns_concern", "concern_text_immutable"), ("concerns_addendum", "addendum_immutable")):
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("concerns", "0002_seed_categories")]

    operations = [migrations.RunPython(install, remove)]
