"""When a concern must be reviewed, and when an overdue one escalates (DESIGN.md section 3).

Pure: no database, no settings, no clock. The caller passes the moment of submission and the
site's `WorkingHours`; everything returned is an aware datetime in UTC.

UTC, not London, because Python compares and subtracts two datetimes that share a tzinfo by their
wall clocks alone: across the autumn change 01:50 BST would sort after 01:05 GMT, which is 45
minutes later in real time. UTC has no repeated hour, so every comparison and difference is real
elapsed time. Convert with `.astimezone(LONDON)` to show a deadline to a person.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays

if TYPE_CHECKING:
    from accounts.models import Site

# settings.TIME_ZONE, named here so that the module needs no Django to be imported or tested.
LONDON = ZoneInfo("Europe/London")

IMMEDIATE_DANGER_REVIEW = timedelta(minutes=15)
NEXT_DAY_REVIEW_BY = time(10, 0)

# A site whose every day is a holiday would otherwise send the search for a working day on for ever.
SEARCH_LIMIT_DAYS = 400


@functools.cache
def _england_bank_holidays(year: int) -> frozenset[date]:
    """England's bank holidays in `year`, substitute days included, from the `holidays` package."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


@dataclass(frozen=True)
class WorkingHours:
    """A site's working week and day, in London wall-clock time, and its own term holidays."""

    working_days: frozenset[int]  # Monday = 0, as date.weekday()
    day_starts: time
    day_ends: time
    review_cutoff: time
    site_holidays: frozenset[date]

    def __post_init__(self) -> None:
        if not self.working_days <= set(range(7)):
            raise ValueError(f"Working days must be weekday numbers 0 (Monday) to 6, not {sorted(self.working_days)}")
        # A day with no working time in it would leave add_working_time nothing to count.
        if self.day_starts >= self.day_ends:
            raise ValueError(f"The working day must start before it ends ({self.day_starts} to {self.day_ends})")

    @classmethod
    def of(cls, site: Site) -> WorkingHours:
        """The working hours a site's settings describe; a holiday that is not YYYY-MM-DD raises ValueError."""
        return cls(
            working_days=frozenset(int(day) for day in site.working_days),
            day_starts=site.day_starts,
            day_ends=site.day_ends,
            review_cutoff=site.review_cutoff,
            site_holidays=frozenset(_parse_holiday(site, value) for value in site.holidays),
        )

    @property
    def effective_cutoff(self) -> time:
        """The cut-off, never later than the end of the day: a deadline must not fall before its concern."""
        return min(self.review_cutoff, self.day_ends)

    @property
    def next_day_review_by(self) -> time:
        """10:00, moved inside the site's working day if that day starts later or ends earlier."""
        return min(max(NEXT_DAY_REVIEW_BY, self.day_starts), self.day_ends)

    def is_working_day(self, day: date) -> bool:
        """Whether the site works on `day`: a working weekday, not a term holiday, not a bank holiday."""
        return (
            day.weekday() in self.working_days
            and day not in self.site_holidays
            and day not in _england_bank_holidays(day.year)
        )

    def next_working_day(self, after: date) -> date:
        """The first working day strictly after `after`."""
        for offset in range(1, SEARCH_LIMIT_DAYS + 1):
            day = after + timedelta(days=offset)
            if self.is_working_day(day):
                return day
        raise ValueError(
            f"No working day in the {SEARCH_LIMIT_DAYS} days after {after.isoformat()}: "
            "check the site's working days and holidays"
        )


def review_deadline(submitted_at: datetime, *, immediate_danger: bool, hours: WorkingHours) -> datetime:
    """When a concern submitted at `submitted_at` must have been reviewed by, in UTC.

    Immediate danger: 15 minutes of real time, any day and hour. Otherwise, on a working day before
    the cut-off (also before the day starts): the end of that day; at or after the cut-off, or on a
    weekend or holiday: 10:00 on the next working day.
    """
    _require_aware(submitted_at, "submitted_at")
    if immediate_danger:
        return submitted_at.astimezone(UTC) + IMMEDIATE_DANGER_REVIEW
    local = submitted_at.astimezone(LONDON)
    today = local.date()
    if hours.is_working_day(today) and local.time() < hours.effective_cutoff:
        return _london_wall_time(today, hours.day_ends)
    return _london_wall_time(hours.next_working_day(today), hours.next_day_review_by)


def add_working_time(moment: datetime, amount: timedelta, hours: WorkingHours) -> datetime:
    """The moment, in UTC, when `amount` of working time has passed since `moment`.

    Only time between day_starts and day_ends on working days counts, so escalation's "one working
    hour after the deadline" turns a 17:00 Friday deadline into 09:00 on Monday (08:00–17:00 site),
    16:30 into 08:30 the next working day, and 10:00 into 11:00. A moment outside working time
    starts counting at the next day_starts: an immediate-danger deadline of 23:10 on a Saturday
    escalates at day_starts + 1 hour on the next working day, not at 00:10 on Sunday.
    """
    _require_aware(moment, "moment")
    if amount < timedelta(0):
        raise ValueError(f"Working time to add must not be negative, not {amount}")
    cursor = moment.astimezone(UTC)
    remaining = amount
    day = cursor.astimezone(LONDON).date()
    if not hours.is_working_day(day):
        day = hours.next_working_day(day)
    while True:
        starts, ends = _london_wall_time(day, hours.day_starts), _london_wall_time(day, hours.day_ends)
        if cursor < ends:
            counting_from = max(cursor, starts)
            if remaining <= ends - counting_from:
                return counting_from + remaining
            remaining -= ends - counting_from
        day = hours.next_working_day(day)


def _london_wall_time(day: date, wall_time: time) -> datetime:
    """The real moment, in UTC, that London's clocks show `wall_time` on `day`.

    fold=0: a time in the autumn's repeated hour means its first (BST) occurrence, and one in the
    spring's missing hour is read at GMT (01:30 becomes 02:30 BST). Neither can happen with the usual
    hours of a school day; both are defined rather than left to chance.
    """
    return datetime.combine(day, wall_time.replace(fold=0), tzinfo=LONDON).astimezone(UTC)


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, not the naive {moment.isoformat()}")


def _parse_holiday(site: Site, value: object) -> date:
    """One of the site's holidays, strictly YYYY-MM-DD: a typo must not silently become a working day."""
    try:
        parsed = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.isoformat() != value:
        raise ValueError(f"Site {site}: holiday {value!r} is not a date in the form YYYY-MM-DD")
    return parsed


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def in_words(moment: datetime) -> str:
    """A deadline as a person reads it, on London's clocks: "10:00 on Monday 7 December 2026".

    Always the day and date, never "today": an email read after the cut-off, or on a Friday for
    a Monday deadline, must still say when. Names spelled out here, not by the locale's strftime.
    """
    _require_aware(moment, "moment")
    local = moment.astimezone(LONDON)
    return f"{local:%H:%M} on {_DAY_NAMES[local.weekday()]} {local.day} {_MONTH_NAMES[local.month - 1]} {local.year}"
