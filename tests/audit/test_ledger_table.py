"""The ledger's table is built by one template tag: the same dates and labels the template gave,
every value escaped, and children only for a reader who may see them."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.template.defaultfilters import date as django_date
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry
from concerns.templatetags.ledger_tables import ledger_table_rows


def entry(**fields) -> AuditEntry:
    values = {
        "id": 41,
        "timestamp": datetime.datetime(2026, 7, 1, 8, 5, 7, tzinfo=datetime.UTC),
        "actor_email": "lee@example.org",
        "actor_role": "dsl@1",
        "event": "concern.viewed",
        "action": AuditEntry.Action.ACCESS,
        "object_pk": "9",
        "site_id": 1,
        "additional_data": {"object_ids": [3, 5]},
    }
    made = AuditEntry(**{**values, **fields})
    made.content_type = ContentType.objects.get_for_model(User)
    return made


def test_a_row_says_what_the_template_said(db):
    row = entry()
    html = ledger_table_rows([row], reads_children=True)
    assert django_date(timezone.localtime(row.timestamp), "j M Y, H:i:s") in html  # 09:05:07 BST
    assert "1 Jul 2026, 09:05:07" in html
    assert "<code>concern.viewed</code>" in html
    assert row.get_action_display() in html
    assert "accounts.user #9" in html
    assert "3, 5" in html


def test_children_are_left_out_for_a_reader_of_account_events(db):
    assert "3, 5" not in ledger_table_rows([entry()], reads_children=False)


def test_every_value_is_escaped(db):
    html = ledger_table_rows([entry(actor_role='<script>alert("x")</script>')], reads_children=True)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_an_entry_without_actor_or_event_reads_as_a_field_change_by_nobody(db):
    html = ledger_table_rows([entry(actor_email=None, event="")], reads_children=True)
    assert "—" in html and "<code>field change</code>" in html
