"""The console's users: list, create or invite, deactivate, reactivate, reset MFA."""

import re
import time

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import Role
from accounts.models import Membership, User
from accounts.services.auth import MFA_VERIFIED_AT
from audit.models import AuditEntry
from tests.conftest import client_for
from tests.factories import PASSWORD, MembershipFactory, UserFactory


def events(event: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event=event).order_by("id"))


def new_user_post(site, **overrides) -> dict:
    data = {
        "full_name": "Noor Newcomer",
        "email": "Noor.Newcomer@Test.Example ",
        "site": site.pk,
        "role": Role.STAFF,
        "ends_on": "",
        "invite": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def person(cast) -> User:
    """A member of staff at site A whom the site's administrator manages."""
    user = UserFactory(email="kit@test.example", full_name="Kit Teacher")
    MembershipFactory(user=user, site=cast.site_a, role=Role.STAFF)
    return user


# The list


def test_the_list_shows_people_of_the_admins_sites_with_roles_and_mfa(cast, person):
    TOTPDevice.objects.create(user=person, name="phone", confirmed=True)
    TOTPDevice.objects.create(user=cast.staff2, name="unconfirmed", confirmed=False)
    page = client_for(cast.admin).get(reverse("console:users")).text
    row = re.search(r"Kit Teacher.*?</tr>", page, re.S).group(0)
    assert "Staff at Oakfield Test School" in row and "Enrolled" in row and "Not enrolled" not in row
    row = re.search(r"Robin Second.*?</tr>", page, re.S).group(0)
    assert "Not enrolled" in row  # an unconfirmed authenticator is not enrolment
    assert "Bo Birchlead" not in page and "Bea Birchstaff" not in page  # site B's people


def test_recovery_codes_alone_count_as_enrolled_as_django_otp_lists_them(cast, person):
    StaticDevice.objects.create(user=person, name="backup", confirmed=True)
    page = client_for(cast.admin).get(reverse("console:users"), {"q": "kit"}).text
    assert "Enrolled" in page and "Not enrolled" not in page


def test_search_by_name_or_email_and_filter_active(cast, person):
    client = client_for(cast.admin)
    by_name = client.get(reverse("console:users"), {"q": "teach"}).text
    assert "Kit Teacher" in by_name and "Sam Staffer" not in by_name
    by_email = client.get(reverse("console:users"), {"q": "staff2@"}).text
    assert "Robin Second" in by_email and "Kit Teacher" not in by_email
    person.is_active = False
    person.save()
    assert "Kit Teacher" not in client.get(reverse("console:users")).text
    inactive = client.get(reverse("console:users"), {"status": "inactive"}).text
    assert "Kit Teacher" in inactive and "Sam Staffer" not in inactive
    everyone = client.get(reverse("console:users"), {"status": "all"}).text
    assert "Kit Teacher" in everyone and "Sam Staffer" in everyone


def test_a_person_at_two_sites_shows_only_the_admins_site_roles(cast, person):
    MembershipFactory(user=person, site=cast.site_b, role=Role.DSL)
    page = client_for(cast.admin).get(reverse("console:users"), {"q": "kit"}).text
    assert "Staff at Oakfield Test School" in page
    assert "Birchwood" not in page


def test_the_user_list_runs_a_constant_number_of_queries(cast, django_assert_max_num_queries):
    client = client_for(cast.admin)
    client.get(reverse("console:users"))
    for _ in range(15):
        MembershipFactory(user=UserFactory(), site=cast.site_a, role=Role.STAFF)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("console:users"))
    assert response.text.count("Staff at Oakfield Test School") >= 17


# Create and invite


def test_create_and_invite_makes_the_account_membership_email_and_ledger_entries(cast):
    client = client_for(cast.admin)
    response = client.post(reverse("console:user_new"), new_user_post(cast.site_a))
    user = User.objects.get(email="noor.newcomer@test.example")
    assert response.status_code == 302 and response["Location"] == reverse("console:user_detail", args=[user.pk])
    assert user.full_name == "Noor Newcomer" and user.is_active and not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert (membership.site, membership.role, membership.ends_on) == (cast.site_a, Role.STAFF, None)
    assert [(e.actor, e.site_id) for e in events("account.created")] == [(cast.admin, cast.site_a.pk)]
    assert [(e.object_pk, e.site_id) for e in events("membership.added")] == [(str(membership.pk), cast.site_a.pk)]
    assert [(e.object_pk, e.site_id) for e in events("account.invited")] == [(str(user.pk), cast.site_a.pk)]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["noor.newcomer@test.example"]
    assert "Oakfield Test School" in mail.outbox[0].body


def test_the_invitation_link_lets_the_person_choose_a_password(cast):
    client_for(cast.admin).post(reverse("console:user_new"), new_user_post(cast.site_a))
    user = User.objects.get(email="noor.newcomer@test.example")
    link = re.search(r"(https?://\S+)(/accounts/password/reset/\S+/\S+/)", mail.outbox[0].body)
    assert link.group(1) == settings.VIGIL_BASE_URL.rstrip("/")
    visitor = client_for(None)
    opened = visitor.get(link.group(2))
    assert opened.status_code == 302  # Django moves the token out of the address bar
    assert visitor.get(opened["Location"]).status_code == 200
    new_password = "a long fictional passphrase 42"
    done = visitor.post(opened["Location"], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_create_without_invitation_sends_nothing_and_can_invite_later(cast):
    client = client_for(cast.admin)
    client.post(reverse("console:user_new"), new_user_post(cast.site_a, invite=""))
    user = User.objects.get(email="noor.newcomer@test.example")
    assert mail.outbox == [] and events("account.invited") == []
    client.post(reverse("console:user_invite", args=[user.pk]))
    assert len(mail.outbox) == 1 and "password/reset/" in mail.outbox[0].body
    assert len(events("account.invited")) == 1


def test_the_invitation_carries_no_token_or_password_into_the_ledger(cast):
    client_for(cast.admin).post(reverse("console:user_new"), new_user_post(cast.site_a))
    token = re.search(r"/password/reset/[^/]+/([^/]+)/", mail.outbox[0].body).group(1)
    for entry in AuditEntry.objects.all():
        assert token not in str(entry.additional_data) and token not in str(entry.changes)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "STAFF@test.example"}, "email", "An account with this email address already exists"),
        ({"role": Role.AUDITOR}, "ends_on", "An auditor&#x27;s access must have an end date"),
        ({"ends_on": "2020-01-31"}, "ends_on", "The end date is in the past"),
        ({"email": "not-an-email"}, "email", "Enter an email address like name@school.org."),
        ({"full_name": "  "}, "full_name", "Enter the person&#x27;s full name."),
        ({"role": "superuser"}, "role", "Choose a role."),
        ({"ends_on": "2027-02-30"}, "ends_on", "Enter a real date"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_creates_nothing(cast, overrides, field, message):
    users_before = User.objects.count()
    response = client_for(cast.admin).post(reverse("console:user_new"), new_user_post(cast.site_a, **overrides))
    assert response.status_code == 200
    error = re.search(rf'id="id_{field}_error">(.*?)</div>', response.text, re.S)
    assert error and message in error.group(1)
    assert "There is a problem" in response.text
    assert User.objects.count() == users_before and mail.outbox == []
    assert events("account.created") == [] and events("membership.added") == []


def test_an_auditor_with_an_end_date_is_created(cast):
    client_for(cast.admin).post(
        reverse("console:user_new"), new_user_post(cast.site_a, role=Role.AUDITOR, ends_on="2099-07-31")
    )
    membership = Membership.objects.get(user__email="noor.newcomer@test.example")
    assert membership.role == Role.AUDITOR and membership.ends_on.isoformat() == "2099-07-31"


def test_a_site_the_admin_does_not_administer_cannot_be_chosen(cast):
    response = client_for(cast.admin).post(reverse("console:user_new"), new_user_post(cast.site_b))
    assert "Choose one of the sites you administer." in response.text
    assert not User.objects.filter(email="noor.newcomer@test.example").exists()
    assert "Birchwood" not in client_for(cast.admin).get(reverse("console:user_new")).text


def test_a_mail_server_failure_saves_nothing(cast, settings):
    settings.EMAIL_BACKEND = "tests.accounts.test_console_users.RefusingBackend"
    response = client_for(cast.admin).post(reverse("console:user_new"), new_user_post(cast.site_a))
    assert response.status_code == 200 and "could not be sent" in response.text
    assert not User.objects.filter(email="noor.newcomer@test.example").exists()
    assert events("account.created") == []


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


# Deactivate and reactivate


def test_deactivation_ends_a_signed_in_session_at_the_next_request(cast, person):
    signed_in = client_for(person)
    assert signed_in.get(reverse("concerns:home")).status_code == 200
    response = client_for(cast.admin).post(reverse("console:user_deactivate", args=[person.pk]))
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active and User.objects.filter(pk=person.pk).exists()  # never deleted
    after = signed_in.get(reverse("concerns:home"))
    assert after.status_code == 302 and after["Location"].startswith(reverse("accounts:login"))
    signing_in = client_for(None).post(reverse("accounts:login"), {"username": person.email, "password": PASSWORD})
    assert signing_in.status_code == 200 and "not right" in signing_in.text  # cannot sign in again
    [entry] = events("account.deactivated")
    assert (entry.actor, entry.object_pk, entry.site_id) == (cast.admin, str(person.pk), cast.site_a.pk)


def test_reactivation_restores_the_account(cast, person):
    client = client_for(cast.admin)
    client.post(reverse("console:user_deactivate", args=[person.pk]))
    client.post(reverse("console:user_reactivate", args=[person.pk]))
    person.refresh_from_db()
    assert person.is_active
    assert client_for(person).get(reverse("concerns:home")).status_code == 200
    assert len(events("account.reactivated")) == 1


def test_deactivating_twice_says_so_and_writes_one_entry(cast, person):
    client = client_for(cast.admin)
    client.post(reverse("console:user_deactivate", args=[person.pk]))
    page = client.post(reverse("console:user_deactivate", args=[person.pk]), follow=True).text
    assert "already deactivated" in page
    assert len(events("account.deactivated")) == 1


def test_role_and_account_changes_need_a_fresh_mfa_check(cast, person):
    client = client_for(cast.admin)
    session = client.session
    session[MFA_VERIFIED_AT] = time.time() - 3600
    session.save()
    assert client.get(reverse("console:users")).status_code == 200  # reading needs no fresh check
    membership = person.memberships.get()
    for url in (
        reverse("console:user_deactivate", args=[person.pk]),
        reverse("console:user_mfa_reset", args=[person.pk]),
        reverse("console:membership_end", args=[membership.pk]),
        reverse("console:membership_new", args=[person.pk]),
        reverse("console:membership_role", args=[membership.pk]),
    ):
        response = client.post(url, {"site": cast.site_a.pk, "role": Role.DSL})
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:mfa_verify"))
    person.refresh_from_db()
    membership.refresh_from_db()
    assert person.is_active and membership.ends_on is None and person.memberships.count() == 1
    assert events("account.deactivated") == [] and events("membership.ended") == []


def test_an_admin_cannot_deactivate_or_change_their_own_account(cast):
    client = client_for(cast.admin)
    own = cast.admin.memberships.get()
    assert client.post(reverse("console:user_deactivate", args=[cast.admin.pk])).status_code == 403
    assert client.post(reverse("console:membership_end", args=[own.pk])).status_code == 403
    assert client.get(reverse("console:membership_new", args=[cast.admin.pk])).status_code == 403
    response = client.post(
        reverse("console:membership_new", args=[cast.admin.pk]), {"site": cast.site_a.pk, "role": Role.DSL}
    )
    assert response.status_code == 403
    cast.admin.refresh_from_db()
    assert cast.admin.is_active and list(cast.admin.memberships.values_list("role", flat=True)) == [Role.ADMIN]
    page = client.get(reverse("console:user_detail", args=[cast.admin.pk])).text
    assert "Another administrator must change your roles" in page and "Deactivate account" not in page


def test_a_person_who_also_works_at_another_site_is_not_deactivated_from_here(cast, person):
    MembershipFactory(user=person, site=cast.site_b, role=Role.STAFF)
    client = client_for(cast.admin)
    page = client.get(reverse("console:user_detail", args=[person.pk])).text
    assert "also works at a site you do not administer" in page and "Deactivate account" not in page
    assert client.post(reverse("console:user_deactivate", args=[person.pk])).status_code == 403
    assert client.post(reverse("console:user_mfa_reset", args=[person.pk])).status_code == 403
    person.refresh_from_db()
    assert person.is_active


# MFA reset


def test_reset_mfa_removes_the_authenticator_and_is_audited(cast, person):
    TOTPDevice.objects.create(user=person, name="phone", confirmed=True)
    StaticDevice.objects.create(user=person, name="backup", confirmed=True)
    client = client_for(cast.admin)
    assert "Enrolled" in client.get(reverse("console:user_detail", args=[person.pk])).text
    response = client.post(reverse("console:user_mfa_reset", args=[person.pk]), follow=True)
    assert "set up MFA again" in response.text
    assert not TOTPDevice.objects.filter(user=person).exists() and not StaticDevice.objects.filter(user=person).exists()
    assert 'id="mfa-status">Not enrolled' in response.text
    assert [(e.actor, e.object_pk) for e in events("account.mfa_reset")] == [(cast.admin, str(person.pk))]


def test_the_user_page_shows_roles_and_training_but_nothing_of_other_sites(cast, person):
    MembershipFactory(user=person, site=cast.site_b, role=Role.DSL)
    page = client_for(cast.admin).get(reverse("console:user_detail", args=[person.pk])).text
    assert "Kit Teacher" in page and "kit@test.example" in page and "Staff" in page
    assert "Birchwood" not in page


def test_a_deactivated_account_gets_no_invitation(cast, person):
    person.is_active = False
    person.save()
    page = client_for(cast.admin).post(reverse("console:user_invite", args=[person.pk]), follow=True).text
    assert "reactivate it before sending an invitation" in page
    assert mail.outbox == [] and events("account.invited") == []
