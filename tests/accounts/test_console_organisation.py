"""The organisation's settings in the console: MFA for staff, induction before recording."""

import re

from django.urls import reverse

from accounts.models import Organisation
from audit.models import AuditEntry
from tests.conftest import client_for


def test_organisation_settings_default_and_change_with_an_audit_entry(cast):
    client = client_for(cast.admin)
    page = client.get(reverse("console:organisation")).text
    assert re.search(r'name="mfa_required_for_staff"[^>]*checked', page)
    assert not re.search(r'name="induction_required_to_record"[^>]*checked', page)
    response = client.post(
        reverse("console:organisation"), {"mfa_required_for_staff": "on", "induction_required_to_record": "on"}
    )
    assert response.status_code == 302
    organisation = Organisation.current()
    assert organisation.mfa_required_for_staff and organisation.induction_required_to_record
    [entry] = AuditEntry.objects.filter(event="organisation.updated")
    assert entry.actor == cast.admin and entry.additional_data == {"fields": ["induction_required_to_record"]}
    client.post(reverse("console:organisation"), {"mfa_required_for_staff": "on", "induction_required_to_record": "on"})
    assert AuditEntry.objects.filter(event="organisation.updated").count() == 1  # nothing changed, nothing logged


def test_only_an_administrator_changes_the_settings(cast):
    for who in (cast.dsl, cast.staff, cast.auditor):
        response = client_for(who).post(reverse("console:organisation"), {"induction_required_to_record": "on"})
        assert response.status_code == 403
    organisation = Organisation.current()
    assert organisation.mfa_required_for_staff and not organisation.induction_required_to_record
    assert not AuditEntry.objects.filter(event="organisation.updated").exists()


def test_turning_off_mfa_for_staff_is_recorded(cast):
    client_for(cast.admin).post(reverse("console:organisation"), {})
    organisation = Organisation.current()
    assert not organisation.mfa_required_for_staff and not organisation.induction_required_to_record
    [entry] = AuditEntry.objects.filter(event="organisation.updated")
    assert entry.additional_data == {"fields": ["mfa_required_for_staff"]}
