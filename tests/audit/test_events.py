"""Ledger event names are one list: a name not on it is refused, not written as a new kind."""

import pytest

from audit import events
from audit.models import AuditEntry
from audit.services import audit_record


def test_an_unlisted_event_name_is_refused_and_nothing_is_written(cast):
    with pytest.raises(ValueError, match="Not a ledger event"):
        audit_record(actor=cast.dsl, event="share.grantd", target=cast.child_a)
    assert not AuditEntry.objects.filter(event="share.grantd").exists()


def test_import_events_are_named_from_the_list():
    assert events.import_event("children", "previewed") == "import.children_previewed"
    assert events.import_event("staff") == "import.staff"
    with pytest.raises(ValueError):
        events.import_event("governors", "previewed")


def test_every_listed_name_is_a_dotted_lowercase_name():
    assert len(events.ALL) > 40
    assert all(name.count(".") == 1 and name == name.lower() for name in events.ALL)


def test_every_event_has_words_for_the_ledger_page():
    missing = sorted(name for name in events.ALL if not events.LABELS.get(name, "").strip())
    assert missing == [], f"add these to events.LABELS: {missing}"
    for name in events.ALL:
        assert events.label(name) == events.LABELS[name] and events.label(name) != name
    assert events.label("") == events.FIELD_CHANGE_LABEL
