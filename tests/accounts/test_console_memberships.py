"""Memberships in the console: add a role, end it at once, change it (end one, add another)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership, User
from audit.models import AuditEntry
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory

TODAY = timezone.localdate


def events(event: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event=event).order_by("id"))


@pytest.fixture
def person(cast) -> User:
    user = UserFactory(email="kit@test.example", full_name="Kit Teacher")
    MembershipFactory(user=user, site=cast.site_a, role=Role.STAFF)
    return user


def test_adding_a_role_gives_access_from_today_and_is_audited(cast, person):
    response = client_for(cast.admin).post(
        reverse("console:membership_new", args=[person.pk]), {"site": cast.site_a.pk, "role": Role.DEPUTY_DSL}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=person, role=Role.DEPUTY_DSL)
    assert (membership.site, membership.starts_on, membership.ends_on) == (cast.site_a, TODAY(), None)
    [entry] = events("membership.added")
    assert (entry.actor, entry.object_pk, entry.site_id) == (cast.admin, str(membership.pk), cast.site_a.pk)
    assert Membership.objects.active().filter(user=person, role=Role.DEPUTY_DSL).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"role": Role.AUDITOR, "ends_on": ""}, "ends_on", "An auditor&#x27;s access must have an end date"),
        ({"role": Role.DSL, "ends_on": "2021-03-01"}, "ends_on", "The end date is in the past"),
        ({"role": Role.STAFF}, "role", "already has the role Staff at Oakfield Test School"),
        ({"role": ""}, "role", "Choose a role."),
    ],
)
def test_bad_membership_input_is_explained_and_changes_nothing(cast, person, data, field, message):
    response = client_for(cast.admin).post(
        reverse("console:membership_new", args=[person.pk]), {"site": cast.site_a.pk, **data}
    )
    assert response.status_code == 200
    assert message in response.text.split(f'id="id_{field}_error"')[1].split("</div>")[0]
    assert list(person.memberships.values_list("role", flat=True)) == [Role.STAFF]
    assert events("membership.added") == []


def test_an_auditor_membership_with_an_end_date_is_added(cast, person):
    ends = TODAY() + datetime.timedelta(days=30)
    client_for(cast.admin).post(
        reverse("console:membership_new", args=[person.pk]),
        {"site": cast.site_a.pk, "role": Role.AUDITOR, "ends_on": ends.isoformat()},
    )
    assert person.memberships.get(role=Role.AUDITOR).ends_on == ends


def test_a_membership_at_another_site_cannot_be_added(cast, person):
    response = client_for(cast.admin).post(
        reverse("console:membership_new", args=[person.pk]), {"site": cast.site_b.pk, "role": Role.DSL}
    )
    assert "Choose one of the sites you administer." in response.text
    assert not person.memberships.filter(site=cast.site_b).exists()


def test_ending_a_membership_removes_access_at_the_next_request(cast, person):
    signed_in = client_for(person)
    assert signed_in.get(reverse("concerns:new")).status_code == 302  # may record: off to the form
    membership = person.memberships.get()
    response = client_for(cast.admin).post(reverse("console:membership_end", args=[membership.pk]))
    assert response.status_code == 302
    membership.refresh_from_db()
    # ends_on is the last day with access: yesterday, so nothing is granted for the rest of today.
    assert membership.ends_on == TODAY() - datetime.timedelta(days=1)
    assert not Membership.objects.active().filter(pk=membership.pk).exists()
    assert signed_in.get(reverse("concerns:new")).status_code == 403
    [entry] = events("membership.ended")
    assert (entry.object_pk, entry.site_id) == (str(membership.pk), cast.site_a.pk)


def test_ending_an_ended_membership_says_so(cast):
    membership = cast.ended.memberships.get()
    page = client_for(cast.admin).post(reverse("console:membership_end", args=[membership.pk]), follow=True).text
    assert "already ended" in page
    assert events("membership.ended") == []


def test_changing_a_role_ends_the_old_membership_and_starts_a_new_one(cast, person):
    old = person.memberships.get()
    response = client_for(cast.admin).post(reverse("console:membership_role", args=[old.pk]), {"role": Role.DSL})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.ends_on == TODAY() - datetime.timedelta(days=1)
    new = person.memberships.get(role=Role.DSL)
    assert (new.starts_on, new.ends_on) == (TODAY(), None)
    assert list(Membership.objects.active().filter(user=person).values_list("role", flat=True)) == [Role.DSL]
    assert [e.object_pk for e in events("membership.ended")] == [str(old.pk)]
    assert [e.object_pk for e in events("membership.added")] == [str(new.pk)]


def test_changing_back_to_an_earlier_role_reopens_it(cast, person):
    client = client_for(cast.admin)
    staff = person.memberships.get()
    client.post(reverse("console:membership_role", args=[staff.pk]), {"role": Role.DSL})
    dsl = person.memberships.get(role=Role.DSL)
    client.post(reverse("console:membership_role", args=[dsl.pk]), {"role": Role.STAFF})
    assert list(Membership.objects.active().filter(user=person).values_list("role", flat=True)) == [Role.STAFF]
    assert person.memberships.count() == 2
    assert len(events("membership.added")) == 2 and len(events("membership.ended")) == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"role": Role.STAFF}, "role", "Choose a role different from the current one."),
        ({"role": Role.AUDITOR}, "ends_on", "An auditor&#x27;s access must have an end date"),
        ({"role": Role.DSL, "ends_on": "2001-01-01"}, "ends_on", "The end date is in the past"),
    ],
)
def test_a_bad_role_change_changes_nothing(cast, person, data, field, message):
    old = person.memberships.get()
    response = client_for(cast.admin).post(reverse("console:membership_role", args=[old.pk]), data)
    assert response.status_code == 200
    assert message in response.text.split(f'id="id_{field}_error"')[1].split("</div>")[0]
    old.refresh_from_db()
    assert old.ends_on is None and person.memberships.count() == 1
    assert events("membership.ended") == [] and events("membership.added") == []
