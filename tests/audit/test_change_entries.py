"""Every write path leaves its change on the ledger, with field names and no free text."""

import datetime

from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User
from audit.models import AuditEntry
from concerns.models import Concern, Share
from concerns.services.shares import share_grant
from tests.concerns.helpers import record_url, valid_post
from tests.conftest import client_for


def _changes_to(instance) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_pk=str(instance.pk),
            content_type__model=instance._meta.model_name,
            action__in=[AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE],
        )
    )


def test_recording_sharing_and_account_changes_are_on_the_ledger(cast):
    client_for(cast.staff).post(record_url(), valid_post(cast.child_a))
    concern = Concern.objects.get()
    assert _changes_to(concern), "submitting a concern leaves a change entry"
    share = share_grant(
        granted_by=cast.dsl,
        grantee=cast.staff2,
        concern=concern,
        reason="Words not kept.",
        ends_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    assert _changes_to(share)
    membership = Membership.objects.get(user=cast.staff2)
    membership.ends_on = timezone.localdate()
    membership.save()
    assert any("ends_on" in (entry.changes or {}) for entry in _changes_to(membership))
    cast.staff2.full_name = "Robin Renamed"
    cast.staff2.set_password("another-long-passphrase")
    cast.staff2.save()
    user_changes = [entry.changes or {} for entry in _changes_to(User.objects.get(pk=cast.staff2.pk))]
    assert any("full_name" in changes for changes in user_changes)
    assert not any("password" in changes for changes in user_changes)
    ledger = " ".join(str(row) for row in AuditEntry.objects.values_list("changes", "additional_data"))
    for secret in ("Words not kept.", "toast", "My dad said", "another-long-passphrase"):
        assert secret not in ledger
    assert Share.objects.count() == 1


def test_entries_record_the_clients_own_address_not_a_forged_header(cast):
    client = client_for(cast.staff)
    client.get(
        reverse("concerns:child_search"), {"q": "Fernsby"}, HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="192.0.2.44"
    )
    assert AuditEntry.objects.get(event="child.searched").remote_addr == "192.0.2.44"
