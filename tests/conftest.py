"""The fixed cast: who works where, shared by every test.

Site A (Oakfield): two staff, a deputy DSL, a DSL, an administrator, an auditor.
Site B (Birchwood): a DSL who must see nothing of site A, and a member of staff.
Plus a user whose membership at site A has ended, and children on each roll.
"""

import datetime
import importlib
import time
from dataclasses import dataclass

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import Role
from accounts.models import Site, User
from accounts.services.auth import MFA_VERIFIED_AT
from concerns.models import Category, Child
from tests.factories import PASSWORD, ChildFactory, MembershipFactory, SiteFactory, UserFactory


@dataclass
class Cast:
    site_a: Site
    site_b: Site
    staff: User
    staff2: User
    deputy: User
    dsl: User
    admin: User
    auditor: User
    dsl_b: User
    staff_b: User
    ended: User
    child_a: Child
    child_a2: Child
    child_b: Child


LEDGER_TABLE = "audit_auditentry"
# The ledger and the index of the objects its entries name: both append-only, both emptied here.
LEDGER_TABLES = (LEDGER_TABLE, "audit_auditentryobject")


def _flush_past_ledger_triggers(sql_flush):
    """Wrap the test database's flush so it can empty the append-only ledger between tests.

    Test-only, and no bypass of production: the ledger's triggers refuse DELETE and TRUNCATE to
    the application, and pytest-django's transactional tests empty every table after each test.
    On PostgreSQL the flush runs with session_replication_role = replica, which only a superuser
    may set (CI connects as the postgres superuser; the production role is not one), and only for
    the flush's own transaction (SET LOCAL). On SQLite the flush drops the ledger's triggers,
    empties the tables and recreates the very same triggers, read back from sqlite_master, in
    the flush's transaction. Nothing here is imported by the application.
    """

    def flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = sql_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if not set(LEDGER_TABLES) & set(tables) or not statements:
            return statements
        if self.connection.vendor == "postgresql":
            return ["SET LOCAL session_replication_role = replica", *statements]
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)", LEDGER_TABLES
            )
            triggers = cursor.fetchall()
        return [*(f'DROP TRIGGER "{name}"' for name, _ in triggers), *statements, *(sql for _, sql in triggers)]

    return flush


@pytest.fixture(autouse=True, scope="session")
def _ledger_flushable_in_tests():
    operations = type(connection.ops)
    original = operations.sql_flush
    operations.sql_flush = _flush_past_ledger_triggers(original)
    yield
    operations.sql_flush = original


def _member(site: Site, role: str, email: str, name: str, **kwargs) -> User:
    user = UserFactory(email=email, full_name=name)
    MembershipFactory(user=user, site=site, role=role, **kwargs)
    return user


def _ensure_categories() -> None:
    """The categories come from a data migration; a transactional test's flush removes them."""
    seed_migration = importlib.import_module("concerns.migrations.0002_seed_categories")
    if not Category.objects.exists():
        seed_migration.seed(django_apps, None)


@pytest.fixture
def cast(db) -> Cast:
    _ensure_categories()
    site_a = SiteFactory(name="Oakfield Test School", code="oak")
    site_b = SiteFactory(name="Birchwood Test Academy", code="birch")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    return Cast(
        site_a=site_a,
        site_b=site_b,
        staff=_member(site_a, Role.STAFF, "staff@test.example", "Sam Staffer"),
        staff2=_member(site_a, Role.STAFF, "staff2@test.example", "Robin Second"),
        deputy=_member(site_a, Role.DEPUTY_DSL, "deputy@test.example", "Dev Deputy"),
        dsl=_member(site_a, Role.DSL, "dsl@test.example", "Lee Lead"),
        admin=_member(site_a, Role.ADMIN, "admin@test.example", "Ari Admin"),
        auditor=_member(site_a, Role.AUDITOR, "auditor@test.example", "Ash Auditor"),
        dsl_b=_member(site_b, Role.DSL, "dsl.b@test.example", "Bo Birchlead"),
        staff_b=_member(site_b, Role.STAFF, "staff.b@test.example", "Bea Birchstaff"),
        ended=_member(
            site_a,
            Role.STAFF,
            "ended@test.example",
            "Ex Staffer",
            starts_on=yesterday - datetime.timedelta(days=30),
            ends_on=yesterday,
        ),
        child_a=ChildFactory(
            site=site_a,
            first_name="Ada",
            last_name="Fernsby",
            preferred_name="Addy",
            upn="A100000000001",
            date_of_birth=datetime.date(2015, 2, 3),
            year_group="Year 6",
        ),
        child_a2=ChildFactory(
            site=site_a, first_name="Bram", last_name="Marrowfield", upn="A100000000002", year_group="Year 5"
        ),
        child_b=ChildFactory(
            site=site_b, first_name="Cleo", last_name="Fernsby", upn="B200000000001", year_group="Year 8"
        ),
    )


def authenticator_for(user: User) -> TOTPDevice:
    """The user's confirmed authenticator app, made on first use (django-otp's TOTP device)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code the person's app would show now: the next time step the device has not used yet
    (the device accepts one step either side, and never the same step twice)."""
    device.refresh_from_db()
    step = max((int(time.time()) - device.t0) // device.step + device.drift, device.last_t + 1)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = device.t0 + step * device.step
    return f"{totp.token():0{device.digits}d}"


def client_for(user: User | None) -> Client:
    """A browser signed in as `user` who has entered their second-factor code just now.

    force_login, not login(): django-axes needs the request that a real sign-in has, and the code
    step is its own page. Tests of the sign-in itself use `sign_in_with_code`.
    """
    client = Client()
    if user is not None:
        device = authenticator_for(user)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[MFA_VERIFIED_AT] = time.time()
        session.save()
    return client


def sign_in_with_code(client: Client, user: User, password: str = PASSWORD) -> HttpResponse:
    """Sign in as a person does: email and password, then the code from their authenticator app."""
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": password})
    assert response.status_code == 302, "the password step did not accept the email and password"
    return client.post(reverse("accounts:mfa_verify"), {"code": current_code(authenticator_for(user))})


@pytest.fixture
def as_user():
    return client_for
