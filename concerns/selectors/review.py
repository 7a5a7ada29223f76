"""The review queue: every concern awaiting review at the sites where the reader is on the DSL
team, and readable by them, immediate danger first, then by deadline (DESIGN.md sections 1 and 3).

The queue is filtered by the site itself and by `reviewed_at IS NULL`, which is the condition of
the partial index `concern_awaiting_review` (site, -immediate_danger, review_deadline): a site's
few unreviewed concerns are found in that small index, never by walking the site's whole history
or a set of its concern ids. Who may triage which of them is the policy's own condition
(`policy.restrict(user, Concern, Action.TRIAGE)`: what they may read, at the sites where they
are on the DSL team), applied to those rows only.

Rows are small read models (like `concerns.selectors.rows`): one query for the page of concerns,
one for their categories and one for their children, however many rows there are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.choices import DSL_TEAM_ROLES
from accounts.models import User
from accounts.selectors import held_site_ids, held_sites
from concerns import policy
from concerns.choices import ConcernStatus, EscalationLevel, Priority
from concerns.models import Category, Closure, Concern, ReviewDecision
from concerns.models.concerns import concern_reference
from concerns.selectors.rows import category_names_of, children_named_in

QUEUE_PAGE_SIZE = 25
_PK_MARK = "2147483647"  # a concern id no site reaches, replaced by each row's own

_QUEUE_ROW_FIELDS = (
    "id",
    "site__name",
    "author__full_name",
    "occurred_at",
    "recorded_at",
    "review_deadline",
    "reviewed_at",
    "immediate_danger",
    "is_restricted",
    "escalation_level",
    "status",
    "priority",
    "claimed_by_id",
    "claimed_by__full_name",
    "claimed_at",
)


@dataclass(frozen=True, slots=True)
class QueueCounts:
    """The numbers at the top of the queue."""

    awaiting: int
    overdue: int
    immediate_danger: int


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One concern as the queue shows it: what a DSL needs to decide what to open first."""

    id: int
    url: str
    site_name: str
    author_name: str
    occurred_at: datetime.datetime
    recorded_at: datetime.datetime
    review_deadline: datetime.datetime
    reviewed_at: datetime.datetime | None
    immediate_danger: bool
    is_restricted: bool
    escalation_level: int
    status: str
    priority: str
    claimed_by_id: int | None
    claimed_by_name: str
    claimed_at: datetime.datetime | None
    categories: str
    children: str
    child_ids: tuple[int, ...]
    now: datetime.datetime

    @property
    def reference(self) -> str:
        return concern_reference(self.id)

    @property
    def recording_delay(self) -> datetime.timedelta:
        return self.recorded_at - self.occurred_at

    @property
    def is_overdue(self) -> bool:
        return self.reviewed_at is None and self.review_deadline <= self.now

    @property
    def time_left(self) -> datetime.timedelta:
        return self.review_deadline - self.now

    @property
    def overdue_by(self) -> datetime.timedelta:
        return self.now - self.review_deadline

    @property
    def status_label(self) -> str:
        return ConcernStatus(self.status).label

    @property
    def priority_label(self) -> str:
        return Priority(self.priority).label if self.priority else ""

    @property
    def escalation_label(self) -> str:
        return EscalationLevel(self.escalation_level).label if self.escalation_level else ""


def review_site_ids(user) -> list[int]:
    """The sites where the user is on the DSL team today (DSL or deputy): the queue's sites."""
    return held_site_ids(user, DSL_TEAM_ROLES)


def review_sites_for(user) -> list[tuple[int, str]]:
    """(id, name) of the queue's sites, by name: from the memberships the request has read already."""
    return held_sites(user, DSL_TEAM_ROLES)


def awaiting_review_for(user, *, site_id: int | None = None) -> QuerySet[Concern]:
    """The queue before its filters: every concern awaiting review that the user may triage, at
    their sites or at one of them. Built once, it serves both the counts and the rows (building the
    policy's condition for a deputy, with its subqueries, is most of the cost of a query here)."""
    site_ids = review_site_ids(user)
    if site_id is not None:
        site_ids = [site_id] if site_id in site_ids else []
    if not site_ids:
        return Concern.objects.none()
    # The site and reviewed_at conditions are the partial index's, and nothing else: a concern is
    # closed only once reviewed, so the unreviewed are exactly those awaiting review, and a status
    # condition here made PostgreSQL prefer the (site, status) index over the site's whole history.
    # The policy's condition for triage (a deputy triages a restricted concern only when it was
    # shared or a child is in immediate danger) then filters those few rows.
    triageable = policy.restrict(user, Concern, policy.Action.TRIAGE)
    return triageable.filter(site_id__in=site_ids, reviewed_at__isnull=True)


def review_queue_for(
    user,
    *,
    site_id: int | None = None,
    category_id: int | None = None,
    status: str | None = None,
    claimed_by_me: bool = False,
    overdue: bool = False,
    awaiting: QuerySet[Concern] | None = None,
) -> QuerySet[Concern]:
    """Concerns awaiting review that this member of the DSL team may triage, immediate danger
    first, then by deadline. `awaiting`: awaiting_review_for(user, site_id=site_id), if the caller
    has it already."""
    concerns = awaiting if awaiting is not None else awaiting_review_for(user, site_id=site_id)
    if category_id is not None:
        concerns = concerns.filter(categories=category_id)
    if status:
        concerns = concerns.filter(status=status)
    if claimed_by_me:
        concerns = concerns.filter(claimed_by=user.pk)
    if overdue:
        concerns = concerns.filter(review_deadline__lte=timezone.now())
    return concerns.order_by("-immediate_danger", "review_deadline", "id")


def review_queue_counts(user, *, site_id: int | None = None, awaiting: QuerySet[Concern] | None = None) -> QueueCounts:
    """How many concerns await review, how many of them are overdue, and how many say a child
    is in immediate danger: one aggregate over the same partial index."""
    concerns = awaiting if awaiting is not None else awaiting_review_for(user, site_id=site_id)
    totals = concerns.aggregate(
        awaiting=Count("id"),
        overdue=Count("id", filter=Q(review_deadline__lte=timezone.now())),
        immediate_danger=Count("id", filter=Q(immediate_danger=True)),
    )
    return QueueCounts(**totals)


def queue_rows(concerns: QuerySet[Concern]) -> list[QueueRow]:
    """Rows for these concerns (already limited to what the reader may see, ordered and sliced),
    in their order: one query for the rows, one for their categories, one for their children."""
    found = list(concerns.values_list(*_QUEUE_ROW_FIELDS))
    ids = [row[0] for row in found]
    categories = category_names_of(ids) if ids else {}
    children = children_named_in(ids) if ids else {}
    url = reverse("concerns:detail", args=[int(_PK_MARK)])
    now = timezone.now()
    rows = []
    for values in found:
        fields = dict(zip(_QUEUE_ROW_FIELDS, values, strict=True))
        pk = fields["id"]
        named = children.get(pk, ())
        rows.append(
            QueueRow(
                id=pk,
                url=url.replace(_PK_MARK, str(pk)),
                site_name=fields["site__name"],
                author_name=fields["author__full_name"],
                occurred_at=fields["occurred_at"],
                recorded_at=fields["recorded_at"],
                review_deadline=fields["review_deadline"],
                reviewed_at=fields["reviewed_at"],
                immediate_danger=fields["immediate_danger"],
                is_restricted=fields["is_restricted"],
                escalation_level=fields["escalation_level"],
                status=fields["status"],
                priority=fields["priority"],
                claimed_by_id=fields["claimed_by_id"],
                claimed_by_name=fields["claimed_by__full_name"] or "",
                claimed_at=fields["claimed_at"],
                categories="; ".join(categories.get(pk, ())),
                children=", ".join(name for _, name in named),
                child_ids=tuple(child_id for child_id, _ in named),
                now=now,
            )
        )
    return rows


def queue_row_for(user, pk: int) -> QueueRow | None:
    """One concern's queue row, as it is now (reviewed or not), if the user may triage it."""
    concerns = policy.restrict(user, Concern, policy.Action.TRIAGE).filter(pk=pk)
    rows = queue_rows(concerns)
    return rows[0] if rows else None


def concern_for_triage(user, pk: int) -> Concern | None:
    """A concern the user may read, with what its triage panel shows; None if they may not read it
    (the caller answers 404, and asks the policy whether they may triage it: 403 if not)."""
    return (
        policy.restrict(user, Concern)
        .select_related("site", "claimed_by", "reviewed_by", "owner")
        .prefetch_related("child_links")
        .filter(pk=pk)
        .first()
    )


def owner_candidates(concern: Concern) -> QuerySet[User]:
    """Who may carry this concern: the members of its site's DSL team who can read it (a deputy
    cannot own a restricted concern that was not shared with them)."""
    return User.objects.filter(pk__in=[person.pk for person in policy.owners_possible_for(concern)]).order_by(
        "full_name"
    )


def review_history(concern: Concern) -> tuple[list[ReviewDecision], list[Closure]]:
    """The concern's recorded review decisions and closures, oldest first, with who made them."""
    decisions = list(concern.review_decisions.select_related("decided_by"))
    closures = list(concern.closures.select_related("closed_by"))
    return decisions, closures


def category_choices() -> list[tuple[int, str]]:
    """Every category a concern may have been recorded under, retired ones too, for the filter."""
    return list(Category.objects.order_by("position", "name").values_list("id", "name"))
