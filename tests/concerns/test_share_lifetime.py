"""Shares grant only while they should, read at read time; and only people who can see what was
shared manage the share (issue 7: the holes a review found)."""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership
from audit.models import AuditEntry
from concerns import policy
from concerns.models import Share
from concerns.services.shares import share_grant, share_revoke
from tests.conftest import client_for
from tests.factories import ConcernFactory, MembershipFactory, SiteFactory, restricted_category


def _detail(concern):
    return reverse("concerns:detail", args=[concern.pk])


@pytest.fixture
def concern(cast):
    return ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a])


@pytest.fixture
def restricted(cast):
    return ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a], categories=[restricted_category()])


def _end_membership(user, site):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Membership.objects.filter(user=user, site=site).update(ends_on=yesterday)


def _share(cast, *, concern=None, child=None, grantee=None, days=3):
    return share_grant(
        granted_by=cast.dsl,
        grantee=grantee or cast.staff2,
        concern=concern,
        child=child,
        reason="Attending the review meeting.",
        ends_on=timezone.localdate() + datetime.timedelta(days=days),
    )


def test_a_share_past_its_end_date_grants_nothing_even_if_the_sweep_never_ran(cast, concern):
    _share(cast, concern=concern, days=2)
    assert client_for(cast.staff2).get(_detail(concern)).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        # The sweep has not run: the guardian grant is still there, and still grants nothing.
        assert Share.objects.filter(revoked_at__isnull=True).count() == 1
        assert client_for(cast.staff2).get(_detail(concern)).status_code == 404
        assert not policy.concerns_visible_to(cast.staff2).exists()


def test_a_child_share_past_its_end_date_grants_nothing(cast, concern):
    _share(cast, child=cast.child_a, days=1)
    assert policy.concerns_visible_to(cast.staff2).filter(pk=concern.pk).exists()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        assert not policy.concerns_visible_to(cast.staff2).exists()


def test_a_revoked_share_grants_nothing_even_if_its_guardian_grant_is_left_behind(cast, concern):
    share = _share(cast, concern=concern)
    Share.objects.filter(pk=share.pk).update(revoked_at=timezone.now(), revoked_by=cast.dsl)
    assert client_for(cast.staff2).get(_detail(concern)).status_code == 404


def test_a_share_ends_when_the_grantees_membership_at_that_site_ends(cast, concern):
    _share(cast, concern=concern, child=None)
    assert client_for(cast.staff2).get(_detail(concern)).status_code == 200
    # They leave Oakfield and become an administrator at another school: the share is dead.
    _end_membership(cast.staff2, cast.site_a)
    MembershipFactory(user=cast.staff2, site=SiteFactory(name="Hazelmere School", code="hazel"), role=Role.ADMIN)
    MembershipFactory(user=cast.staff2, site=cast.site_b, role=Role.STAFF)
    assert client_for(cast.staff2).get(_detail(concern)).status_code == 404
    assert not policy.concerns_visible_to(cast.staff2).filter(pk=concern.pk).exists()


def test_a_share_does_not_survive_a_change_to_an_administrator_role_at_the_same_site(cast, concern):
    _share(cast, concern=concern)
    _end_membership(cast.staff2, cast.site_a)
    MembershipFactory(user=cast.staff2, site=cast.site_a, role=Role.ADMIN)
    assert not policy.concerns_visible_to(cast.staff2).filter(pk=concern.pk).exists()


def test_administrators_and_auditors_are_never_offered_or_accepted_as_grantees(cast, concern):
    page = client_for(cast.dsl).get(reverse("concerns:share_concern", args=[concern.pk]))
    assert page.status_code == 200
    assert cast.staff2.full_name in page.text
    assert cast.admin.full_name not in page.text and cast.auditor.full_name not in page.text
    for grantee in (cast.admin, cast.auditor):
        with pytest.raises(ValidationError) as refused:
            _share(cast, concern=concern, grantee=grantee)
        assert "administrator or auditor" in str(refused.value)
    assert not Share.objects.exists()


def test_a_deputy_cannot_end_or_see_a_share_of_a_concern_they_cannot_see(cast, restricted):
    share = _share(cast, concern=restricted, grantee=cast.staff2)
    deputy = client_for(cast.deputy)
    response = deputy.post(reverse("concerns:share_end", args=[share.pk]))
    assert response.status_code == 404
    assert cast.staff2.full_name not in response.text
    share.refresh_from_db()
    assert share.revoked_at is None
    assert not AuditEntry.objects.filter(event="share.revoked").exists()
    with pytest.raises(PermissionDenied):
        share_revoke(revoked_by=cast.deputy, share=share)
    # Nor can the deputy share it on.
    assert deputy.get(reverse("concerns:share_concern", args=[restricted.pk])).status_code == 404
    assert not policy.can_share(cast.deputy, restricted)


def test_the_dsl_still_ends_a_share_of_a_restricted_concern(cast, restricted):
    share = _share(cast, concern=restricted, grantee=cast.staff2)
    assert client_for(cast.dsl).post(reverse("concerns:share_end", args=[share.pk])).status_code == 302
    share.refresh_from_db()
    assert share.revoked_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_clicks_on_end_share_at_once_write_one_entry(cast, concern):
    if connection.vendor != "postgresql":
        # SQLite serialises whole-database writes; the row lock is what PostgreSQL needs.
        share = _share(cast, concern=concern)
        share_revoke(revoked_by=cast.dsl, share=share)
        share_revoke(revoked_by=cast.dsl, share=share)
        assert AuditEntry.objects.filter(event="share.revoked").count() == 1
        return
    share = _share(cast, concern=concern)
    barrier = threading.Barrier(4)
    errors = []

    def click():
        try:
            barrier.wait()
            client_for(cast.dsl).post(reverse("concerns:share_end", args=[share.pk]))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert AuditEntry.objects.filter(event="share.revoked").count() == 1


def test_shared_with_me_lists_only_shares_that_still_grant(cast, concern):
    _share(cast, concern=concern, days=1)
    page = client_for(cast.staff2).get(reverse("concerns:shared"))
    assert concern.reference in page.text
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        page = client_for(cast.staff2).get(reverse("concerns:shared"))
        assert concern.reference not in page.text
