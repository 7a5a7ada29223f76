"""Make the ledger append-only in the database itself, on PostgreSQL and SQLite.

The application's own database account cannot DELETE or TRUNCATE the ledger, nor UPDATE an
entry, with one exception: the sealer may set chain_seq, prev_hash and entry_hash together, once,
on an entry whose chain fields are still empty (audit/sealing.py). Anyone able to switch the
triggers off (a superuser) can still change a row, and the hash chain then shows it (audit_verify).
"""

from django.db import migrations

CHAIN_COLUMNS = ("chain_seq", "prev_hash", "entry_hash")

POSTGRES_INSTALL = [
    r"""
CREATE FUNCTION audit_ledger_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unsealed audit_auditentry;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'audit ledger is append-only: TRUNCATE of audit_auditentry refused';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit ledger is append-only: DELETE of entry % refused', OLD.id;
    END IF;
    IF OLD.chain_seq IS NOT NULL OR OLD.prev_hash <> '' OR OLD.entry_hash <> '' THEN
        RAISE EXCEPTION 'audit ledger is append-only: UPDATE of entry % refused (it is sealed; nothing in it may change)', OLD.id;
    END IF;
    IF NEW.chain_seq IS NULL OR NEW.prev_hash !~ '^[0-9a-f]{64}$' OR NEW.entry_hash !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'audit ledger is append-only: UPDATE of entry % refused (only sealing, which sets chain_seq, prev_hash and entry_hash together, is allowed)', OLD.id;
    END IF;
    unsealed := NEW;
    unsealed.chain_seq := OLD.chain_seq;
    unsealed.prev_hash := OLD.prev_hash;
    unsealed.entry_hash := OLD.entry_hash;
    IF unsealed IS DISTINCT FROM OLD THEN
        RAISE EXCEPTION 'audit ledger is append-only: UPDATE of entry % refused (its content may not change)', OLD.id;
    END IF;
    RETURN NEW;
END
$$""",
    """CREATE TRIGGER audit_ledger_update BEFORE UPDATE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_ledger_guard()""",
    """CREATE TRIGGER audit_ledger_delete BEFORE DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_ledger_guard()""",
    """CREATE TRIGGER audit_ledger_truncate BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_ledger_guard()""",
]

POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_ledger_update ON audit_auditentry",
    "DROP TRIGGER IF EXISTS audit_ledger_delete ON audit_auditentry",
    "DROP TRIGGER IF EXISTS audit_ledger_truncate ON audit_auditentry",
    "DROP FUNCTION IF EXISTS audit_ledger_guard()",
]

# SQLite has no TRUNCATE (an unqualified DELETE is still a DELETE and fires the trigger), and its
# RAISE takes a fixed message, so each refusal is its own trigger.
SQLITE_INSTALL = [
    """CREATE TRIGGER audit_ledger_delete BEFORE DELETE ON audit_auditentry
    BEGIN SELECT RAISE(ABORT, 'audit ledger is append-only: DELETE of an entry refused'); END""",
    """CREATE TRIGGER audit_ledger_update_sealed BEFORE UPDATE ON audit_auditentry
    WHEN OLD.chain_seq IS NOT NULL OR OLD.prev_hash <> '' OR OLD.entry_hash <> ''
    BEGIN SELECT RAISE(ABORT,
        'audit ledger is append-only: UPDATE of a sealed entry refused (nothing in it may change)'); END""",
    """CREATE TRIGGER audit_ledger_update_seal_only BEFORE UPDATE ON audit_auditentry
    WHEN NEW.chain_seq IS NULL OR length(NEW.prev_hash) <> 64 OR length(NEW.entry_hash) <> 64
    BEGIN SELECT RAISE(ABORT,
        'audit ledger is append-only: UPDATE refused (only sealing, which sets chain_seq, prev_hash and entry_hash together, is allowed)'); END""",
    """CREATE TRIGGER audit_ledger_update_content BEFORE UPDATE ON audit_auditentry
    WHEN {changed}
    BEGIN SELECT RAISE(ABORT, 'audit ledger is append-only: UPDATE refused (an entry''s content may not change)'); END""",
]
SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "audit_ledger_delete",
        "audit_ledger_update_sealed",
        "audit_ledger_update_seal_only",
        "audit_ledger_update_content",
    )
]


def install(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRES_INSTALL:
            schema_editor.execute(statement, params=None)
    elif vendor == "sqlite":
        # Every content column as it stands at this migration; a later migration that adds a
        # column to the ledger must recreate this trigger to cover it.
        model = apps.get_model("audit", "AuditEntry")
        columns = [f.column for f in model._meta.concrete_fields if f.column not in CHAIN_COLUMNS]
        changed = " OR ".join(f'NEW."{column}" IS NOT OLD."{column}"' for column in columns)
        for statement in SQLITE_INSTALL:
            schema_editor.execute(statement.replace("{changed}", changed), params=None)
    else:
        raise NotImplementedError(f"The ledger's append-only triggers are written for PostgreSQL and SQLite, not {vendor}")


def remove(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRES_REMOVE:
            schema_editor.execute(statement, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REMOVE:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_ledger_chain")]

    operations = [migrations.RunPython(install, remove)]
