"""The DSL dashboard's figures: counted and grouped in SQL over the concerns the reader's roles let
them read (concerns.policy.dashboard), in a fixed number of queries whatever the number of concerns.

Actions overdue and referrals awaiting a response come from the casework entries on those
concerns (concerns.models.casework): an action not done and not corrected past its due day, and a
referral with no response entry and not corrected.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, Max, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from concerns.choices import ConcernStatus, EntryKind
from concerns.models import CaseEntry, Concern, ConcernChild
from concerns.models.children import display_name_of
from concerns.policy.dashboard import concerns_counted_for

TOP_CHILDREN = 10
REVIEW_TIME = ExpressionWrapper(F("reviewed_at") - F("recorded_at"), output_field=DurationField())
RECORDING_DELAY = ExpressionWrapper(F("recorded_at") - F("occurred_at"), output_field=DurationField())
# Recorded on a later day than it happened, in the school's time: what the recording form asks a
# reason for (DESIGN.md section 3, "record the same day").
RECORDED_LATE = Q(recorded_on__gt=F("occurred_on"))


@dataclass(frozen=True)
class Period:
    """The days a dashboard covers, first and last included, in the school's time."""

    first: datetime.date
    last: datetime.date

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.first, datetime.time.min, tzinfo=zone)
        end = datetime.datetime.combine(self.last + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        return start, end


@dataclass(frozen=True)
class ChildCount:
    child_id: int
    name: str
    concerns: int


@dataclass
class Dashboard:
    """What the dashboard shows: the state of things now, and what happened in the period."""

    open: int
    awaiting_review: int
    overdue: int
    recorded: int
    reviewed: int
    median_to_review: datetime.timedelta | None
    recorded_late: int
    longest_delay: datetime.timedelta | None
    actions_overdue: int
    referrals_awaiting_response: int
    months: list[datetime.date] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    # (category, month) -> concerns recorded that month in that category
    by_category_month: dict[tuple[str, datetime.date], int] = field(default_factory=dict)
    children: list[ChildCount] = field(default_factory=list)

    def month_totals(self) -> dict[datetime.date, int]:
        totals = dict.fromkeys(self.months, 0)
        for (_, month), number in self.by_category_month.items():
            totals[month] += number
        return totals


NOT_CLOSED = [status for status in ConcernStatus.values if status != ConcernStatus.CLOSED]


def _now_counts(concerns: QuerySet[Concern], now: datetime.datetime) -> dict:
    """Two queries, each on an index of its own: (site, status) for the open, and the review queue's
    partial index of the unreviewed for the awaiting and overdue (one query over the whole site
    scanned it: 188 ms at a site of 200,000 concerns)."""
    open_count = concerns.filter(status__in=NOT_CLOSED).count()
    unreviewed = concerns.filter(reviewed_at__isnull=True).aggregate(
        awaiting_review=Count("id"), overdue=Count("id", filter=Q(review_deadline__lte=now))
    )
    return {"open": open_count, **unreviewed}


def _followed(kind: str) -> Exists:
    return Exists(CaseEntry.objects.filter(regarding=OuterRef("pk"), kind=kind))


def _casework_counts(concerns: QuerySet[Concern], today: datetime.date) -> dict:
    """Actions past their due day and referrals still waiting for the agency's answer, in one query."""
    entries = CaseEntry.objects.filter(
        concern__in=concerns.values("id"), kind__in=[EntryKind.ACTION, EntryKind.REFERRAL]
    ).annotate(
        is_done=_followed(EntryKind.ACTION_DONE),
        is_answered=_followed(EntryKind.REFERRAL_RESPONSE),
        is_corrected=Exists(CaseEntry.objects.filter(corrects=OuterRef("pk"))),
    )
    return entries.aggregate(
        actions_overdue=Count(
            "id", filter=Q(kind=EntryKind.ACTION, due_on__lt=today, is_done=False, is_corrected=False)
        ),
        referrals_awaiting_response=Count(
            "id", filter=Q(kind=EntryKind.REFERRAL, is_answered=False, is_corrected=False)
        ),
    )


def _period_counts(in_period: QuerySet[Concern]) -> dict:
    dated = in_period.annotate(recorded_on=TruncDate("recorded_at"), occurred_on=TruncDate("occurred_at"))
    return dated.aggregate(
        recorded=Count("id"),
        reviewed=Count("id", filter=Q(reviewed_at__isnull=False)),
        recorded_late=Count("id", filter=RECORDED_LATE),
        longest_delay=Max(RECORDING_DELAY, filter=RECORDED_LATE),
    )


def _median_to_review(in_period: QuerySet[Concern], reviewed: int) -> datetime.timedelta | None:
    """The middle review time, read as the one or two middle rows in order: one query on either database."""
    if not reviewed:
        return None
    middle = (reviewed - 1) // 2
    times = (
        in_period.filter(reviewed_at__isnull=False)
        .annotate(review_time=REVIEW_TIME)
        .order_by("review_time")
        .values_list("review_time", flat=True)[middle : middle + 2 - reviewed % 2]
    )
    picked = list(times)
    return sum(picked, datetime.timedelta()) / len(picked)


def _by_category_month(in_period: QuerySet[Concern]) -> dict[tuple[str, datetime.date], int]:
    rows = (
        in_period.annotate(month=TruncMonth("recorded_at"))
        .values("month", "categories__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(row["categories__name"], _as_date(row["month"])): row["n"] for row in rows}


def _as_date(month) -> datetime.date:
    return month.date() if isinstance(month, datetime.datetime) else month


def _top_children(in_period: QuerySet[Concern]) -> list[ChildCount]:
    rows = (
        ConcernChild.objects.filter(concern__in=in_period.values("id"))
        .values("child_id", "child__preferred_name", "child__first_name", "child__last_name")
        .annotate(n=Count("concern_id", distinct=True))
        .order_by("-n", "child__last_name", "child_id")[:TOP_CHILDREN]
    )
    # The name the child goes by, as every other page shows it (concerns.models.children).
    return [
        ChildCount(
            row["child_id"],
            display_name_of(row["child__preferred_name"], row["child__first_name"], row["child__last_name"]),
            row["n"],
        )
        for row in rows
    ]


def _months(period: Period) -> list[datetime.date]:
    months, month = [], period.first.replace(day=1)
    while month <= period.last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def dashboard_for(user, *, site_ids: list[int], period: Period) -> Dashboard:
    """The dashboard's figures for these sites of the reader's (already checked to be theirs)."""
    concerns = concerns_counted_for(user, site_ids).order_by()
    start, end = period.bounds
    in_period = concerns.filter(recorded_at__gte=start, recorded_at__lt=end)
    now_counts = _now_counts(concerns, timezone.now())
    period_counts = _period_counts(in_period)
    grid = _by_category_month(in_period)
    return Dashboard(
        **now_counts,
        **period_counts,
        **_casework_counts(concerns, timezone.localdate()),
        median_to_review=_median_to_review(in_period, period_counts["reviewed"]),
        months=_months(period),
        categories=sorted({name for name, _ in grid}),
        by_category_month=grid,
        children=_top_children(in_period),
    )
