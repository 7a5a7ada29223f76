"""The access policy: the one place that answers "which rows may this user see" and
"may this user do this to that".

Rules are allow rules on active memberships (DESIGN.md section 1). Id sets from different rules
are combined with UNION, never OR: PostgreSQL scans the whole table for `a OR id IN (...)`.
Anything not visible is a 404 to the caller; visible but not allowed is a 403.
"""

from django.db.models import QuerySet

from accounts.choices import RECORDING_ROLES, Role
from accounts.selectors import site_ids_for
from concerns.models import Attachment, Child, Concern

ALL_ROLES = tuple(Role)


def children_on_roll_for(user) -> QuerySet[Child]:
    """Children on the roll of any site where the user is a member: the people they may find."""
    return Child.objects.filter(site_id__in=site_ids_for(user, ALL_ROLES), left_on__isnull=True)


def children_recordable_by(user) -> QuerySet[Child]:
    """Children on the roll of a site where the user may record a concern."""
    return Child.objects.filter(site_id__in=site_ids_for(user, RECORDING_ROLES), left_on__isnull=True)


def concern_ids_visible_to(user) -> QuerySet:
    """The ids of every concern the user may read, as one UNION subquery."""
    authored = (
        Concern.objects.filter(author=user.pk, site_id__in=site_ids_for(user, RECORDING_ROLES)).order_by().values("id")
    )
    whole_site = (
        Concern.objects.filter(site_id__in=site_ids_for(user, {Role.DSL, Role.AUDITOR})).order_by().values("id")
    )
    unrestricted = (
        Concern.objects.filter(site_id__in=site_ids_for(user, {Role.DEPUTY_DSL}), is_restricted=False)
        .order_by()
        .values("id")
    )
    return authored.union(whole_site, unrestricted)


def concerns_visible_to(user) -> QuerySet[Concern]:
    if not getattr(user, "is_authenticated", False):
        return Concern.objects.none()
    return Concern.objects.filter(id__in=concern_ids_visible_to(user))


def attachments_visible_to(user) -> QuerySet[Attachment]:
    return Attachment.objects.filter(concern_id__in=concern_ids_visible_to(user))


def can_record(user) -> bool:
    return site_ids_for(user, RECORDING_ROLES).exists()


def can_add_addendum(user, concern: Concern) -> bool:
    """Only the author adds addenda, and only while they may still record at that site."""
    return concern.author_id == user.pk and site_ids_for(user, RECORDING_ROLES).filter(site_id=concern.site_id).exists()
