"""Writing many rows fast: COPY on PostgreSQL, bulk inserts elsewhere, with explicit ids.

Each table is written from tuples of the columns the generator knows; every other column of the
model gets its field's default, so a field added later (with a default) needs no change here. A
required column with no default (a concern's review deadline) must be written: the table says so
when it is made, not a million rows into a COPY.
"""

import datetime
import decimal
import json
import re
import uuid
from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.utils import timezone

BULK_BATCH = 500
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


_JSON = json.JSONEncoder(separators=(",", ":"))
_needs_escape = re.compile(r"[\\\t\n\r]").search


def _text(value: str) -> str:
    return value.translate(_COPY_ESCAPES) if _needs_escape(value) else value


# One formatter per type, looked up by exact type (a bool is not formatted as the int it also is).
_FORMATTERS = {
    str: _text,
    int: str,
    bool: lambda value: "t" if value else "f",
    type(None): lambda value: "\\N",
    float: repr,
    decimal.Decimal: str,
    uuid.UUID: str,
    datetime.datetime: datetime.datetime.isoformat,
    datetime.date: datetime.date.isoformat,
    datetime.time: datetime.time.isoformat,
    dict: lambda value: _text(_JSON.encode(value)),
    list: lambda value: _text(_JSON.encode(value)),
}


def copy_text(value) -> str:
    """One value in COPY's text format."""
    formatter = _FORMATTERS.get(type(value))
    return formatter(value) if formatter else _text(str(value))


def _filled_default(field: models.Field):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    return field.get_default()


class Table:
    """One model's table, written from rows of `columns` (attnames), the rest by default."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        self.model = model
        self.columns = list(columns)
        known = set(columns)
        fields = [f for f in model._meta.concrete_fields if f.attname not in known and not f.primary_key]
        self.extra_columns = [field.attname for field in fields]
        self.extra_values = tuple(_filled_default(field) for field in fields)
        unfilled = [
            f.attname for f, value in zip(fields, self.extra_values, strict=True) if value is None and not f.null
        ]
        if unfilled:
            raise ValueError(f"{model.__name__}: required columns with no default must be written: {unfilled}")
        self.written = 0

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    def next_id(self) -> int:
        """The first id free for explicit ids (new rows take max(id) + 1 onwards)."""
        return (self.model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def write(self, rows: Iterable[tuple]) -> int:
        if connection.vendor == "postgresql":
            return self._copy(rows)
        return self._bulk_create(rows)

    def _copy(self, rows: Iterable[tuple]) -> int:
        columns = ", ".join(f'"{column}"' for column in self.columns + self.extra_columns)
        extra = "".join("\t" + copy_text(value) for value in self.extra_values)
        count = 0
        connection.ensure_connection()
        sql = f'COPY "{self.name}" ({columns}) FROM STDIN'  # names from the model's own metadata
        with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            lines = []
            for row in rows:
                lines.append("\t".join([copy_text(value) for value in row]) + extra + "\n")
                if len(lines) >= 5000:
                    copy.write("".join(lines))
                    count, lines = count + len(lines), []
            if lines:
                copy.write("".join(lines))
                count += len(lines)
        self.written += count
        return count

    def _bulk_create(self, rows: Iterable[tuple]) -> int:
        names = self.columns + self.extra_columns
        batch, count = [], 0
        for row in rows:
            batch.append(self.model(**dict(zip(names, (*row, *self.extra_values), strict=True))))
            if len(batch) >= BULK_BATCH:
                self.model.objects.bulk_create(batch)
                count, batch = count + len(batch), []
        if batch:
            self.model.objects.bulk_create(batch)
            count += len(batch)
        self.written += count
        return count


def sequences_reset(models_written: Iterable[type[models.Model]]) -> None:
    """After explicit ids, let PostgreSQL's sequences carry on from the highest id."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_written:
            pk = model._meta.pk
            if not isinstance(pk, models.AutoField | models.BigAutoField):
                continue
            table, column = model._meta.db_table, pk.column
            highest = f'MAX("{column}")'
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE({highest}, 1), {highest} IS NOT NULL) "  # noqa: S608
                f'FROM "{table}"',
                [table, column],
            )


class IndexesSetAside:
    """Drop a table's secondary indexes for a bulk load and build them again after it (PostgreSQL).

    Loading ten million rows into a table with fourteen indexes updates fourteen B-trees per row;
    building each index once afterwards is several times faster. The primary key stays.
    """

    def __init__(self, table: str):
        self.table = table
        self.indexes: list[tuple[str, str]] = []
        self.constraints: list[tuple[str, str]] = []

    def __enter__(self) -> "IndexesSetAside":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'u'",
                [self.table],
            )
            self.constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [self.table],
            )
            self.indexes = cursor.fetchall()
            for name, _ in self.constraints:
                cursor.execute(f'ALTER TABLE "{self.table}" DROP CONSTRAINT "{name}"')
            for name, _ in self.indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, *exc_info) -> None:
        with connection.cursor() as cursor:
            for _, definition in self.indexes:
                cursor.execute(definition)
            for name, definition in self.constraints:
                cursor.execute(f'ALTER TABLE "{self.table}" ADD CONSTRAINT "{name}" {definition}')
