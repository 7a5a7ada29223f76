"""Reads for the administrator's console: the people, memberships and sites an administrator manages.

Everything starts from the sites where the administrator holds an active admin membership. An
administrator manages accounts only: nothing here reads a child or a concern.
"""

import datetime
from functools import reduce
from operator import or_

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_otp import device_classes, devices_for_user

from accounts.choices import RECORDING_ROLES, TrainingKind
from accounts.models import Membership, Site, TrainingRecord, User
from accounts.policy import admin_site_ids


def sites_managed_by(admin) -> QuerySet[Site]:
    return Site.objects.filter(id__in=admin_site_ids(admin))


def site_for_admin(admin, pk: int) -> Site:
    """One of the administrator's sites; any other site does not exist for them (404)."""
    return get_object_or_404(sites_managed_by(admin), pk=pk)


def memberships_managed_by(admin) -> QuerySet[Membership]:
    return Membership.objects.filter(site_id__in=admin_site_ids(admin))


def membership_for_admin(admin, pk: int) -> Membership:
    return get_object_or_404(memberships_managed_by(admin).select_related("user", "site"), pk=pk)


def users_managed_by(admin) -> QuerySet[User]:
    """People with a membership (past, present or future) at one of the administrator's sites."""
    return User.objects.filter(id__in=memberships_managed_by(admin).values("user_id"))


def user_for_admin(admin, pk: int) -> User:
    return get_object_or_404(users_managed_by(admin), pk=pk)


def _with_mfa_enrolled(users: QuerySet[User]) -> QuerySet[User]:
    """Annotate `mfa_enrolled`: a confirmed device of any kind django-otp knows (what devices_for_user lists)."""
    has_device = [Exists(model.objects.filter(user=OuterRef("pk"), confirmed=True)) for model in device_classes()]
    return users.annotate(mfa_enrolled=ExpressionWrapper(reduce(or_, has_device), output_field=BooleanField()))


def _memberships_here(admin) -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=memberships_managed_by(admin).select_related("site").order_by("site__name", "role"),
        to_attr="memberships_here",
    )


def users_for_console(admin, *, query: str = "", status: str = "active") -> QuerySet[User]:
    """The user list: search by name or email, filter by active or deactivated accounts."""
    users = users_managed_by(admin)
    if query:
        users = users.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    return _with_mfa_enrolled(users).prefetch_related(_memberships_here(admin)).order_by("full_name", "id")


def memberships_of_user_here(admin, user: User) -> QuerySet[Membership]:
    """The user's memberships at the administrator's sites; other sites are not the administrator's business."""
    return memberships_managed_by(admin).filter(user=user).select_related("site").order_by("site__name", "starts_on")


def mfa_enrolled(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def training_records_of(user: User) -> QuerySet[TrainingRecord]:
    return TrainingRecord.objects.filter(user=user).select_related("recorded_by").order_by("-completed_on", "-id")


def users_needing_training(admin, *, today: datetime.date | None = None) -> QuerySet[User]:
    """Active people who record at the administrator's sites with no induction, or whose refresher is overdue.

    Annotated with `has_induction`, `last_completed` and `next_due` (from their latest record).
    """
    today = today or timezone.localdate()
    recorders = Membership.objects.active(on=today).filter(
        site_id__in=admin_site_ids(admin), role__in=list(RECORDING_ROLES)
    )
    latest = TrainingRecord.objects.filter(user=OuterRef("pk")).order_by("-completed_on", "-id")
    users = User.objects.filter(id__in=recorders.values("user_id"), is_active=True).annotate(
        has_induction=Exists(TrainingRecord.objects.filter(user=OuterRef("pk"), kind=TrainingKind.INDUCTION)),
        last_completed=Subquery(latest.values("completed_on")[:1]),
        next_due=Subquery(latest.values("due_on")[:1]),
    )
    return (
        users.filter(Q(has_induction=False) | Q(next_due__lt=today))
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=recorders.select_related("site").order_by("site__name", "role"),
                to_attr="memberships_here",
            )
        )
        .order_by("full_name", "id")
    )


def escalation_candidates(site: Site) -> QuerySet[User]:
    """Who may be a site's escalation contact: active people with an active membership there."""
    return User.objects.filter(
        id__in=Membership.objects.active().filter(site=site).values("user_id"), is_active=True
    ).order_by("full_name", "id")
