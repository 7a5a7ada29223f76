"""Factories for fictional people, schools and children."""

import datetime
import uuid

import factory
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership, Site, User
from concerns.deadlines import WorkingHours, review_deadline
from concerns.models import Category, Child, Concern, ConcernChild

PASSWORD = "correct-horse-battery"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Larkspur School {n}")
    code = factory.Sequence(lambda n: f"ls{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person Number{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    site = factory.SubFactory(SiteFactory)
    role = Role.STAFF
    ends_on = factory.LazyAttribute(
        lambda m: timezone.localdate() + datetime.timedelta(days=90) if m.role == Role.AUDITOR else None
    )


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    site = factory.SubFactory(SiteFactory)
    first_name = factory.Iterator(["Ada", "Bram", "Cleo", "Dara", "Eno", "Fitz", "Gwen", "Hal"])
    last_name = factory.Sequence(lambda n: f"Quillane{n}")
    date_of_birth = datetime.date(2014, 5, 17)
    upn = factory.Sequence(lambda n: f"Z{n:012d}")
    year_group = "Year 6"


def category(name: str = "Neglect") -> Category:
    return Category.objects.get(name=name)


def restricted_category() -> Category:
    return Category.objects.filter(is_restricted=True).order_by("position").first()


class ConcernFactory(factory.django.DjangoModelFactory):
    """A submitted concern made directly (for reading tests); recording tests use the service."""

    class Meta:
        model = Concern
        skip_postgeneration_save = True

    submission_key = factory.LazyFunction(uuid.uuid4)
    site = factory.SubFactory(SiteFactory)
    author = factory.SubFactory(UserFactory)
    occurred_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    is_disclosure = False
    observations = "Arrived without a coat in the rain and said they had not eaten breakfast."
    immediate_danger = False
    recorded_at = factory.LazyFunction(timezone.now)
    review_deadline = factory.LazyAttribute(
        lambda concern: review_deadline(
            concern.recorded_at, immediate_danger=concern.immediate_danger, hours=WorkingHours.of(concern.site)
        )
    )
    escalates_at = factory.SelfAttribute("review_deadline")

    @factory.post_generation
    def about(obj, create, extracted, **kwargs):
        if create:
            children = extracted or [ChildFactory(site=obj.site)]
            for child in children:
                ConcernChild.objects.create(concern=obj, child=child)

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if create:
            obj.categories.set(extracted or [category()])
            if any(item.is_restricted for item in obj.categories.all()):
                Concern.objects.filter(pk=obj.pk).update(is_restricted=True)
                obj.is_restricted = True
