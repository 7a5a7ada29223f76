"""Second factors: an authenticator app (TOTP) and single-use recovery codes, through django-otp."""

import re
import secrets
import time
from base64 import b32decode

from django.db import transaction
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.policy import require_whole_account
from accounts.services.auth import MFA_VERIFIED_AT
from audit import events
from audit.models import AuditEntry
from audit.services import audit_record

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: a code read off paper is typed right first time.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"

# The fictional demo's authenticator secrets (base32, as an app shows them), one per demo account,
# and the recovery codes each demo account starts with. Printed in the README; demo mode only.
DEMO_TOTP_SECRETS = {
    "staff@example.org": "OZUWO2LMFVSGK3LPFVZXIYLGMYWS2LJN",
    "staff2@example.org": "OZUWO2LMFVSGK3LPFVZXIYLGMYZC2LJN",
    "deputy@example.org": "OZUWO2LMFVSGK3LPFVSGK4DVOR4S2LJN",
    "dsl@example.org": "OZUWO2LMFVSGK3LPFVSHG3BNFUWS2LJN",
    "admin@example.org": "OZUWO2LMFVSGK3LPFVQWI3LJNYWS2LJN",
    "auditor@example.org": "OZUWO2LMFVSGK3LPFVQXKZDJORXXELJN",
    "dsl.b@example.org": "OZUWO2LMFVSGK3LPFVSHG3BOMIWS2LJN",
    "staff.b@example.org": "OZUWO2LMFVSGK3LPFVZXIYLGMYXGELJN",
}
DEMO_RECOVERY_CODES = [f"demo-recovery-{number:02d}" for number in range(1, RECOVERY_CODE_COUNT + 1)]


def normalise_code(code: str) -> str:
    """What the person typed, without spaces or hyphens, in lower case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def is_totp_shaped(code: str) -> bool:
    return bool(re.fullmatch(r"\d{6}", code))


def new_recovery_codes() -> list[str]:
    return ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODE_COUNT)]


def confirmed_authenticator(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


@transaction.atomic
def mfa_enrolment_start(*, user: User) -> TOTPDevice:
    """A person without an authenticator gets a secret to scan; the same one until they confirm it."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


@transaction.atomic
def mfa_enrolment_confirm(*, user: User, device: TOTPDevice, code: str) -> tuple[list[str] | None, str]:
    """The person proves their app works; the authenticator is confirmed and ten recovery codes are
    made. Returns the codes (shown once, stored only as django-otp tokens) and "" — or None and why
    not ("wrong", or "throttled" while django-otp makes the next try wait)."""
    if device.user_id != user.pk or device.confirmed:
        return None, "wrong"
    code = normalise_code(code)
    allowed, _ = device.verify_is_allowed()
    if not (allowed and is_totp_shaped(code) and device.verify_token(code)):
        audit_record(actor=user, event=events.ACCOUNT_MFA_FAILED, target=user, action=AuditEntry.Action.ACCESS)
        return None, "wrong" if allowed else "throttled"
    device.confirmed = True
    device.full_clean()
    device.save()
    codes = _recovery_codes_replace(user=user, codes=new_recovery_codes())
    audit_record(actor=user, event=events.ACCOUNT_MFA_ENROLLED, target=user, action=AuditEntry.Action.UPDATE)
    return codes, ""


def _recovery_codes_replace(*, user: User, codes: list[str]) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice(user=user, name=RECOVERY_NAME, confirmed=True)
    static.full_clean()
    static.save()
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


@transaction.atomic
def mfa_verify(*, user: User, code: str) -> tuple[Device | None, str]:
    """Check a code from the person's authenticator, or one of their recovery codes (used up here).

    Returns the device that accepted it and "" — or None and why not: "wrong" or "throttled"
    (django-otp makes each wrong code wait longer before the next is tried). A code is
    accepted once only: django-otp remembers the last time step used.
    """
    code = normalise_code(code)
    if is_totp_shaped(code):
        devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update())
    else:
        devices = list(StaticDevice.objects.devices_for_user(user, confirmed=True).select_for_update())
    for device in devices:
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            audit_record(actor=user, event=events.ACCOUNT_MFA_FAILED, target=user, action=AuditEntry.Action.ACCESS)
            return None, "throttled"
        if device.verify_token(code):
            event = (
                events.ACCOUNT_RECOVERY_CODE_USED if isinstance(device, StaticDevice) else events.ACCOUNT_MFA_VERIFIED
            )
            audit_record(actor=user, event=event, target=user, action=AuditEntry.Action.ACCESS)
            return device, ""
    audit_record(actor=user, event=events.ACCOUNT_MFA_FAILED, target=user, action=AuditEntry.Action.ACCESS)
    return None, "wrong"


def mfa_mark_verified(request, device: Device) -> None:
    """The session is verified by this device, as of now (for the fresh-MFA check). A new session
    key too: a key seen before the code was entered is worth nothing after it."""
    request.session.cycle_key()
    otp_login(request, device)
    request.session[MFA_VERIFIED_AT] = time.time()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def mfa_device_install(*, user: User, secret_base32: str, recovery_codes: list[str]) -> TOTPDevice:
    """Give an account a known authenticator secret and recovery codes: for the fictional demo only."""
    StaticDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice(user=user, name=AUTHENTICATOR_NAME, confirmed=True, key=b32decode(secret_base32).hex())
    device.full_clean()
    device.save()
    _recovery_codes_replace(user=user, codes=[normalise_code(code) for code in recovery_codes])
    return device


@transaction.atomic
def mfa_reset(*, admin: User, user: User) -> int:
    """An administrator removes a person's authenticator and recovery codes; they enrol again at next sign-in."""
    require_whole_account(admin, user)
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    audit_record(actor=admin, event=events.ACCOUNT_MFA_RESET, target=user, action=AuditEntry.Action.UPDATE)
    return removed
