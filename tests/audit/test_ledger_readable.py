"""The ledger as a new DSL or auditor reads it: people, children, schools and events by name, read
from the records when the page is drawn (the ledger holds ids only), links to what the reader may
open, and filters chosen by name. Administrators still see nothing of children."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit import events
from audit.models import AuditEntry
from audit.services import audit_record
from concerns import policy
from concerns.models import Child
from concerns.selectors.ledger import ledger_names_for
from concerns.templatetags.ledger_tables import describe
from tests.conftest import client_for
from tests.factories import ChildFactory, ConcernFactory, MembershipFactory, UserFactory


@pytest.fixture
def day(cast):
    """A concern about Addy read by the DSL, and a search that named children of both schools."""
    concern = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a])
    client_for(cast.dsl).get(reverse("concerns:detail", args=[concern.pk]))
    # Unsited, naming a child of each school (a search by someone with a foot in both): it is on
    # site A's ledger for Addy, and must say nothing of Cleo there.
    audit_record(
        actor=cast.staff, event=events.CHILD_SEARCHED, model=Child, object_ids=[cast.child_a.pk, cast.child_b.pk]
    )
    return concern


def _page(user, **query) -> str:
    response = client_for(user).get(reverse("ledger:index"), query)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.mark.parametrize("reader", ["dsl", "auditor"])
def test_a_dsl_or_auditor_reads_names_schools_and_events_in_words(cast, day, reader):
    page = _page(getattr(cast, reader), event="concern.viewed")
    assert "Lee Lead" in page and "DSL at Oakfield Test School" in page and "dsl@oak" not in page
    assert "Concern viewed" in page
    assert f'<a href="{reverse("concerns:detail", args=[day.pk])}">Concern {day.reference}</a>' in page
    assert f'<a href="{reverse("concerns:child", args=[cast.child_a.pk])}">Addy Fernsby</a>' in page
    assert '<td class="small">Oakfield Test School</td>' in page


def test_a_child_at_another_school_is_a_number_without_a_name_or_link(cast, day):
    page = _page(cast.dsl, event="child.searched")
    assert "Addy Fernsby" in page
    assert f"Child #{cast.child_b.pk}" in page
    assert "Cleo" not in page and reverse("concerns:child", args=[cast.child_b.pk]) not in page
    rows = _csv(client_for(cast.dsl).get(reverse("ledger:export"), {"event": "child.searched"}))
    assert rows[0]["children"] == f"Addy Fernsby; Child #{cast.child_b.pk}"
    assert "Cleo" not in str(rows)


def test_a_restricted_concern_a_deputy_may_not_read_is_a_reference_without_a_link(cast):
    open_concern = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a])
    restricted = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a], is_restricted=True)
    for concern in (open_concern, restricted):
        audit_record(actor=cast.dsl, event=events.CONCERN_VIEWED, target=concern, site_id=cast.site_a.pk)
    entries = list(AuditEntry.objects.filter(event=events.CONCERN_VIEWED).order_by("id"))
    names = ledger_names_for(cast.deputy, policy.ledger_sight(cast.deputy), entries)
    assert names.concerns == {open_concern.pk}
    assert names.children == {}, "a deputy reads no ledger, so no child is named to them from it"
    shown = [describe(entry, names, reads_children=True).object for entry in entries]
    assert shown[0].url == reverse("concerns:detail", args=[open_concern.pk])
    assert (shown[1].text, shown[1].url) == (f"Concern {restricted.reference}", "")


def test_the_administrator_sees_no_child_on_the_page_or_in_the_export(cast, day):
    audit_record(actor=cast.staff, event=events.ACCOUNT_LOGIN, target=cast.staff)
    page = _page(cast.admin)
    assert "Signed in" in page and "Sam Staffer" in page
    assert "Fernsby" not in page and day.reference not in page and 'name="child_name"' not in page
    rows = _csv(client_for(cast.admin).get(reverse("ledger:export")))
    assert rows and "Fernsby" not in str(rows) and not any(row["children"] or row["child numbers"] for row in rows)
    assert "Child" not in {row["object type"].split(".")[-1].title() for row in rows}


def test_the_names_shown_are_on_the_ledger_as_a_read_of_those_children(cast, day):
    _page(cast.auditor)
    viewed = AuditEntry.objects.get(event=events.LEDGER_VIEWED, actor=cast.auditor)
    assert viewed.content_type.model_class() is Child
    assert cast.child_a.pk in viewed.additional_data["object_ids"]
    assert cast.child_b.pk not in viewed.additional_data["object_ids"], "Cleo was never named to them"
    client_for(cast.auditor).get(reverse("ledger:export"))
    exported = AuditEntry.objects.get(event=events.LEDGER_EXPORTED)
    assert cast.child_a.pk in exported.additional_data["object_ids"]
    assert cast.child_b.pk not in exported.additional_data["object_ids"]


def test_the_export_has_the_same_words_and_still_escapes_formulas(cast, day):
    sly = ChildFactory(site=cast.site_a, first_name="=HYPERLINK(1)", last_name="Quill", preferred_name="")
    audit_record(actor=cast.dsl, event=events.CHILD_VIEWED, target=sly, site_id=cast.site_a.pk, actor_role="dsl@oak")
    rows = _csv(client_for(cast.auditor).get(reverse("ledger:export"), {"event": "child.viewed"}))
    assert rows[0]["who"] == "Lee Lead" and rows[0]["email"] == cast.dsl.email
    assert rows[0]["role"] == "DSL at Oakfield Test School" and rows[0]["site"] == "Oakfield Test School"
    assert rows[0]["event"] == "Child's record viewed" and rows[0]["event code"] == "child.viewed"
    assert rows[0]["object"] == "'=HYPERLINK(1) Quill"


def _ids(response) -> list[int]:
    """The entries listed, less the ledger's own reads (each page read is a new entry about the child)."""
    return [row.id for row in response.context["rows"] if not row.event.startswith("ledger.")]


def test_filter_by_choosing_a_child_by_name(cast, day):
    client = client_for(cast.auditor)
    by_name = client.get(reverse("ledger:index"), {"child_name": "  addy  "})
    by_number = client.get(reverse("ledger:index"), {"child": cast.child_a.pk})
    assert by_name.status_code == 200 and by_name.context["rows"]
    assert _ids(by_name) == _ids(by_number)
    assert 'value="Addy Fernsby"' in by_number.content.decode(), "a link to one child shows who it is"
    # The box kept as it was, with the number beside it, still means that child.
    again = client.get(reverse("ledger:index"), {"child_name": "Addy Fernsby", "child": cast.child_a.pk})
    assert _ids(again) == _ids(by_number)
    cleared = client.get(reverse("ledger:index"), {"child_name": "", "child": cast.child_a.pk})
    assert len(cleared.context["rows"]) > len(by_number.context["rows"]), "an emptied box filters no child"


def test_a_name_several_children_share_offers_them_to_choose(cast, day):
    ivo = ChildFactory(site=cast.site_a, first_name="Ivo", last_name="Fernsby", year_group="Year 3")
    client = client_for(cast.auditor)
    response = client.get(reverse("ledger:index"), {"child_name": "fernsby", "event": "child."})
    assert response.status_code == 400 and response.context["rows"] == []
    assert "More than one child matches “fernsby”: choose one below." in response.content.decode()
    offered = response.context["children_offered"]
    assert [choice["text"] for choice in offered] == [
        "Addy Fernsby — Year 6, Oakfield Test School",
        "Ivo Fernsby — Year 3, Oakfield Test School",
    ], "Cleo Fernsby is at another school and never offered"
    assert "event=child." in offered[1]["url"] and "child_name" not in offered[1]["url"]
    chosen = client.get(reverse("ledger:index") + offered[1]["url"])
    assert chosen.status_code == 200 and 'value="Ivo Fernsby"' in chosen.content.decode()
    assert all(row.event.startswith("child.") for row in chosen.context["rows"])
    viewed = AuditEntry.objects.filter(event=events.LEDGER_VIEWED).order_by("id").first()
    assert {cast.child_a.pk, ivo.pk} <= set(viewed.additional_data["object_ids"]), "the names offered were read"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"child_name": "Cleo"}, "No child at your schools has a name or UPN matching “Cleo”."),
        ({"child_name": "Nobody Atall"}, "No child at your schools has a name or UPN matching “Nobody Atall”."),
        ({"child": "abc"}, "Enter a whole number."),
        ({"child": "999999"}, "That child is not on the roll of your schools."),
        ({"child_name": "Ad\x00dy"}, "Null characters are not allowed."),
        ({"child_name": "x" * 101}, "Ensure this value has at most 100 characters"),
    ],
)
def test_a_child_filter_that_finds_no_one_explains_itself(cast, day, query, message):
    response = client_for(cast.auditor).get(reverse("ledger:index"), query)
    assert response.status_code == 400 and response.context["rows"] == []
    assert message in response.content.decode()


def test_filter_by_choosing_a_person_by_name(cast, day):
    client = client_for(cast.auditor)
    by_name = client.get(reverse("ledger:index"), {"who": "lee"})
    assert by_name.status_code == 200 and {row.actor_id for row in by_name.context["rows"]} == {cast.dsl.pk}
    several = client.get(reverse("ledger:index"), {"who": "Staffer", "event": "child."})
    assert several.status_code == 400
    offered = several.context["people_offered"]
    assert [choice["text"] for choice in offered] == [
        f"Ex Staffer ({cast.ended.email})",
        f"Sam Staffer ({cast.staff.email})",
    ]
    chosen = client.get(reverse("ledger:index") + offered[1]["url"])
    assert chosen.status_code == 200 and chosen.context["rows"]
    assert {row.actor_id for row in chosen.context["rows"]} == {cast.staff.pk}
    assert f'value="{cast.staff.email}"' in chosen.content.decode()


def _entries_about_many(cast, count: int) -> None:
    """Each by a different person about a different child and concern: nothing shared between rows."""
    for number in range(count):
        person = UserFactory(full_name=f"Reader Number{number}")
        MembershipFactory(user=person, site=cast.site_a, role="dsl")
        child = ChildFactory(site=cast.site_a)
        concern = ConcernFactory(site=cast.site_a, author=cast.staff, about=[child])
        audit_record(
            actor=person, event=events.CONCERN_VIEWED, target=concern, site_id=cast.site_a.pk, object_ids=[child.pk]
        )
        audit_record(actor=person, event=events.CHILD_VIEWED, target=child, site_id=cast.site_a.pk)


def test_the_names_cost_the_same_queries_for_one_row_as_for_forty(cast):
    client = client_for(cast.auditor)
    _entries_about_many(cast, 1)
    with CaptureQueriesContext(connection) as one:
        small = client.get(reverse("ledger:index"), {"event": "c"})
    _entries_about_many(cast, 20)
    with CaptureQueriesContext(connection) as forty:
        large = client.get(reverse("ledger:index"), {"event": "c"})
    assert len(small.context["rows"]) == 2 and len(large.context["rows"]) == 42
    assert "Reader Number19" in large.content.decode()
    assert len(one.captured_queries) == len(forty.captured_queries)
