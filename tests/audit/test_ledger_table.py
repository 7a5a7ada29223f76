"""The ledger's table is built by one template tag: dates as the template gave them, entries in
words (names read now, never from the ledger), every value escaped, and children only for a reader
who may see them."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.template.defaultfilters import date as django_date
from django.utils import timezone

from accounts.models import User
from audit import events
from audit.models import AuditEntry
from concerns.models import Concern
from concerns.selectors.ledger import LedgerNames
from concerns.templatetags.ledger_tables import ledger_table_rows, roles_in_words

NAMES = LedgerNames(
    children={3: "Addy Fernsby"},
    concerns=frozenset({9}),
    people={7: "Lee Lead", 9: "Sam Staffer"},
    sites={1: "Oakfield Test School"},
    site_codes={"oak": "Oakfield Test School", "birch": "Birchwood Test Academy"},
)


def entry(model=User, **fields) -> AuditEntry:
    values = {
        "id": 41,
        "timestamp": datetime.datetime(2026, 7, 1, 8, 5, 7, tzinfo=datetime.UTC),
        "actor_id": 7,
        "actor_email": "lee@example.org",
        "actor_role": "dsl@oak",
        "event": "concern.viewed",
        "action": AuditEntry.Action.ACCESS,
        "object_pk": "9",
        "object_id": 9,
        "site_id": 1,
        "additional_data": {"object_ids": [3, 5]},
    }
    made = AuditEntry(**{**values, **fields})
    made.content_type = ContentType.objects.get_for_model(model)
    made.content_type_id = made.content_type.id
    return made


def test_a_row_says_who_did_what_where_in_words(db):
    row = entry(model=Concern)
    html = ledger_table_rows([row], NAMES, reads_children=True)
    assert django_date(timezone.localtime(row.timestamp), "j M Y, H:i:s") in html  # 09:05:07 BST
    assert "1 Jul 2026, 09:05:07" in html
    assert "Lee Lead" in html and "lee@example.org" in html
    assert "DSL at Oakfield Test School" in html and "dsl@oak" not in html
    assert "Concern viewed" in html and "<code" in html, "the event's words, and its name for the filter"
    assert row.get_action_display() in html
    assert '<a href="/concerns/9/">Concern VC-000009</a>' in html
    assert '<a href="/children/3/">Addy Fernsby</a>, Child #5' in html, "a child not the reader's is a number"
    assert '<td class="small">Oakfield Test School</td>' in html


def test_a_concern_the_reader_may_not_open_is_its_reference_without_a_link(db):
    html = ledger_table_rows([entry(model=Concern, object_id=10, object_pk="10")], NAMES, reads_children=True)
    assert "Concern VC-000010" in html and "/concerns/10/" not in html


def test_a_person_is_named_as_the_object_of_an_account_event(db):
    html = ledger_table_rows([entry(event="account.login", object_id=9, object_pk="9")], NAMES, reads_children=False)
    assert "Signed in" in html and "Sam Staffer" in html


def test_children_are_left_out_for_a_reader_of_account_events(db):
    html = ledger_table_rows([entry(model=Concern)], NAMES, reads_children=False)
    assert "Addy Fernsby" not in html and "Child #5" not in html and "/concerns/9/" not in html


def test_every_value_is_escaped(db):
    html = ledger_table_rows([entry(actor_role='<script>alert("x")</script>')], NAMES, reads_children=True)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_an_entry_without_actor_or_event_reads_as_a_field_change_by_nobody(db):
    html = ledger_table_rows([entry(actor_id=None, actor_email=None, event="")], NAMES, reads_children=True)
    assert "—" in html and events.FIELD_CHANGE_LABEL in html


def test_roles_are_said_in_words_with_the_sites_names():
    assert roles_in_words("staff@birch, dsl@oak", NAMES.site_codes) == (
        "Staff at Birchwood Test Academy, DSL at Oakfield Test School"
    )
    assert roles_in_words("", NAMES.site_codes) == ""
    assert roles_in_words("governor@elm", NAMES.site_codes) == "governor at elm", "unknown parts kept as written"
