"""The second factor: who must use it, enrolment, codes that work once, recovery codes, reset, fresh checks."""

import re
import time
from base64 import b32decode

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.decorators import recent_mfa_required
from accounts.models import Organisation
from accounts.services.auth import MFA_VERIFIED_AT
from accounts.services.mfa import DEMO_RECOVERY_CODES, DEMO_TOTP_SECRETS, mfa_device_install, mfa_reset
from audit.models import AuditEntry
from tests.conftest import authenticator_for, client_for, current_code, sign_in_with_code
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory

HOME = reverse("concerns:home")
MFA = reverse("accounts:mfa_verify")
ENROL = reverse("accounts:mfa_enrol")


def password_step(user, client=None) -> Client:
    client = client or Client()
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def code_at(key_hex: str, when: float) -> str:
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = when
    return f"{totp.token():06d}"


def events(name: str):
    return list(AuditEntry.objects.filter(event=name).order_by("id"))


@pytest.mark.parametrize("who", ["staff", "deputy", "dsl", "admin", "auditor", "ended"])
def test_after_the_password_every_page_asks_for_the_code_first(cast, who):
    user = getattr(cast, who)
    authenticator_for(user)
    client = password_step(user)
    for url in (HOME, reverse("concerns:mine"), reverse("accounts:password_change")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(MFA), url
    page = client.get(MFA)
    assert "Enter your code" in page.text
    assert "Find a child" not in page.text  # no menu until the code is in


def test_a_right_code_signs_in_and_returns_to_the_page_asked_for(cast):
    device = authenticator_for(cast.dsl)
    client = Client()
    client.post(reverse("accounts:login"), {"username": cast.dsl.email, "password": PASSWORD})
    response = client.post(f"{MFA}?next=/concerns/mine/", {"code": current_code(device), "next": "/concerns/mine/"})
    assert response.status_code == 302 and response["Location"] == "/concerns/mine/"
    assert client.get(reverse("concerns:mine")).status_code == 200
    assert len(events("account.mfa_verified")) == 1


def test_a_wrong_code_is_refused_next_to_the_field_and_audited_without_the_code(cast):
    authenticator_for(cast.dsl)
    client = password_step(cast.dsl)
    response = client.post(MFA, {"code": "000000"})
    assert response.status_code == 200
    assert "That code is not right" in response.text and 'id="id_code_error"' in response.text
    assert client.get(HOME).status_code == 302
    [failed] = events("account.mfa_failed")
    assert failed.actor == cast.dsl and "000000" not in str(failed.additional_data) + failed.changes_text


def test_a_code_cannot_be_used_twice(cast):
    device = authenticator_for(cast.dsl)
    with time_machine.travel(1_900_000_000, tick=False):
        code = code_at(device.key, time.time())
        first = password_step(cast.dsl)
        assert first.post(MFA, {"code": code}).status_code == 302
        second = password_step(cast.dsl)
        response = second.post(MFA, {"code": code})
    assert response.status_code == 200 and "used already" in response.text
    assert second.get(HOME).status_code == 302
    device.refresh_from_db()
    assert device.last_t == 1_900_000_000 // 30


def test_wrong_codes_make_the_next_try_wait(cast):
    device = authenticator_for(cast.dsl)
    with time_machine.travel(1_900_000_000, tick=False) as clock:
        client = password_step(cast.dsl)
        client.post(MFA, {"code": "111111"})
        client.post(MFA, {"code": "222222"})
        refused = client.post(MFA, {"code": code_at(device.key, time.time())})
        assert "Too many wrong codes" in refused.text
        clock.shift(60)
        assert client.post(MFA, {"code": code_at(device.key, time.time())}).status_code == 302


def test_a_recovery_code_works_once_and_says_how_many_are_left(cast):
    mfa_device_install(
        user=cast.dsl, secret_base32=DEMO_TOTP_SECRETS["dsl@example.org"], recovery_codes=DEMO_RECOVERY_CODES
    )
    client = password_step(cast.dsl)
    response = client.post(MFA, {"code": "DEMO-RECOVERY-03"}, follow=True)
    assert response.status_code == 200 and "You have 9 left" in response.text
    again = password_step(cast.dsl)
    refused = again.post(MFA, {"code": "demo-recovery-03"})
    assert refused.status_code == 200 and "not right" in refused.text
    [used] = events("account.recovery_code_used")
    assert used.actor == cast.dsl and "recovery" not in str(used.additional_data)


def enrol(client: Client, user) -> tuple[str, list[str]]:
    page = client.get(ENROL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    assert bytes.fromhex(device.key) == b32decode(secret)
    done = client.post(ENROL, {"code": code_at(device.key, time.time())})
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", done.text)
    return done.text, codes


def test_someone_without_an_authenticator_enrols_with_a_qr_code_and_gets_ten_recovery_codes(cast):
    client = password_step(cast.deputy)
    assert client.get(HOME)["Location"].startswith(MFA)
    assert client.get(MFA)["Location"].startswith(ENROL)
    page = client.get(ENROL)
    assert '<svg class="qr-code" role="img"' in page.text and "data:" not in page.text
    text, codes = enrol(client, cast.deputy)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "will not be shown again" in text
    assert client.get(HOME).status_code == 200
    assert StaticToken.objects.filter(device__user=cast.deputy).count() == 10
    # Shown once: the enrolment page now sends them to enter a code, and shows no codes.
    assert client.get(ENROL).status_code == 302
    [enrolled] = events("account.mfa_enrolled")
    assert enrolled.actor == cast.deputy
    assert not any(
        code.replace("-", "") in str(entry.additional_data)
        for entry in events("account.mfa_enrolled")
        for code in codes
    )
    # A recovery code from the page signs in once.
    later = password_step(cast.deputy)
    assert later.post(MFA, {"code": codes[0]}).status_code == 302


def test_the_enrolment_secret_stays_the_same_until_confirmed_and_a_wrong_code_changes_nothing(cast):
    client = password_step(cast.deputy)
    first = client.get(ENROL).text
    response = client.post(ENROL, {"code": "123456"})
    assert response.status_code == 200 and "not right" in response.text
    assert not TOTPDevice.objects.filter(user=cast.deputy, confirmed=True).exists()
    assert client.get(ENROL).text.count("totp-secret") == first.count("totp-secret")
    assert TOTPDevice.objects.filter(user=cast.deputy).count() == 1
    assert client.get(HOME).status_code == 302


def test_a_password_alone_cannot_enrol_a_second_authenticator(cast):
    authenticator_for(cast.dsl)
    client = password_step(cast.dsl)
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"].startswith(MFA)
    assert client.post(ENROL, {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=cast.dsl).count() == 1


def test_staff_sign_in_without_a_code_when_the_organisation_turns_it_off_but_dsls_never_do(cast):
    Organisation.objects.update_or_create(pk=1, defaults={"mfa_required_for_staff": False})
    staff = password_step(cast.staff)
    assert staff.get(HOME).status_code == 200
    dsl = password_step(cast.dsl)
    assert dsl.get(HOME)["Location"].startswith(MFA)
    # Staff who chose to enrol are still asked for their code.
    authenticator_for(cast.staff2)
    assert password_step(cast.staff2).get(HOME)["Location"].startswith(MFA)


def test_an_administrators_reset_makes_the_person_enrol_again(cast):
    authenticator_for(cast.dsl)
    signed_in = client_for(cast.dsl)
    assert signed_in.get(HOME).status_code == 200
    assert mfa_reset(admin=cast.admin, user=cast.dsl) >= 1
    # Their open session is no longer verified, and the next sign-in enrols afresh.
    assert signed_in.get(HOME)["Location"].startswith(MFA)
    client = password_step(cast.dsl)
    assert client.get(MFA)["Location"].startswith(ENROL)
    [reset] = events("account.mfa_reset")
    assert reset.actor == cast.admin and reset.object_pk == str(cast.dsl.pk)


def test_a_signed_out_script_is_told_a_code_is_needed_rather_than_sent_a_page(cast):
    authenticator_for(cast.staff)
    client = password_step(cast.staff)
    response = client.post(
        reverse("concerns:draft_autosave", args=["5b8a3c1e-0000-4000-8000-000000000001"]),
        {"observations": "x"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 401


def _protected(request):
    from django.http import HttpResponse

    return HttpResponse("shared")


def _request(user, verified_at):
    request = RequestFactory().get("/concerns/1/share/")
    request.user = user
    request.session = {} if verified_at is None else {MFA_VERIFIED_AT: verified_at}
    return request


def test_recent_mfa_required_lets_a_fresh_code_through_and_asks_again_after_ten_minutes(cast):
    view = recent_mfa_required(_protected)
    with time_machine.travel(1_900_000_000, tick=False):
        assert view(_request(cast.dsl, time.time() - 9 * 60)).content == b"shared"
        stale = view(_request(cast.dsl, time.time() - 11 * 60))
        assert stale.status_code == 302 and stale["Location"] == f"{MFA}?next=%2Fconcerns%2F1%2Fshare%2F"
        assert view(_request(cast.dsl, None)).status_code == 302


def test_reverifying_records_the_time_and_returns_to_the_action(cast):
    device = authenticator_for(cast.dsl)
    with time_machine.travel(1_900_000_000, tick=False) as clock:
        client = client_for(cast.dsl)
        clock.shift(11 * 60)
        client.get(HOME)  # still signed in: 11 minutes is within the idle limit
        page = client.get(f"{MFA}?next=/concerns/mine/")
        assert "Confirm it is you" in page.text
        response = client.post(MFA, {"code": current_code(device), "next": "/concerns/mine/"})
        assert response["Location"] == "/concerns/mine/"
        assert client.session[MFA_VERIFIED_AT] == time.time()


def test_the_demo_accounts_get_documented_secrets_and_demo_totp_prints_the_current_code(cast, settings, capsys):
    site = SiteFactory()
    demo = UserFactory(email="dsl@example.org")
    MembershipFactory(user=demo, site=site, role="dsl")
    device = mfa_device_install(
        user=demo, secret_base32=DEMO_TOTP_SECRETS["dsl@example.org"], recovery_codes=DEMO_RECOVERY_CODES
    )
    assert StaticDevice.objects.get(user=demo).token_set.count() == 10
    settings.VIGIL_DEMO = True
    with time_machine.travel(1_900_000_000, tick=False):
        call_command("demo_totp", "dsl@example.org")
        printed = capsys.readouterr().out.strip()
        assert printed == code_at(device.key, time.time())
        signed_in = sign_in_with_code(Client(), demo)
    with pytest.raises(CommandError):
        call_command("demo_totp", cast.dsl.email)  # not a demo account
    settings.VIGIL_DEMO = False
    with pytest.raises(CommandError, match="VIGIL_DEMO"):
        call_command("demo_totp", "dsl@example.org")
    assert signed_in.status_code == 302


def test_seed_demo_gives_every_demo_account_its_documented_authenticator_and_recovery_codes(db, settings):
    settings.VIGIL_DEMO = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for email, secret in DEMO_TOTP_SECRETS.items():
        device = TOTPDevice.objects.get(user__email=email, confirmed=True)
        assert bytes.fromhex(device.key) == b32decode(secret)
        assert sorted(StaticToken.objects.filter(device__user__email=email).values_list("token", flat=True)) == [
            f"demorecovery{n:02d}" for n in range(1, 11)
        ]
    dsl = TOTPDevice.objects.get(user__email="dsl@example.org").user
    client = Client()
    client.post(reverse("accounts:login"), {"username": dsl.email, "password": "vigil-demo-pass"})
    assert (
        client.post(MFA, {"code": code_at(bytes(b32decode(DEMO_TOTP_SECRETS[dsl.email])).hex(), time.time())})[
            "Location"
        ]
        == HOME
    )
