"""Sharing: one named person, one concern or one child's record, for a reason, until a date."""

import datetime
import time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from guardian.models import UserObjectPermission

from accounts.models import Organisation, TrainingRecord
from accounts.services.auth import MFA_VERIFIED_AT
from audit.models import AuditEntry
from concerns.models import ConcernUserObjectPermission, Share
from concerns.services.shares import share_grant, shares_expire
from tests.conftest import client_for
from tests.factories import ConcernFactory, restricted_category


def _detail(concern):
    return reverse("concerns:detail", args=[concern.pk])


@pytest.fixture
def concerns(cast):
    """Three concerns at site A by staff: about Ada, about Bram, and a restricted one about Ada."""
    return {
        "ada": ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a]),
        "bram": ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a2]),
        "ada_restricted": ConcernFactory(
            site=cast.site_a, author=cast.staff, about=[cast.child_a], categories=[restricted_category()]
        ),
    }


def _share_form(client, url, grantee, reason="Needs to know for the TAF meeting.", days=14):
    ends_on = timezone.localdate() + datetime.timedelta(days=days)
    return client.post(url, {"grantee": grantee.pk if grantee else "", "reason": reason, "ends_on": ends_on})


def test_the_dsl_shares_one_concern_and_the_person_sees_only_that(cast, concerns):
    assert client_for(cast.staff2).get(_detail(concerns["ada"])).status_code == 404
    response = _share_form(
        client_for(cast.dsl), reverse("concerns:share_concern", args=[concerns["ada"].pk]), cast.staff2
    )
    assert response.status_code == 302

    reader = client_for(cast.staff2)
    page = reader.get(_detail(concerns["ada"]))
    assert page.status_code == 200 and "Arrived without a coat" in page.text
    assert concerns["ada"].reference in reader.get(reverse("concerns:shared")).text
    for other in ("bram", "ada_restricted"):
        assert reader.get(_detail(concerns[other])).status_code == 404
    # The grant lives in guardian's direct-foreign-key table, not its generic one.
    assert ConcernUserObjectPermission.objects.filter(user=cast.staff2, content_object=concerns["ada"]).exists()
    assert not UserObjectPermission.objects.exists()
    entry = AuditEntry.objects.get(event="share.granted")
    assert entry.actor == cast.dsl and entry.additional_data["object_ids"] == [cast.staff2.pk]
    assert "TAF" not in str(entry.additional_data) + entry.object_repr


def test_sharing_a_child_shows_their_unrestricted_concerns_only(cast, concerns):
    _share_form(client_for(cast.deputy), reverse("concerns:share_child", args=[cast.child_a.pk]), cast.staff2)
    reader = client_for(cast.staff2)
    assert reader.get(_detail(concerns["ada"])).status_code == 200
    assert reader.get(_detail(concerns["ada_restricted"])).status_code == 404
    assert reader.get(_detail(concerns["bram"])).status_code == 404
    later = ConcernFactory(site=cast.site_a, author=cast.dsl, about=[cast.child_a])
    assert reader.get(_detail(later)).status_code == 200  # the chronology, as it grows


def test_a_restricted_concern_reaches_a_deputy_only_through_an_explicit_share(cast, concerns):
    restricted = concerns["ada_restricted"]
    assert client_for(cast.deputy).get(_detail(restricted)).status_code == 404
    _share_form(client_for(cast.dsl), reverse("concerns:share_concern", args=[restricted.pk]), cast.deputy)
    assert client_for(cast.deputy).get(_detail(restricted)).status_code == 200


def test_revoking_takes_access_away_at_the_next_request_and_keeps_the_record(cast, concerns):
    share = share_grant(
        granted_by=cast.dsl,
        grantee=cast.staff2,
        concern=concerns["ada"],
        reason="Follow-up.",
        ends_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    reader = client_for(cast.staff2)
    assert reader.get(_detail(concerns["ada"])).status_code == 200
    dsl = client_for(cast.dsl)
    assert "Follow-up." in dsl.get(_detail(concerns["ada"])).text
    assert dsl.post(reverse("concerns:share_end", args=[share.pk])).status_code == 302
    assert reader.get(_detail(concerns["ada"])).status_code == 404
    share.refresh_from_db()
    assert share.revoked_by == cast.dsl and share.revoked_at is not None
    assert AuditEntry.objects.filter(event="share.revoked", object_id=share.pk).count() == 1


def test_a_share_ends_after_its_last_day_exactly_once(cast, concerns):
    share_grant(
        granted_by=cast.dsl,
        grantee=cast.staff2,
        concern=concerns["ada"],
        reason="Until Friday.",
        ends_on=timezone.localdate() + datetime.timedelta(days=2),
    )
    assert shares_expire() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2), tick=False):
        assert shares_expire() == 0  # still its last day
        assert client_for(cast.staff2).get(_detail(concerns["ada"])).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3), tick=False):
        assert shares_expire() == 1
        assert shares_expire() == 0
        assert client_for(cast.staff2).get(_detail(concerns["ada"])).status_code == 404
    assert AuditEntry.objects.filter(event="share.expired").count() == 1


def test_two_shares_of_one_concern_keep_access_until_both_end(cast, concerns):
    first = share_grant(
        granted_by=cast.dsl,
        grantee=cast.staff2,
        concern=concerns["ada"],
        reason="One.",
        ends_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    share_grant(
        granted_by=cast.deputy,
        grantee=cast.staff2,
        concern=concerns["ada"],
        reason="Two.",
        ends_on=timezone.localdate() + datetime.timedelta(days=9),
    )
    client_for(cast.dsl).post(reverse("concerns:share_end", args=[first.pk]))
    assert client_for(cast.staff2).get(_detail(concerns["ada"])).status_code == 200


@pytest.mark.parametrize(
    "who, status", [("staff", 403), ("auditor", 403), ("staff2", 404), ("dsl_b", 404), ("admin", 404)]
)
def test_only_the_dsl_team_shares(cast, concerns, who, status):
    response = _share_form(
        client_for(getattr(cast, who)), reverse("concerns:share_concern", args=[concerns["ada"].pk]), cast.staff2
    )
    assert response.status_code == status
    assert not Share.objects.exists() and not ConcernUserObjectPermission.objects.exists()


BAD_SHARES = {
    "nobody chosen": ({"grantee": None}, "Choose who to share with."),
    "no reason": ({"reason": "  "}, "Say why this person needs to see it."),
    "ended already": ({"days": -1}, "The end date cannot be in the past."),
    "over a year": ({"days": 400}, "A share can last at most a year"),
    "to an administrator": ({"grantee": "admin"}, "Choose someone at this school."),
    "to another school": ({"grantee": "dsl_b"}, "Choose someone at this school."),
    "to an ended membership": ({"grantee": "ended"}, "Choose someone at this school."),
}


@pytest.mark.parametrize("change, message", BAD_SHARES.values(), ids=BAD_SHARES.keys())
def test_a_bad_share_is_explained_and_grants_nothing(cast, concerns, change, message):
    grantee = cast.staff2
    if "grantee" in change:
        grantee = getattr(cast, change["grantee"]) if change["grantee"] else None
    kwargs = {key: value for key, value in change.items() if key != "grantee"}
    response = _share_form(
        client_for(cast.dsl), reverse("concerns:share_concern", args=[concerns["ada"].pk]), grantee, **kwargs
    )
    assert response.status_code == 400
    assert message in response.text.replace("&#x27;", "'")
    assert not Share.objects.exists() and not ConcernUserObjectPermission.objects.exists()


def test_a_share_grants_nothing_once_the_persons_membership_has_ended(cast, concerns):
    share_grant(
        granted_by=cast.dsl,
        grantee=cast.staff2,
        concern=concerns["ada"],
        reason="Follow-up.",
        ends_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    cast.staff2.memberships.update(ends_on=timezone.localdate() - datetime.timedelta(days=1))
    assert client_for(cast.staff2).get(_detail(concerns["ada"])).status_code == 404


def test_a_deactivated_user_is_signed_out_at_the_next_request(cast, concerns):
    client = client_for(cast.staff)
    assert client.get(_detail(concerns["ada"])).status_code == 200
    cast.staff.is_active = False
    cast.staff.save()
    response = client.get(_detail(concerns["ada"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_recording_can_wait_for_induction_when_the_organisation_asks(cast):
    organisation = Organisation.current()
    organisation.induction_required_to_record = True
    organisation.save()
    client = client_for(cast.staff)
    assert client.get(reverse("concerns:new")).status_code == 403
    TrainingRecord.objects.create(
        user=cast.staff, kind="induction", completed_on=timezone.localdate(), recorded_by=cast.admin
    )
    assert client.get(reverse("concerns:new")).status_code == 302


def test_the_share_form_offers_a_date_the_browser_can_show(cast, concerns):
    page = client_for(cast.dsl).get(reverse("concerns:share_concern", args=[concerns["ada"].pk]))
    default_end = timezone.localdate() + datetime.timedelta(days=30)
    # Day, month and year in boxes of their own (GOV.UK date input), not a locale-dependent picker.
    for part, value in (("day", default_end.day), ("month", default_end.month), ("year", default_end.year)):
        assert f'name="ends_on_{part}" id="id_ends_on_{part}" value="{value}"' in page.text
    assert 'type="date"' not in page.text


def test_sharing_asks_for_a_fresh_code_first(cast, concerns):
    client = client_for(cast.dsl)
    session = client.session
    session[MFA_VERIFIED_AT] = time.time() - 11 * 60
    session.save()
    url = reverse("concerns:share_concern", args=[concerns["ada"].pk])
    response = _share_form(client, url, cast.staff2)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:mfa_verify"))
    assert not Share.objects.exists()
