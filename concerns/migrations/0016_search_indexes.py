"""Search (concerns.selectors.search) matches words by PostgreSQL full-text search: these GIN
indexes are over exactly the expressions Django's SearchVector writes for the concern's words
(observations, the child's words, the location) and an addendum's text, in English, so the
planner answers `@@ websearch_to_tsquery(...)` from them rather than by reading every concern.
SQLite has neither and needs neither: it matches by substring.
"""

from django.db import migrations

INDEXES = {
    "concern_words_fts": (
        "concerns_concern",
        "to_tsvector('english'::regconfig, COALESCE(observations, '') || ' ' || "
        "COALESCE(child_words, '') || ' ' || COALESCE(location, ''))",
    ),
    "addendum_words_fts": ("concerns_addendum", "to_tsvector('english'::regconfig, COALESCE(text, ''))"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, (table, expression) in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("concerns", "0015_casework")]

    operations = [migrations.RunPython(create, drop)]
