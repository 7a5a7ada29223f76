"""The fixed cast: who works where, shared by every test.

Site A (Oakfield): two staff, a deputy DSL, a DSL, an administrator, an auditor.
Site B (Birchwood): a DSL who must see nothing of site A, and a member of staff.
Plus a user whose membership at site A has ended, and children on each roll.
"""

import datetime
import importlib
from dataclasses import dataclass

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Site, User
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


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        assert client.login(email=user.email, password=PASSWORD)
    return client


@pytest.fixture
def as_user():
    return client_for
