"""The ledger pages: DSLs and auditors read their sites' entries, administrators account events only."""

import csv
import datetime
import io
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services.auth import MFA_VERIFIED_AT
from audit.models import AuditEntry
from audit.services import audit_record
from concerns.models import Child, Concern
from concerns.views.ledger import csv_cell
from tests.conftest import client_for
from tests.factories import ConcernFactory


@pytest.fixture
def history(cast):
    """Entries a real day at both schools leaves: reads of children, a concern, sign-ins."""
    concern_a = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a])
    concern_b = ConcernFactory(site=cast.site_b, author=cast.staff_b, about=[cast.child_b])
    for user in (cast.staff, cast.staff_b, cast.admin):
        audit_record(actor=user, event="account.login", target=user)
    client_for(cast.staff).get(reverse("concerns:child_search") + "?q=Fernsby")  # unsited, names child_a
    client_for(cast.dsl).get(reverse("concerns:detail", args=[concern_a.pk]))
    client_for(cast.dsl_b).get(reverse("concerns:detail", args=[concern_b.pk]))
    client_for(cast.staff_b).get(reverse("concerns:child_search") + "?q=Fernsby")  # unsited, names child_b
    return {"concern_a": concern_a, "concern_b": concern_b}


def _rows(response) -> list[AuditEntry]:
    return list(response.context["rows"])


def _about_a(cast, history, entry: AuditEntry) -> bool:
    ids = (entry.additional_data or {}).get("object_ids", [])
    return (
        entry.site_id == cast.site_a.pk
        or (entry.content_type.model_class() is Child and cast.child_a.pk in ids)
        or (entry.content_type.model_class() is Concern and entry.object_id == history["concern_a"].pk)
    )


def test_the_auditor_reads_site_a_and_nothing_of_site_b(cast, history):
    rows = _rows(client_for(cast.auditor).get(reverse("ledger:index")))
    events = {(row.event, row.actor_email) for row in rows}
    assert ("concern.viewed", cast.dsl.email) in events
    assert ("child.searched", cast.staff.email) in events
    assert ("account.login", cast.staff.email) in events
    assert ("concern.viewed", cast.dsl_b.email) not in events
    assert ("child.searched", cast.staff_b.email) not in events
    assert ("account.login", cast.staff_b.email) not in events


def test_a_site_b_dsl_sees_nothing_of_site_a(cast, history):
    client = client_for(cast.dsl_b)
    rows = _rows(client.get(reverse("ledger:index")))
    assert ("concern.viewed", cast.dsl_b.email) in {(row.event, row.actor_email) for row in rows}
    assert not [row for row in rows if _about_a(cast, history, row)]
    assert not {row.actor_email for row in rows} & {cast.staff.email, cast.dsl.email, cast.admin.email}
    # Asking for site A's child or concern by number finds nothing either.
    assert _rows(client.get(reverse("ledger:index"), {"child": cast.child_a.pk})) == []
    exported = _csv(client.get(reverse("ledger:export")))
    assert cast.dsl.email not in str(exported) and cast.staff.email not in str(exported)


def test_the_administrator_sees_account_events_and_nothing_about_children(cast, history):
    client = client_for(cast.admin)
    response = client.get(reverse("ledger:index"))
    rows = _rows(response)
    assert rows, "the administrator's own site's sign-ins are there"
    assert {row.event.split(".")[0] for row in rows} <= {"account", "membership"}
    assert not [row for row in rows if row.content_type.model_class() in (Child, Concern)]
    assert cast.staff_b.email not in {row.actor_email for row in rows}
    assert "child" not in response.context["form"].fields
    assert _rows(client.get(reverse("ledger:index"), {"event": "concern."})) == []
    exported = _csv(client.get(reverse("ledger:export")))
    assert all(row[6].startswith(("account.", "membership.")) for row in exported[1:])


@pytest.mark.parametrize("who", ["staff", "deputy", "ended"])
def test_those_without_the_ledger_are_refused(cast, who):
    assert client_for(getattr(cast, who)).get(reverse("ledger:index")).status_code == 403
    assert client_for(getattr(cast, who)).get(reverse("ledger:export")).status_code == 403


def test_reading_the_ledger_is_on_the_ledger(cast, history):
    client = client_for(cast.auditor)
    client.get(reverse("ledger:index"), {"child": cast.child_a.pk})
    viewed = AuditEntry.objects.filter(event="ledger.viewed", actor=cast.auditor).get()
    assert viewed.additional_data["object_ids"] == [cast.child_a.pk]
    assert viewed.site_id == cast.site_a.pk
    # ...and the DSL of the site sees that the auditor looked.
    rows = _rows(client_for(cast.dsl).get(reverse("ledger:index"), {"event": "ledger."}))
    assert [row.actor_email for row in rows] == [cast.auditor.email]


def test_filter_by_child_finds_every_entry_about_them(cast, history):
    rows = _rows(client_for(cast.dsl).get(reverse("ledger:index"), {"child": cast.child_a.pk}))
    # The views, and the child's own record being created (a field change with no event name).
    assert {row.event for row in rows} == {"concern.viewed", "child.searched", ""}
    for row in rows:
        named = (row.additional_data or {}).get("object_ids", [])
        assert cast.child_a.pk in named or (
            row.content_type.model_class() is Child and row.object_id == cast.child_a.pk
        )
    rows = _rows(client_for(cast.dsl).get(reverse("ledger:index"), {"child": cast.child_a2.pk}))
    assert [(row.event, row.object_id) for row in rows] == [("", cast.child_a2.pk)], "only their record's creation"


def test_filter_by_who_event_action_and_object(cast, history):
    client = client_for(cast.auditor)
    by_actor = _rows(client.get(reverse("ledger:index"), {"actor": cast.dsl.pk}))
    assert by_actor and {row.actor_email for row in by_actor} == {cast.dsl.email}
    by_event = _rows(client.get(reverse("ledger:index"), {"event": "account."}))
    assert by_event and all(row.event.startswith("account.") for row in by_event)
    by_action = _rows(client.get(reverse("ledger:index"), {"action": AuditEntry.Action.ACCESS}))
    assert by_action and all(row.action == AuditEntry.Action.ACCESS for row in by_action)
    concern_type = AuditEntry.objects.filter(event="concern.viewed").first().content_type_id
    by_object = _rows(
        client.get(reverse("ledger:index"), {"object_type": concern_type, "object_id": history["concern_a"].pk})
    )
    assert "concern.viewed" in {row.event for row in by_object}
    assert {(row.content_type_id, row.object_id) for row in by_object} == {(concern_type, history["concern_a"].pk)}


def test_filter_by_dates(cast, history):
    client = client_for(cast.auditor)
    today = datetime.date.today()
    assert _rows(client.get(reverse("ledger:index"), {"date_from": today, "date_to": today}))
    tomorrow = today + datetime.timedelta(days=1)
    assert _rows(client.get(reverse("ledger:index"), {"date_from": tomorrow})) == []
    assert _rows(client.get(reverse("ledger:index"), {"date_to": today - datetime.timedelta(days=1)})) == []


def test_bad_filters_are_explained_and_show_nothing(cast, history):
    response = client_for(cast.auditor).get(
        reverse("ledger:index"), {"date_from": "2026-03-02", "date_to": "2026-03-01", "event": "DROP TABLE"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The end date must be on or after the start date." in body
    assert "Use lower-case letters, dots and underscores only." in body
    assert response.context["rows"] == []


def _many_entries(cast, count: int) -> None:
    for _ in range(count):
        audit_record(actor=cast.staff, event="child.viewed", target=cast.child_a, site_id=cast.site_a.pk)


def test_pages_of_fifty_newest_first_with_a_constant_number_of_queries(cast):
    client = client_for(cast.auditor)
    _many_entries(cast, 60)
    with CaptureQueriesContext(connection) as small:
        first = client.get(reverse("ledger:index"), {"event": "child."})
    _many_entries(cast, 120)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("ledger:index"), {"event": "child."})
    assert len(small.captured_queries) == len(large.captured_queries)
    rows = _rows(first)
    assert len(rows) == 50
    assert [row.id for row in rows] == sorted((row.id for row in rows), reverse=True)
    older = client.get(reverse("ledger:index"), {"event": "child.", "before": first.context["next_before"]})
    assert len(_rows(older)) == 10
    assert max(row.id for row in _rows(older)) < min(row.id for row in rows)
    assert older.context["next_before"] is None


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_export_is_the_filtered_view_and_is_itself_audited(cast, history):
    response = client_for(cast.auditor).get(
        reverse("ledger:export"), {"child": cast.child_a.pk, "action": AuditEntry.Action.ACCESS}
    )
    rows = _csv(response)
    assert rows[0][:7] == ["entry", "time (UTC)", "who", "email", "role", "event", "event code"]
    assert sorted(row[6] for row in rows[1:]) == ["child.searched", "concern.viewed"]
    exported = AuditEntry.objects.get(event="ledger.exported")
    assert exported.actor == cast.auditor
    assert exported.additional_data["counts"] == {"entries": 2}
    assert exported.additional_data["object_ids"] == [cast.child_a.pk]


def test_the_export_escapes_cells_a_spreadsheet_would_run(cast):
    mallory = User.objects.create(email='=HYPERLINK("http://evil.example","x")', full_name="M")
    audit_record(actor=mallory, event="child.viewed", target=cast.child_a, site_id=cast.site_a.pk)
    rows = _csv(client_for(cast.auditor).get(reverse("ledger:export"), {"event": "child.viewed"}))
    assert rows[1][3] == '\'=HYPERLINK("http://evil.example","x")'


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        (None, ""),
        (42, "42"),
    ],
)
def test_csv_cells(cell, written):
    assert csv_cell(cell) == written


def test_the_administrator_sees_failed_sign_ins_and_lockouts_which_belong_to_no_one(cast):
    from django.test import Client

    Client().post(reverse("accounts:login"), {"username": cast.staff.email, "password": "not the password"})
    failed = AuditEntry.objects.get(event="account.login_failed")
    assert failed.actor is None and failed.site_id is None
    admin_rows = _rows(client_for(cast.admin).get(reverse("ledger:index")))
    assert failed.pk in {row.pk for row in admin_rows}
    assert failed.pk not in {row.pk for row in _rows(client_for(cast.dsl).get(reverse("ledger:index")))}


def test_the_ledger_export_asks_for_a_fresh_code(cast):
    client = client_for(cast.dsl)
    session = client.session
    session[MFA_VERIFIED_AT] = time.time() - 11 * 60
    session.save()
    response = client.get(reverse("ledger:export"))
    assert response.status_code == 302 and reverse("accounts:mfa_verify") in response["Location"]
    assert not AuditEntry.objects.filter(event="ledger.exported").exists()
    assert client_for(cast.dsl).get(reverse("ledger:export")).status_code == 200


def test_who_is_typed_as_a_name_or_an_email_address_not_picked_from_everyone(cast, history):
    client = client_for(cast.auditor)
    page = client.get(reverse("ledger:index"))
    assert b'name="who"' in page.content and b"<option" not in page.content.split(b'name="who"')[1][:200]
    assert cast.staff_b.email not in page.content.decode(), "no list of people to choose from"
    by_name = client.get(reverse("ledger:index"), {"who": "  lee   LEAD "})
    assert {row.actor_email for row in _rows(by_name)} == {cast.dsl.email}
    by_part_of_an_address = _rows(client.get(reverse("ledger:index"), {"who": "dsl@test"}))
    assert {row.actor_email for row in by_part_of_an_address} == {cast.dsl.email}
    link = client.get(reverse("ledger:index"), {"actor": cast.dsl.pk})
    assert f'value="{cast.dsl.email}"' in link.content.decode(), "a link to one person shows who it is"


def test_a_name_several_people_share_lists_them_and_keeps_what_was_typed(cast, history):
    client = client_for(cast.auditor)
    response = client.get(reverse("ledger:index"), {"who": "test.example", "event": "account."})
    assert response.status_code == 400 and _rows(response) == []
    message = response.context["form"].errors["who"][0]
    assert "More than one person matches" in message and "Type their email address" in message
    assert cast.staff_b.email not in message, "people of a site the reader does not read are never named"
    assert 'value="test.example"' in response.content.decode() and 'value="account."' in response.content.decode()


def test_no_one_is_found_outside_the_readers_sites(cast, history):
    client = client_for(cast.auditor)
    by_name = client.get(reverse("ledger:index"), {"who": cast.staff_b.full_name})
    assert by_name.status_code == 400 and "No one at your sites" in by_name.context["form"].errors["who"][0]
    by_number = client.get(reverse("ledger:index"), {"actor": cast.staff_b.pk})
    assert by_number.status_code == 400 and _rows(by_number) == []
    assert cast.staff_b.email not in by_number.content.decode()


def test_the_ledger_dates_are_typed_in_boxes_that_cannot_be_read_the_wrong_way_round(cast, history):
    client = client_for(cast.auditor)
    page = client.get(reverse("ledger:index")).content.decode()
    assert 'type="date"' not in page and 'name="date_from_day"' in page and 'name="date_to_year"' in page
    today = timezone.localdate()
    typed = {"date_from_day": today.day, "date_from_month": today.month, "date_from_year": today.year}
    assert _rows(client.get(reverse("ledger:index"), typed)), "today's entries, from boxes"
    assert _rows(client.get(reverse("ledger:index"), {"date_from": today.isoformat()})), "and from a link"
    wrong = client.get(reverse("ledger:index"), {**typed, "date_from_month": "13"})
    assert wrong.status_code == 400 and "month must be a number from 1 to 12" in wrong.content.decode()
