"""Reads about who a user is and where they may act."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.choices import DSL_TEAM_ROLES, RECORDING_ROLES, Role
from accounts.models import Membership, Site, User


@dataclass(frozen=True, slots=True)
class Held:
    """One active membership: a role at a site."""

    site_id: int
    site_code: str
    role: str
    site_name: str = ""


# During a request, each person's active memberships are read once (MembershipsPerRequestMiddleware):
# the menu, the policy and the ledger's record of the actor's roles all ask, often several times.
_REMEMBERED: ContextVar[dict[int, tuple[Held, ...]] | None] = ContextVar("vigil_memberships", default=None)


@contextmanager
def memberships_remembered() -> Iterator[None]:
    """Within this block, memberships_held reads each person's memberships from the database once."""
    token = _REMEMBERED.set({})
    try:
        yield
    finally:
        _REMEMBERED.reset(token)


def memberships_held(user) -> tuple[Held, ...]:
    """The user's active memberships, ordered by site code and role (one small indexed query)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    remembered = _REMEMBERED.get()
    if remembered is not None and user.pk in remembered:
        return remembered[user.pk]
    held = tuple(
        Held(site_id, code, role, name)
        for site_id, code, role, name in Membership.objects.active()
        .filter(user=user)
        .order_by("site__code", "role")
        .values_list("site_id", "site__code", "role", "site__name")
    )
    if remembered is not None:
        remembered[user.pk] = held
    return held


def held_site_ids(user, roles: Iterable[str]) -> list[int]:
    """Ids of the sites where the user holds one of `roles` today, each once."""
    wanted = set(roles)
    return sorted({held.site_id for held in memberships_held(user) if held.role in wanted})


def held_sites(user, roles: Iterable[str]) -> list[tuple[int, str]]:
    """(id, name) of the sites where the user holds one of `roles` today, each once, by name."""
    wanted = set(roles)
    sites = {held.site_id: held.site_name for held in memberships_held(user) if held.role in wanted}
    return sorted(sites.items(), key=lambda site: site[1])


def holds_role_at(user, roles: Iterable[str], site_id: int) -> bool:
    wanted = set(roles)
    return any(held.site_id == site_id and held.role in wanted for held in memberships_held(user))


def site_ids_for(user, roles) -> QuerySet:
    """Ids of the sites where the user holds an active membership in one of `roles`, as a subquery."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Membership.objects.none().values("site_id")
    return Membership.objects.active().filter(user=user, role__in=list(roles)).values("site_id")


def roles_for(user) -> set[str]:
    """The roles the user holds today, at any site."""
    return {held.role for held in memberships_held(user)}


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
    return ", ".join(f"{held.role}@{held.site_code}" for held in memberships_held(user))
