"""The ledger's selectors find the entries about a child, also when their query sits inside another."""

from django.contrib.contenttypes.models import ContentType

from accounts.models import User
from audit import selectors as ledger
from audit.models import AuditEntry
from audit.services import audit_record
from concerns.models import Child
from concerns.selectors import ledger as ledger_reads
from tests.factories import UserFactory


def _about(child: Child, entries=None):
    return ledger.entries_about_child(
        entries,
        child_id=child.pk,
        child_type_id=ledger_reads.type_id(Child),
        child_list_type_ids=ledger_reads.child_list_type_ids(),
    )


def test_who_has_looked_at_a_child_is_answered_with_the_ledger_query_as_a_subquery(cast):
    looker = UserFactory(email="looker@test.example", full_name="Lu Looker")
    audit_record(actor=cast.staff, event="child.searched", model=Child, object_ids=[cast.child_a.pk])
    audit_record(actor=looker, event="child.searched", model=Child, object_ids=[cast.child_a2.pk])
    lookers = User.objects.filter(id__in=_about(cast.child_a).values("actor_id"))
    assert list(lookers) == [cast.staff]


def test_the_entries_of_a_request_that_named_a_child_come_from_the_named_entry_not_the_outer_row(cast):
    # One request names the child and writes a second entry that names nobody; a query for "every
    # entry of a request that named this child" must find both, whatever the outer row names.
    named = AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Child),
        event="child.searched",
        action=AuditEntry.Action.ACCESS,
        additional_data={"object_ids": [cast.child_a.pk]},
        cid="request-1",
    )
    other = AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User), event="ledger.viewed", action=3, cid="request-1"
    )
    AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User), event="ledger.viewed", action=3, cid="x"
    )
    requests = _about(cast.child_a).values("cid")
    same_request = AuditEntry.objects.filter(cid__in=requests).order_by("id")
    assert list(same_request) == [named, other]
    subquery_sql = str(same_request.values("id").query)
    assert '"audit_auditentry"."additional_data"' not in subquery_sql
