"""The demo's past weeks, replayed through the real services, each step at the moment it happened.

seed_demo's concerns were recorded, reviewed and closed over the past weeks, on the demo site's
working days and in its hours, whatever day seed_demo runs (a Saturday, a bank holiday). A
concern's recorded_at is the clock at submission, and the database refuses to change it
afterwards (concerns/migrations/0003); every other time (alerts, decisions, closures, escalations,
the ledger's entries) is the clock's too. So each step runs through its service with the clock
moved to its moment (time-machine), in the order the steps happened, and the escalation sweep runs
at each moment beat would have run it for them. Demo only: seed_demo refuses in production, and
nothing else imports this module.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import time_machine

from concerns.deadlines import LONDON, SEARCH_LIMIT_DAYS, WorkingHours, add_working_time, review_deadline
from concerns.services.review import SENIOR_ESCALATION_AFTER

UTC = datetime.UTC
# Concerns recorded this many working minutes ago at most are always after the last deadline that
# has passed (a deadline is the end of a working day or 10:00 on the next, two hours after it starts).
LATEST_STRETCH = datetime.timedelta(minutes=115)
# The sweep runs every minute: a concern escalates within a minute of falling due.
SWEEP_AFTER = datetime.timedelta(minutes=1)
ADDENDUM_AFTER = datetime.timedelta(hours=2)
CLAIMED_BEFORE_REVIEW = datetime.timedelta(minutes=5)
CLAIMED_AFTER = datetime.timedelta(minutes=20)

# The order of steps that fall at the same moment.
SUBMIT, ADDENDUM, CLAIM, REVIEW, CLOSE, SWEEP = range(6)


@dataclass(frozen=True)
class When:
    """When a concern was recorded, always in the demo site's working hours, and when it happened.

    Recorded `minutes_ago` minutes of working time before now (at most LATEST_STRETCH, so after the
    last deadline that has passed: these await review), or at `clock` on the working day
    `working_days_ago` working days before today. It happened `occurred_minutes` before it was
    recorded; or, recorded late (with a delay reason), at `occurred_clock` on the working day
    `occurred_days_before` working days earlier.
    """

    minutes_ago: int = 0
    working_days_ago: int = 0
    clock: str = ""
    occurred_minutes: int = 25
    occurred_clock: str = ""
    occurred_days_before: int = 1

    def __post_init__(self) -> None:
        if bool(self.minutes_ago) == bool(self.working_days_ago and self.clock):
            raise ValueError(f"Give minutes_ago, or working_days_ago and clock: {self}")
        if datetime.timedelta(minutes=self.minutes_ago) > LATEST_STRETCH:
            raise ValueError(f"minutes_ago is at most {LATEST_STRETCH}, or the concern may be overdue: {self}")


@dataclass(frozen=True)
class Review:
    """How the DSL team triaged a concern, as a DSL would through the review services: who claimed
    and reviewed it, `after_minutes` of working time after it was recorded, what they decided and
    why; and, for some, the outcome it was closed with `closed_after_days` working days later."""

    by: str
    after_minutes: int
    decision: str
    rationale: str
    priority: str = ""
    closed_after_days: int = 0
    outcome: str = ""
    closing_reason: str = ""


def clock_at(moment: datetime.datetime):
    """The clock moved to `moment` and running on from it, for everything the process reads."""
    return time_machine.travel(moment, tick=True)


def working_time_before(moment: datetime.datetime, amount: datetime.timedelta, hours: WorkingHours):
    """The moment, in UTC, `amount` of working time before `moment` (add_working_time backwards)."""
    cursor, remaining = moment.astimezone(UTC), amount
    day = cursor.astimezone(LONDON).date()
    for _ in range(SEARCH_LIMIT_DAYS):
        if hours.is_working_day(day):
            starts, ends = _wall(day, hours.day_starts), _wall(day, hours.day_ends)
            counting_to = min(cursor, ends)
            if counting_to > starts:
                if remaining <= counting_to - starts:
                    return counting_to - remaining
                remaining -= counting_to - starts
        day -= datetime.timedelta(days=1)
    raise ValueError(f"No working time in the {SEARCH_LIMIT_DAYS} days before {moment.isoformat()}")


def working_day_before(day: datetime.date, count: int, hours: WorkingHours) -> datetime.date:
    """The working day `count` working days before `day` (which need not be one itself)."""
    for _ in range(count):
        for _ in range(SEARCH_LIMIT_DAYS):
            day -= datetime.timedelta(days=1)
            if hours.is_working_day(day):
                break
    return day


def _wall(day: datetime.date, clock: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, clock, tzinfo=LONDON).astimezone(UTC)


@dataclass(order=True)
class Step:
    at: datetime.datetime
    rank: int
    number: int
    action: Callable[[], object] = field(compare=False)


@dataclass
class DemoHistory:
    """The steps of the demo's past, put in order and played each at its moment."""

    now: datetime.datetime
    steps: list[Step] = field(default_factory=list)

    def add(self, at: datetime.datetime, rank: int, action: Callable[[], object]) -> None:
        if at > self.now:
            raise ValueError(f"A demo step at {at.isoformat()} would be in the future")
        self.steps.append(Step(at, rank, len(self.steps), action))

    def play(self) -> None:
        for step in sorted(self.steps):
            with clock_at(step.at):
                step.action()

    # When each step happens ----------------------------------------------------------------------

    def recorded_at(self, when: When, hours: WorkingHours) -> datetime.datetime:
        if when.minutes_ago:
            return working_time_before(self.now, datetime.timedelta(minutes=when.minutes_ago), hours)
        day = working_day_before(self.now.astimezone(LONDON).date(), when.working_days_ago, hours)
        return _wall(day, datetime.time.fromisoformat(when.clock))

    @staticmethod
    def occurred_at(when: When, recorded: datetime.datetime, hours: WorkingHours) -> datetime.datetime:
        if not when.occurred_clock:
            return recorded - datetime.timedelta(minutes=when.occurred_minutes)
        day = working_day_before(recorded.astimezone(LONDON).date(), when.occurred_days_before, hours)
        return _wall(day, datetime.time.fromisoformat(when.occurred_clock))

    def addendum_at(self, recorded: datetime.datetime, number: int, hours: WorkingHours) -> datetime.datetime:
        """Later the same working day; for a concern recorded moments ago, halfway from then to now."""
        at = add_working_time(recorded, ADDENDUM_AFTER * (number + 1), hours)
        return at if at <= self.now else recorded + min((self.now - recorded) / 2, datetime.timedelta(minutes=10))

    def claimed_at(self, recorded: datetime.datetime, hours: WorkingHours) -> datetime.datetime:
        return min(add_working_time(recorded, CLAIMED_AFTER, hours), self.now)

    @staticmethod
    def reviewed_at(recorded: datetime.datetime, review: Review, hours: WorkingHours) -> datetime.datetime:
        return add_working_time(recorded, datetime.timedelta(minutes=review.after_minutes), hours)

    @staticmethod
    def closed_at(reviewed: datetime.datetime, review: Review, hours: WorkingHours) -> datetime.datetime:
        working_day = datetime.datetime.combine(datetime.date.min, hours.day_ends) - datetime.datetime.combine(
            datetime.date.min, hours.day_starts
        )
        return add_working_time(reviewed, working_day * review.closed_after_days, hours)

    def sweeps_for(self, recorded: datetime.datetime, *, immediate_danger: bool, hours: WorkingHours):
        """When beat's sweep first ran after each of the concern's escalation times that have passed."""
        deadline = review_deadline(recorded, immediate_danger=immediate_danger, hours=hours)
        senior = add_working_time(deadline, SENIOR_ESCALATION_AFTER, hours)
        return [moment + SWEEP_AFTER for moment in (deadline, senior) if moment + SWEEP_AFTER <= self.now]
