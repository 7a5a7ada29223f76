"""Lifting a concern's restriction is a DSL's recorded decision on that concern (issue 7)."""

import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.services.auth import MFA_VERIFIED_AT
from audit.models import AuditEntry
from concerns.models import Concern
from concerns.services.restriction import concern_restriction_lift
from tests.conftest import client_for
from tests.factories import ConcernFactory, restricted_category

REASON = "The police investigation has closed; the deputies now lead the early help plan."


@pytest.fixture
def restricted(cast):
    return ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a], categories=[restricted_category()])


def _lift_url(concern):
    return reverse("concerns:restriction_lift", args=[concern.pk])


def test_the_dsl_lifts_a_restriction_with_a_reason_and_the_deputy_can_then_read_it(cast, restricted):
    deputy = client_for(cast.deputy)
    assert deputy.get(reverse("concerns:detail", args=[restricted.pk])).status_code == 404
    dsl = client_for(cast.dsl)
    assert "Lift the restriction" in dsl.get(reverse("concerns:detail", args=[restricted.pk])).text
    response = dsl.post(_lift_url(restricted), {"reason": REASON, "confirm": "on"})
    assert response.status_code == 302
    restricted.refresh_from_db()
    assert not restricted.is_restricted and restricted.restriction_lifted_by == cast.dsl
    assert deputy.get(reverse("concerns:detail", args=[restricted.pk])).status_code == 200
    entry = AuditEntry.objects.get(event="concern.restriction_lifted")
    assert entry.actor == cast.dsl and entry.additional_data["object_ids"] == [cast.child_a.pk]
    # The reason is kept with the concern, not copied into the ledger.
    assert "police" not in str(entry.changes) + str(entry.additional_data)
    assert not AuditEntry.objects.filter(changes__icontains="police").exists()


def test_without_a_reason_or_the_confirmation_nothing_changes_and_what_was_typed_stays(cast, restricted):
    dsl = client_for(cast.dsl)
    response = dsl.post(_lift_url(restricted), {"reason": REASON})
    assert response.status_code == 400 and "Tick the box" in response.text and REASON in response.text
    response = dsl.post(_lift_url(restricted), {"reason": "  ", "confirm": "on"})
    assert response.status_code == 400 and "Say why" in response.text
    restricted.refresh_from_db()
    assert restricted.is_restricted
    assert not AuditEntry.objects.filter(event="concern.restriction_lifted").exists()


def test_a_deputy_or_the_author_cannot_lift_it(cast, restricted):
    for user in (cast.deputy, cast.staff, cast.auditor):
        with pytest.raises(PermissionDenied):
            concern_restriction_lift(dsl=user, concern=restricted, reason=REASON)
    assert Concern.objects.get(pk=restricted.pk).is_restricted


def test_an_unrestricted_concern_has_nothing_to_lift(cast):
    plain = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a])
    with pytest.raises(ValidationError):
        concern_restriction_lift(dsl=cast.dsl, concern=plain, reason=REASON)


def test_lifting_asks_for_a_fresh_code(cast, restricted):
    dsl = client_for(cast.dsl)
    session = dsl.session
    session[MFA_VERIFIED_AT] = time.time() - 11 * 60
    session.save()
    response = dsl.post(_lift_url(restricted), {"reason": REASON, "confirm": "on"})
    assert response.status_code == 302 and reverse("accounts:mfa_verify") in response["Location"]
    assert Concern.objects.get(pk=restricted.pk).is_restricted
