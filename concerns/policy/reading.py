"""Reading and acting on children, concerns and shares: the rules of DESIGN.md section 1.

Rules are allow rules on active memberships (DESIGN.md section 1). The filters are shaped for
PostgreSQL's indexes whichever side is huge: a whole-site reader's rows are matched by the site
condition itself (never a set of their concern ids), and only the small sets — what a person
wrote, what was shared with them — are combined by UNION into one id subquery.

Shares are read from their records at read time: a share grants only while it is not revoked, its
end date has not passed, and its holder is still an active member of the shared record's site in
a role that may hold one. The nightly sweep only tidies the django-guardian grants behind them.

Anything not visible is a 404 to the caller; visible but not allowed is a 403.
"""

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.choices import DSL_TEAM_ROLES, RECORDING_ROLES, Role, TrainingKind
from accounts.models import Membership, Organisation, TrainingRecord
from accounts.selectors import dsl_team_at, held_site_ids, holds_role_at, memberships_held, site_ids_for
from concerns.models import Attachment, Child, Concern, ConcernChild, Share

ALL_ROLES = tuple(Role)
# Roles that read every concern at their sites, restricted or not.
WHOLE_SITE_ROLES = frozenset({Role.DSL, Role.AUDITOR})
# Roles a share may be granted to, and which keep it alive: never administrators (who read no
# concern content) and never auditors (who already read everything at their sites, read-only).
SHARE_HOLDER_ROLES = RECORDING_ROLES


def _roles_by_site(user) -> dict[int, set[str]]:
    """The user's active roles, site by site (one small indexed query)."""
    standing: dict[int, set[str]] = {}
    for held in memberships_held(user):
        standing.setdefault(held.site_id, set()).add(held.role)
    return standing


def _sites_with(standing: dict[int, set[str]], roles) -> list[int]:
    return sorted(site_id for site_id, held in standing.items() if held & set(roles))


# --- children -------------------------------------------------------------------------------


# A person's few site ids, as values, not a membership subquery: against a subquery PostgreSQL
# guessed a handful of children per site and read a large site's whole roll for a search (7 ms
# at 10,000 children) instead of the names' trigram index (0.9 ms).


def children_on_roll_for(user) -> QuerySet[Child]:
    """Children on the roll of any site where the user is a member: the people they may find."""
    return Child.objects.filter(site_id__in=held_site_ids(user, ALL_ROLES), left_on__isnull=True)


def children_recordable_by(user) -> QuerySet[Child]:
    """Children on the roll of a site where the user may record a concern."""
    return Child.objects.filter(site_id__in=held_site_ids(user, RECORDING_ROLES), left_on__isnull=True)


# --- shares ---------------------------------------------------------------------------------


def shares_live() -> QuerySet[Share]:
    """Shares granting access today: not revoked and not past their last day."""
    return Share.objects.filter(revoked_at__isnull=True, ends_on__gte=timezone.localdate())


def shares_granting(user) -> QuerySet[Share]:
    """The shares that give this user access now (see the module docstring)."""
    held_sites = site_ids_for(user, SHARE_HOLDER_ROLES)
    live = shares_live().filter(grantee=user.pk)
    return live.filter(Q(concern__site_id__in=held_sites) | Q(child__site_id__in=held_sites))


def _shared_concern_ids(user) -> list[QuerySet]:
    """Concerns shared with the user: one by one, or every unrestricted concern naming a shared child.

    A restricted concern is shared only by a share of that concern itself.
    """
    held_sites = site_ids_for(user, SHARE_HOLDER_ROLES)
    live = shares_live().filter(grantee=user.pk)
    direct = live.filter(concern__site_id__in=held_sites).order_by().values("concern_id")
    shared_children = live.filter(child__site_id__in=held_sites).values("child_id")
    via_child = (
        ConcernChild.objects.filter(child_id__in=shared_children, concern__is_restricted=False)
        .order_by()
        .values("concern_id")
    )
    return [direct, via_child]


def concern_ids_shared_with(user) -> QuerySet:
    direct, via_child = _shared_concern_ids(user)
    return direct.union(via_child)


# --- concerns -------------------------------------------------------------------------------


def _visible_condition(user, standing: dict[int, set[str]]) -> Q:
    """Who reads a concern (DESIGN.md section 1), as one condition on the concern table.

    DSLs and auditors read everything at their sites; deputies everything unrestricted, and every
    immediate-danger concern (a deputy must be able to act while the DSL is away); everyone who
    records reads what they wrote; and each person what is shared with them.
    """
    whole_sites = _sites_with(standing, WHOLE_SITE_ROLES)
    deputy_sites = _sites_with(standing, {Role.DEPUTY_DSL})
    recording_sites = _sites_with(standing, RECORDING_ROLES)
    authored = Concern.objects.filter(author=user.pk, site_id__in=recording_sites).order_by().values("id")
    small_sets = Q(id__in=authored.union(*_shared_concern_ids(user)))
    condition = small_sets
    if whole_sites:
        condition |= Q(site_id__in=whole_sites)
    if deputy_sites:
        condition |= Q(site_id__in=deputy_sites) & (Q(is_restricted=False) | Q(immediate_danger=True))
    return condition


def concerns_visible_to(user) -> QuerySet[Concern]:
    """Every concern the user may read. An ended membership or a deactivated account grants nothing."""
    if not getattr(user, "is_authenticated", False):
        return Concern.objects.none()
    standing = _roles_by_site(user)
    if not standing:
        return Concern.objects.none()
    return Concern.objects.filter(_visible_condition(user, standing))


def concerns_triageable_by(user) -> QuerySet[Concern]:
    """The concerns the user may triage (can_triage, as a queryset): at the sites where they are a
    DSL, every concern; where they are a deputy, those the deputy may read (see _visible_condition).

    A DSL's sites are matched by the site condition alone, with none of the small sets' subqueries,
    which their sight of the whole site makes redundant there: the review queue's hot path."""
    if not getattr(user, "is_authenticated", False):
        return Concern.objects.none()
    standing = _roles_by_site(user)
    dsl_sites = _sites_with(standing, {Role.DSL})
    deputy_sites = [site for site in _sites_with(standing, {Role.DEPUTY_DSL}) if site not in dsl_sites]
    if not dsl_sites and not deputy_sites:
        return Concern.objects.none()
    condition = Q(site_id__in=dsl_sites) if dsl_sites else None
    if deputy_sites:
        as_deputy = Q(site_id__in=deputy_sites) & _visible_condition(user, standing)
        condition = as_deputy if condition is None else condition | as_deputy
    return Concern.objects.filter(condition)


def can_read(user, concern: Concern) -> bool:
    return concerns_visible_to(user).filter(pk=concern.pk).exists()


def attachments_visible_to(user) -> QuerySet[Attachment]:
    return Attachment.objects.filter(concern_id__in=concerns_visible_to(user).values("id"))


# --- actions --------------------------------------------------------------------------------


def induction_outstanding(user) -> bool:
    """The organisation asks for induction before recording, and this person's is not recorded."""
    if not Organisation.current().induction_required_to_record:
        return False
    return not TrainingRecord.objects.filter(user=user.pk, kind=TrainingKind.INDUCTION).exists()


def can_record(user) -> bool:
    return bool(held_site_ids(user, RECORDING_ROLES)) and not induction_outstanding(user)


def can_search_concerns(user) -> bool:
    """Searching concerns is for those who read them: staff and the DSL team (what they may read)
    and auditors. Administrators read no concern, so they have no search of concerns."""
    return bool(held_site_ids(user, RECORDING_ROLES | {Role.AUDITOR}))


def _on_dsl_team_at(user, site_id: int) -> bool:
    return holds_role_at(user, DSL_TEAM_ROLES, site_id)


def can_share(user, concern: Concern) -> bool:
    """DSLs and deputies of the concern's site share it, and only a concern they may read
    themselves (a deputy cannot share a restricted concern they were not given)."""
    return _on_dsl_team_at(user, concern.site_id) and can_read(user, concern)


def can_share_child(user, child: Child) -> bool:
    """DSLs and deputies of the child's site share the child's record (their unrestricted concerns)."""
    return _on_dsl_team_at(user, child.site_id)


def can_manage_share(user, share: Share) -> bool:
    """Listing, naming or ending a share needs sight of what was shared, and a place on that
    site's DSL team."""
    if share.concern is not None:
        return can_share(user, share.concern)
    assert share.child is not None  # a share is of one concern or one child (a database constraint)
    return can_share_child(user, share.child)


def may_hold_share(user, site_id: int) -> bool:
    """A grantee must be an active member of the site, in a role that may hold a share."""
    return holds_role_at(user, SHARE_HOLDER_ROLES, site_id)


def can_add_addendum(user, concern: Concern) -> bool:
    """Only the author adds addenda, and only while they may still record at that site."""
    return concern.author_id == user.pk and holds_role_at(user, RECORDING_ROLES, concern.site_id)


def can_lift_restriction(user, concern: Concern) -> bool:
    """Lifting a concern's restriction widens who reads it: a decision for a DSL of its site."""
    return concern.is_restricted and holds_role_at(user, {Role.DSL}, concern.site_id)


def can_triage(user, concern: Concern) -> bool:
    """Claiming, prioritising, reviewing, assigning and closing: the DSL team of the concern's site,
    on a concern they may read (a deputy triages a restricted concern only once it is shared, or
    when a child is in immediate danger)."""
    return _on_dsl_team_at(user, concern.site_id) and can_read(user, concern)


def can_read_triage(user, concern: Concern) -> bool:
    """How a concern was triaged (its deadline, who claimed and reviewed it, the decision and its
    rationale) is for the DSL team and the auditors of its site who may read it. The author sees
    only that, and when, it was reviewed."""
    return holds_role_at(user, DSL_TEAM_ROLES | {Role.AUDITOR}, concern.site_id) and can_read(user, concern)


def may_own_cases_at(user, concern: Concern) -> bool:
    """Who may carry a concern as its owner: a member of its site's DSL team who can read it."""
    return can_triage(user, concern)


def _read_by_role_at_its_site(concern: Concern) -> set[int]:
    """Ids of the people who read this concern by their role at its site alone, in one query: its
    DSLs always, and its deputies when it is unrestricted or a child is in immediate danger (see
    _visible_condition, whose rule this is)."""
    roles = {Role.DSL, Role.DEPUTY_DSL} if not concern.is_restricted or concern.immediate_danger else {Role.DSL}
    members = Membership.objects.active().filter(site_id=concern.site_id, role__in=list(roles))
    return set(members.values_list("user_id", flat=True))


def readers_among(concern: Concern, people) -> list:
    """Those of `people` who may read the concern. Whoever reads it by role is known from one
    query; only the rest (a deputy and a restricted concern, a named member of staff) are asked
    about one by one — asking about everyone took two queries a person, most of the time of the
    concern page and of each escalation."""
    by_role = _read_by_role_at_its_site(concern)
    return [person for person in people if person.pk in by_role or can_read(person, concern)]


def owners_possible_for(concern: Concern) -> list:
    """The members of the concern's site's DSL team who may own it, by name: those who can read it."""
    return readers_among(concern, list(dsl_team_at([concern.site_id]).order_by("full_name")))
