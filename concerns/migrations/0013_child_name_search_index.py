"""Child search matches any part of a name: on PostgreSQL a trigram index serves it.

`icontains` is `UPPER(col::text) LIKE UPPER('%word%')`, which no B-tree serves, so a search at a
large site read every child on its roll (10,000 at seed_scale's largest: 7 ms). A GIN index of
trigrams over the same four expressions the search compares (the names, and the UPN it matches
exactly) answers it from the index: 0.9 ms. pg_trgm is a trusted extension (PostgreSQL 13 and
later), so the database's owner may create it. SQLite has neither and needs neither.
"""

from django.db import migrations

INDEX = (
    "CREATE INDEX IF NOT EXISTS child_names_trgm ON concerns_child USING gin ("
    "upper(first_name::text) gin_trgm_ops, upper(last_name::text) gin_trgm_ops, "
    "upper(preferred_name::text) gin_trgm_ops, upper(upn::text) gin_trgm_ops)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS child_names_trgm")


class Migration(migrations.Migration):
    dependencies = [("concerns", "0012_notification_recent")]

    operations = [migrations.RunPython(create, drop)]
