"""Ids from site B in a site-A administrator's console URLs: 404, and nothing changes."""

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import Role
from accounts.models import Membership, TrainingRecord
from audit.models import AuditEntry
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def site_b_person(cast):
    """Someone who works only at site B, with an authenticator."""
    user = UserFactory(email="birch.person@test.example", full_name="Birch Person")
    MembershipFactory(user=user, site=cast.site_b, role=Role.STAFF)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def state(cast, person) -> tuple:
    person.refresh_from_db()
    cast.site_b.refresh_from_db()
    return (
        person.is_active,
        sorted(Membership.objects.filter(user=person).values_list("role", "starts_on", "ends_on")),
        TOTPDevice.objects.filter(user=person).count(),
        TrainingRecord.objects.filter(user=person).count(),
        (cast.site_b.day_starts, cast.site_b.review_cutoff, cast.site_b.holidays),
        # Each refused request writes its denial; anything else on the ledger would be a change.
        AuditEntry.objects.exclude(event__in=["account.login", "account.logout", "access.denied"]).count(),
    )


def test_site_b_ids_are_not_found_by_a_site_a_admin_and_nothing_changes(cast, site_b_person):
    membership = site_b_person.memberships.get()
    client = client_for(cast.admin)
    before = state(cast, site_b_person)
    requests = [
        ("get", reverse("console:user_detail", args=[site_b_person.pk]), {}),
        ("post", reverse("console:user_invite", args=[site_b_person.pk]), {}),
        ("post", reverse("console:user_deactivate", args=[site_b_person.pk]), {}),
        ("post", reverse("console:user_reactivate", args=[site_b_person.pk]), {}),
        ("post", reverse("console:user_mfa_reset", args=[site_b_person.pk]), {}),
        ("post", reverse("console:membership_new", args=[site_b_person.pk]), {"site": cast.site_a.pk, "role": "dsl"}),
        (
            "post",
            reverse("console:user_training", args=[site_b_person.pk]),
            {"kind": "induction", "completed_on": "2025-01-01"},
        ),
        ("post", reverse("console:membership_end", args=[membership.pk]), {}),
        ("post", reverse("console:membership_role", args=[membership.pk]), {"role": Role.DSL}),
        ("get", reverse("console:membership_role", args=[membership.pk]), {}),
        (
            "post",
            reverse("console:site_edit", args=[cast.site_b.pk]),
            {"working_days": ["0"], "day_starts": "06:00", "day_ends": "07:00", "review_cutoff": "06:30"},
        ),
        ("get", reverse("console:site_edit", args=[cast.site_b.pk]), {}),
        ("get", reverse("console:user_detail", args=[999999]), {}),
        ("get", reverse("console:membership_role", args=[999999]), {}),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, f"{method.upper()} {url}: {response.status_code}"
        assert "Birch Person" not in response.text and "Birchwood" not in response.text
    assert state(cast, site_b_person) == before
    assert mail.outbox == []


def test_site_b_people_do_not_appear_in_lists_or_search(cast, site_b_person):
    client = client_for(cast.admin)
    for query in ("Birch", "birch.person@", ""):
        assert "Birch Person" not in client.get(reverse("console:users"), {"q": query, "status": "all"}).text
    assert "Birch Person" not in client.get(reverse("console:training_overdue")).text


def test_a_site_b_membership_of_a_shared_person_is_not_the_site_a_admins(cast):
    shared = UserFactory(email="both@test.example", full_name="Both Sites")
    MembershipFactory(user=shared, site=cast.site_a, role=Role.STAFF)
    at_b = MembershipFactory(user=shared, site=cast.site_b, role=Role.DSL)
    client = client_for(cast.admin)
    assert client.get(reverse("console:user_detail", args=[shared.pk])).status_code == 200
    assert client.post(reverse("console:membership_end", args=[at_b.pk])).status_code == 404
    assert client.post(reverse("console:membership_role", args=[at_b.pk]), {"role": Role.STAFF}).status_code == 404
    at_b.refresh_from_db()
    assert at_b.ends_on is None and at_b.role == Role.DSL
