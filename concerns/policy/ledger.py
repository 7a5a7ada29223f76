"""Who reads the audit ledger and a child's record page (DESIGN.md section 1, the last row).

DSLs and auditors read every entry for their sites; administrators account events only, nothing
about children; the DSL team and auditors open a child's page with "who has viewed this record".
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.choices import DSL_TEAM_ROLES, Role
from accounts.selectors import held_site_ids, holds_role_at, site_ids_for
from concerns.models import Child

LEDGER_ROLES = frozenset({Role.DSL, Role.AUDITOR})
CHILD_PAGE_ROLES = frozenset({*DSL_TEAM_ROLES, Role.AUDITOR})


@dataclass(frozen=True)
class LedgerSight:
    """The sites whose whole ledger a person reads, and those whose account events only."""

    full_sites: list[int]
    account_sites: list[int]

    @property
    def reads_children(self) -> bool:
        return bool(self.full_sites)

    @property
    def reads_accounts(self) -> bool:
        return bool(self.account_sites)


def ledger_sight(user) -> LedgerSight:
    return LedgerSight(full_sites=held_site_ids(user, LEDGER_ROLES), account_sites=held_site_ids(user, {Role.ADMIN}))


def reads_ledger_at(user, site_id: int) -> bool:
    return holds_role_at(user, LEDGER_ROLES, site_id)


def children_named_on_ledger_for(sight: LedgerSight) -> QuerySet[Child]:
    """Children the ledger calls by name for this reader: on (or once on) the roll of a site whose
    whole ledger they read. Any other child an entry names stays a record number."""
    return Child.objects.filter(site_id__in=sight.full_sites)


def children_with_record_page_for(user) -> QuerySet[Child]:
    """Children whose page the user may open: on the roll of a site where they are DSL team or auditor."""
    return Child.objects.filter(site_id__in=site_ids_for(user, CHILD_PAGE_ROLES))
