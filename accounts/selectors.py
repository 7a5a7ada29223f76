"""Reads about who a user is and where they may act."""

from django.db.models import QuerySet

from accounts.choices import DSL_TEAM_ROLES, RECORDING_ROLES, Role
from accounts.models import Membership, Site, User


def site_ids_for(user, roles) -> QuerySet:
    """Ids of the sites where the user holds an active membership in one of `roles`, as a subquery."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Membership.objects.none().values("site_id")
    return Membership.objects.active().filter(user=user, role__in=list(roles)).values("site_id")


def roles_for(user) -> set[str]:
    """The roles the user holds today, at any site."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Membership.objects.active().filter(user=user).values_list("role", flat=True))


def sites_for(user, roles=tuple(Role)) -> QuerySet[Site]:
    return Site.objects.filter(id__in=site_ids_for(user, roles))


def dsl_team_at(site_ids) -> QuerySet[User]:
    """The active DSLs and deputies of these sites, who are alerted of every concern there."""
    member_ids = Membership.objects.active().filter(site_id__in=site_ids, role__in=list(DSL_TEAM_ROLES))
    return User.objects.filter(id__in=member_ids.values("user_id"), is_active=True)


def share_candidates_at(site_id: int) -> QuerySet[User]:
    """People at a site a concern may be shared with: active members there as staff or on the DSL
    team. Never administrators (who read no concern content) and never auditors (who read
    everything at their sites already, read-only)."""
    member_ids = Membership.objects.active().filter(site_id=site_id, role__in=list(RECORDING_ROLES)).values("user_id")
    return User.objects.filter(id__in=member_ids, is_active=True).order_by("full_name")


def roles_described(user) -> str:
    """The user's active roles, as the ledger records them: "staff@birch, dsl@oak"."""
    memberships = Membership.objects.active().filter(user=user).order_by("site__code", "role")
    return ", ".join(f"{role}@{code}" for role, code in memberships.values_list("role", "site__code"))
