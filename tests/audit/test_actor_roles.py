"""Each ledger entry records the actor's roles, and where, at the time of the action."""

from django.urls import reverse

from audit.models import AuditEntry
from tests.concerns.helpers import record_url, valid_post
from tests.conftest import client_for
from tests.factories import MembershipFactory


def test_an_entry_records_the_actors_roles_at_the_time(cast):
    MembershipFactory(user=cast.dsl, site=cast.site_b, role="staff")
    client_for(cast.staff).post(record_url(), valid_post(cast.child_a))
    concern_id = AuditEntry.objects.get(event="concern.submitted").object_id
    client_for(cast.dsl).get(reverse("concerns:detail", args=[concern_id]))
    assert AuditEntry.objects.get(event="concern.submitted").actor_role == "staff@oak"
    assert AuditEntry.objects.get(event="concern.viewed").actor_role == "staff@birch, dsl@oak"


def test_roles_change_later_but_the_entry_keeps_what_was_true(cast):
    client_for(cast.staff).get(reverse("concerns:child_search"), {"q": "Fernsby"})
    cast.staff.memberships.update(role="deputy_dsl")
    assert AuditEntry.objects.get(event="child.searched").actor_role == "staff@oak"
