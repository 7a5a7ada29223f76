"""Who reads the DSL dashboard, and which concerns its figures count (DESIGN.md sections 1 and 6).

The dashboard is for the DSL team and auditors, for their sites. Its figures count the concerns
each reader reads by role at a site: everything where they are a DSL or an auditor; everything
unrestricted, and every immediate-danger concern, where they are a deputy. A restricted concern
shared with a deputy one by one is readable on its own page but not counted here: counting it
would mean ORing an id subquery with the site condition, which scans every concern.
"""

from django.db.models import Q, QuerySet

from accounts.choices import Role
from accounts.selectors import held_sites, memberships_held
from concerns.models import Concern

DASHBOARD_ROLES = frozenset({Role.DSL, Role.DEPUTY_DSL, Role.AUDITOR})
WHOLE_SITE = frozenset({Role.DSL, Role.AUDITOR})


def dashboard_sites_for(user) -> list[tuple[int, str]]:
    """(id, name) of the sites whose dashboard the user reads, by name; empty for anyone else."""
    return held_sites(user, DASHBOARD_ROLES)


def concerns_counted_for(user, site_ids: list[int]) -> QuerySet[Concern]:
    """The concerns at these sites that the dashboard's figures count for this reader (see above)."""
    whole, deputy = set(), set()
    for held in memberships_held(user):
        if held.site_id in site_ids and held.role in WHOLE_SITE:
            whole.add(held.site_id)
        elif held.site_id in site_ids and held.role == Role.DEPUTY_DSL:
            deputy.add(held.site_id)
    deputy -= whole
    if not whole and not deputy:
        return Concern.objects.none()
    by_role = [Q(site_id__in=sorted(whole))] if whole else []
    if deputy:
        by_role.append(Q(site_id__in=sorted(deputy)) & (Q(is_restricted=False) | Q(immediate_danger=True)))
    condition = by_role[0] if len(by_role) == 1 else by_role[0] | by_role[1]
    return Concern.objects.filter(condition)
