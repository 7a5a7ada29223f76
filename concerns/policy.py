"""The access policy: the one place that answers "which rows may this user see" and
"may this user do this to that".

Rules are allow rules on active memberships (DESIGN.md section 1). Id sets from different rules
are combined with UNION, never OR: PostgreSQL scans the whole table for `a OR id IN (...)`.
Anything not visible is a 404 to the caller; visible but not allowed is a 403.
"""

from django.db.models import QuerySet

from accounts.choices import DSL_TEAM_ROLES, RECORDING_ROLES, Role, TrainingKind
from accounts.models import Organisation, TrainingRecord
from accounts.selectors import site_ids_for
from concerns.models import (
    Attachment,
    Child,
    ChildUserObjectPermission,
    Concern,
    ConcernChild,
    ConcernUserObjectPermission,
)

ALL_ROLES = tuple(Role)


def children_on_roll_for(user) -> QuerySet[Child]:
    """Children on the roll of any site where the user is a member: the people they may find."""
    return Child.objects.filter(site_id__in=site_ids_for(user, ALL_ROLES), left_on__isnull=True)


def children_recordable_by(user) -> QuerySet[Child]:
    """Children on the roll of a site where the user may record a concern."""
    return Child.objects.filter(site_id__in=site_ids_for(user, RECORDING_ROLES), left_on__isnull=True)


def _shared_concern_ids(user) -> list[QuerySet]:
    """Concerns shared with the user: one by one, or every unrestricted concern naming a shared child.

    Shares are django-guardian grants in direct-foreign-key tables, read as id subqueries.
    A restricted concern is shared only by a share of that concern itself.
    """
    direct = ConcernUserObjectPermission.objects.filter(user=user.pk, permission__codename="view_concern")
    shared_children = ChildUserObjectPermission.objects.filter(user=user.pk, permission__codename="view_child")
    via_child = ConcernChild.objects.filter(
        child_id__in=shared_children.values("content_object_id"), concern__is_restricted=False
    )
    return [direct.order_by().values("content_object_id"), via_child.order_by().values("concern_id")]


def concern_ids_shared_with(user) -> QuerySet:
    direct, via_child = _shared_concern_ids(user)
    return direct.union(via_child)


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
    return authored.union(whole_site, unrestricted, *_shared_concern_ids(user))


def concerns_visible_to(user) -> QuerySet[Concern]:
    # Shares reach only people who still hold an active membership somewhere: an ended
    # membership or a deactivated account grants nothing at all.
    if not getattr(user, "is_authenticated", False) or not site_ids_for(user, ALL_ROLES).exists():
        return Concern.objects.none()
    return Concern.objects.filter(id__in=concern_ids_visible_to(user))


def attachments_visible_to(user) -> QuerySet[Attachment]:
    return Attachment.objects.filter(concern_id__in=concerns_visible_to(user).values("id"))


def induction_outstanding(user) -> bool:
    """The organisation asks for induction before recording, and this person's is not recorded."""
    if not Organisation.current().induction_required_to_record:
        return False
    return not TrainingRecord.objects.filter(user=user.pk, kind=TrainingKind.INDUCTION).exists()


def can_record(user) -> bool:
    return site_ids_for(user, RECORDING_ROLES).exists() and not induction_outstanding(user)


def can_share(user, concern: Concern) -> bool:
    """DSLs and deputies of the concern's site share it (a deputy only what they can see)."""
    return site_ids_for(user, DSL_TEAM_ROLES).filter(site_id=concern.site_id).exists()


def can_share_child(user, child: Child) -> bool:
    return site_ids_for(user, DSL_TEAM_ROLES).filter(site_id=child.site_id).exists()


def can_add_addendum(user, concern: Concern) -> bool:
    """Only the author adds addenda, and only while they may still record at that site."""
    return concern.author_id == user.pk and site_ids_for(user, RECORDING_ROLES).filter(site_id=concern.site_id).exists()
