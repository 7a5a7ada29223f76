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
