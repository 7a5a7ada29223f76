"""A child's personal data is never copied into the ledger, which is kept for ever: a change to a
child saved on its own is recorded by field name, with neither the old nor the new value."""

import datetime

from audit.models import AuditEntry
from audit.redaction import NOT_RECORDED
from concerns.models import Child
from tests.factories import ChildFactory


def _entries_for(child: Child) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(content_type__model="child", object_pk=str(child.pk)).order_by("id"))


def _whole(entry: AuditEntry) -> str:
    """Everything the entry holds, every column, as text."""
    return " ".join(str(getattr(entry, field.attname)) for field in AuditEntry._meta.concrete_fields)


def test_a_changed_upn_and_date_of_birth_are_named_in_the_ledger_but_their_values_are_not(cast):
    child = cast.child_a
    old_upn, old_born = child.upn, child.date_of_birth
    child.upn = "A999999999999"
    child.date_of_birth = datetime.date(2014, 11, 30)
    child.year_group = "Year 7"
    child.save()

    entry = _entries_for(child)[-1]
    assert entry.action == AuditEntry.Action.UPDATE
    assert set(entry.changes) == {"upn", "date_of_birth", "year_group"}
    assert entry.changes["upn"] == [NOT_RECORDED, NOT_RECORDED]
    whole = _whole(entry)
    for value in (
        old_upn,
        "A999999999999",
        str(old_born),
        "2015-02-03",
        "03/02/2015",
        "2014-11-30",
        "Year 6",
        "Year 7",
    ):
        assert value not in whole, f"{value!r} is in the ledger entry"


def test_a_new_child_is_on_the_ledger_with_its_field_names_and_no_names_or_dates(cast):
    child = ChildFactory(
        site=cast.site_a,
        first_name="Wilhelmina",
        last_name="Quenby",
        preferred_name="Mina",
        upn="A555555555555",
        date_of_birth=datetime.date(2016, 9, 14),
        year_group="Year 4",
    )
    [entry] = _entries_for(child)
    assert entry.action == AuditEntry.Action.CREATE
    assert {"first_name", "last_name", "upn", "date_of_birth", "year_group"} <= set(entry.changes)
    whole = _whole(entry)
    for value in ("Wilhelmina", "Quenby", "Mina", "A555555555555", "2016-09-14", "Year 4"):
        assert value not in whole


def test_marking_a_child_left_by_hand_names_the_field_only(cast):
    child = cast.child_a2
    child.left_on = datetime.date(2026, 7, 17)
    child.save(update_fields=["left_on"])
    entry = _entries_for(child)[-1]
    assert list(entry.changes) == ["left_on"]
    assert "2026-07-17" not in _whole(entry)
