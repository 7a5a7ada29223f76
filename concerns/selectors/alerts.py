"""A person's alerts: the header's count, the alerts list, and one alert opened.

Only ever the person's own rows, and of each concern only what an alert may show — its reference,
site, deadline and whether a child may be in immediate danger — never a child or a word recorded.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from concerns import policy
from concerns.models import Notification

ALERTS_PER_PAGE = 25
# What a row of the list shows of the alert and its concern; nothing else is read.
_LISTED_FIELDS = (
    "recipient_id",
    "concern_id",
    "kind",
    "created_at",
    "read_at",
    "is_urgent",
    "concern__site_id",
    "concern__review_deadline",
    "concern__immediate_danger",
    "concern__site__name",
)


# The header counts unread alerts up to here and says "99+" beyond: a DSL of a large site who
# leaves them unread has thousands, and counting every one cost 3 ms on every page they open.
UNREAD_COUNTED = 100


@dataclass(frozen=True)
class UnreadAlerts:
    """How many unread alerts a person has, and how many of those are urgent: each counted up to
    UNREAD_COUNTED, and shown as "99+" from there."""

    total: int
    urgent: int

    @property
    def total_shown(self) -> str:
        return _shown(self.total)

    @property
    def urgent_shown(self) -> str:
        return _shown(self.urgent)


def _shown(count: int) -> str:
    return f"{UNREAD_COUNTED - 1}+" if count >= UNREAD_COUNTED else str(count)


def alerts_unread_count(user) -> UnreadAlerts:
    """The header's count: one query over at most UNREAD_COUNTED of the person's unread alerts,
    urgent first (the partial index notification_unread_urgent), so it takes the same time however
    many there are, and every urgent one is counted before a routine one. Alerts about concerns
    they can no longer open are counted too: telling them apart would cost a policy check of every
    unread row on every page, and the list leaves them out."""
    unread = Notification.objects.filter(recipient=user.pk, read_at__isnull=True).order_by("-is_urgent")
    counts = unread[:UNREAD_COUNTED].aggregate(total=Count("pk"), urgent=Count("pk", filter=Q(is_urgent=True)))
    return UnreadAlerts(total=counts["total"], urgent=counts["urgent"])


@dataclass(frozen=True)
class AlertsPage:
    """One page of a person's alerts, unread first, each newest first; `opens` maps an alert's id
    to True (it opens the concern) or False (a notice); alerts that open nothing are not listed."""

    alerts: list[Notification]
    opens: dict[int, bool]
    number: int
    has_previous: bool
    has_next: bool


def _alerts_of(user) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=user.pk)
        .select_related("concern__site")
        .only(*_LISTED_FIELDS)
        .order_by("-created_at", "-id")
    )


def alerts_page_for(user, *, number: int, per_page: int = ALERTS_PER_PAGE) -> AlertsPage:
    """The person's alerts on page `number`: the unread (from the partial index) then the read.

    No total is counted (a DSL of a large site is sent hundreds of thousands over the years), so
    the page offers newer and older. Only this page's concerns are checked against the policy;
    an alert about a concern since closed to the person is rare, and leaves its page one row short.
    """
    number = max(number, 1)
    start, wanted = (number - 1) * per_page, per_page + 1
    unread = _alerts_of(user).filter(read_at__isnull=True)
    rows = list(unread[start : start + wanted])
    if len(rows) < wanted:
        unread_total = start + len(rows) if rows or start == 0 else unread.count()
        read_start = max(start - unread_total, 0)
        rows += list(_alerts_of(user).filter(read_at__isnull=False)[read_start : read_start + wanted - len(rows)])
    shown = rows[:per_page]
    opens = policy.alerts_openable(user, shown)
    return AlertsPage(
        alerts=[alert for alert in shown if alert.pk in opens],
        opens=opens,
        number=number,
        has_previous=number > 1,
        has_next=len(rows) > per_page,
    )


def alert_of(user, pk: int) -> Notification | None:
    """The person's own alert `pk`, with what its notice may show of the concern; anyone else's is None."""
    return (
        Notification.objects.filter(pk=pk, recipient=user.pk)
        .select_related("concern__site", "concern__claimed_by")
        .only(
            "recipient_id",
            "concern_id",
            "kind",
            "created_at",
            "read_at",
            "is_urgent",
            "concern__site_id",
            "concern__status",
            "concern__recorded_at",
            "concern__review_deadline",
            "concern__reviewed_at",
            "concern__immediate_danger",
            "concern__escalation_level",
            "concern__claimed_at",
            "concern__site__name",
            "concern__claimed_by__full_name",
        )
        .first()
    )
