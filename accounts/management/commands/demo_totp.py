"""Print the code a demo account's authenticator app would show now, so the demo can be signed into
without a phone. Demo mode only: the demo's secrets are fictional and printed in the README."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from accounts.models import User
from accounts.services.mfa import DEMO_TOTP_SECRETS, confirmed_authenticator


class Command(BaseCommand):
    help = "Print the current sign-in code for a demo account (demo mode only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="A demo account's email address, e.g. dsl@example.org")

    def handle(self, *args, email: str, **options) -> None:
        if not getattr(settings, "VIGIL_DEMO", False):
            raise CommandError("Demo mode is off here (VIGIL_DEMO is not true): no codes are printed.")
        email = email.strip().lower()
        if email not in DEMO_TOTP_SECRETS:
            raise CommandError(f"{email} is not a demo account. Demo accounts: " + ", ".join(DEMO_TOTP_SECRETS))
        user = User.objects.filter(email=email).first()
        device = confirmed_authenticator(user) if user else None
        if device is None:
            raise CommandError(f"{email} has no authenticator yet: run seed_demo, or sign in and enrol.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
