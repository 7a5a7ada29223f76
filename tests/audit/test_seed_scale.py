"""seed_scale builds the fictional organisation the benchmarks run on; its ledger verifies."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from accounts.choices import Role
from accounts.models import Membership, Organisation, Site, User
from audit.chain import named_object_ids
from audit.models import AuditEntry, AuditEntryObject
from concerns.models import Child, Concern, ConcernChild
from tests.audit.test_ledger_integrity import run_verify

TINY = ["--sites", "3", "--children", "45", "--concerns", "90", "--ledger", "1200"]


def test_a_tiny_organisation_is_built_and_its_whole_ledger_verifies(db):
    Organisation.current()  # its creation is on the ledger too; seed_scale then writes exactly --ledger entries
    before = AuditEntry.objects.count()
    # --force: the default test database is SQLite; on PostgreSQL this empty one would pass anyway.
    call_command("seed_scale", *TINY, "--force", stdout=io.StringIO())
    assert (Site.objects.count(), Child.objects.count(), Concern.objects.count()) == (3, 45, 90)
    assert AuditEntry.objects.count() == before + 1200
    for site in Site.objects.all():
        roles = list(Membership.objects.filter(site=site).values_list("role", flat=True))
        assert roles.count(Role.DSL) == 1 and roles.count(Role.DEPUTY_DSL) >= 2 and roles.count(Role.STAFF) >= 3
        assert Concern.objects.filter(site=site).exists()
    largest = Site.objects.order_by("id").first()
    assert Concern.objects.filter(site=largest).count() > Concern.objects.count() / 3
    # Every concern names children on its own site's roll, and is on the ledger as submitted.
    assert not ConcernChild.objects.exclude(child__site=F("concern__site")).exists()
    assert AuditEntry.objects.filter(event="concern.submitted").count() == 90
    code, output = run_verify()
    assert code == 0, output
    assert f"OK: {AuditEntry.objects.count()} sealed entries verified" in output
    assert "0 not yet sealed" in output
    named = sum(len(named_object_ids(data)) for data in AuditEntry.objects.values_list("additional_data", flat=True))
    assert AuditEntryObject.objects.count() == named > 0


def test_it_refuses_a_database_with_real_data_or_not_postgresql(cast):
    people = User.objects.count()
    with pytest.raises(CommandError, match="PostgreSQL|already holds people"):
        call_command("seed_scale", *TINY, stdout=io.StringIO())
    assert User.objects.count() == people and Concern.objects.count() == 0
