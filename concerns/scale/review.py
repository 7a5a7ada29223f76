"""The review loop on the generated concerns, as the services and the sweep would have left it by now.

Every concern gets the deadline concerns/deadlines.py gives it at its site. Each is then played
forward: a DSL or deputy of its site reviews it a realistic while after it was recorded (within
minutes when a child is in immediate danger; otherwise within working hours, before the deadline,
now and then a little after it), and reviewed concerns are later closed. A review planned for
after now has not happened yet: the concern is awaiting review, perhaps claimed. In the last few
working days some concerns have not been picked up at all, so a large site has a few hundred
awaiting review, some overdue, a few in immediate danger.

Escalations are those the sweep would have fired before the review, or before now: level 1 at the
deadline, re-alerting the DSL team urgently, and level 2 one working hour later (no generated site
has an escalation contact, nor the organisation any organisation-wide DSLs, so level 2 alerts
nobody). Everything else stays consistent with the services: reviewed concerns are open or closed
and have a decision, an owner, no claim, their alerts read and no next escalation; closed ones a
closure; nothing is left due for the sweep at the moment of generation.

Times are kept as POSIX timestamps in arrays (a million concerns' worth of datetimes would not fit
comfortably in memory); the decision, closure and escalation rows are written from them afterwards.
"""

from __future__ import annotations

import datetime
import math
import random
from array import array
from collections.abc import Iterable, Iterator

from accounts.models import Site
from concerns.choices import ConcernStatus, EscalationLevel, Outcome, Priority, ReviewDecisionKind
from concerns.deadlines import LONDON, SEARCH_LIMIT_DAYS, WorkingHours, add_working_time, review_deadline
from concerns.services.review import SENIOR_ESCALATION_AFTER

UTC = datetime.UTC
# Concerns recorded on the last few working days (today included) are the ones still in play.
AWAITING_WORKING_DAYS = 4
# Of those, the share nobody has picked up yet: from a fifth of the oldest to most of the newest (and
# more of the few in immediate danger, so the queue has them at its top); and the share of the
# awaiting ones someone has claimed.
UNPICKED_OLDEST, UNPICKED_NEWEST = 0.2, 0.7
UNPICKED_IN_DANGER = 0.4
CLAIMED = 0.3
# Reviews that came after the deadline, and so after the first escalation.
LATE = 0.04
# At least one concern in immediate danger awaiting review per this many recent ones at each site.
DANGER_AWAITING_PER = 250
# The sweep runs every minute: an escalation is recorded within a minute of falling due.
SWEEP_EVERY = 60
# Closed by now, by age: most of the old, some of the last month's, a few of the last days'.
CLOSED_OLD, CLOSED_MONTH, CLOSED_RECENT = 0.85, 0.4, 0.1
OLD_DAYS = 30

DECISIONS = {
    ReviewDecisionKind.NO_FURTHER_ACTION: (
        25,
        "Low-level on its own, nothing earlier on file; the class teacher keeps watch.",
    ),
    ReviewDecisionKind.MONITOR: (
        35,
        "Fits a pattern of small concerns: monitor for two weeks, tutor to check in daily.",
    ),
    ReviewDecisionKind.EARLY_HELP: (15, "Family struggling and willing to engage: early help assessment offered."),
    ReviewDecisionKind.REFER: (10, "Meets the threshold for significant harm: referred to children's social care."),
    ReviewDecisionKind.SPEAK_TO_CHILD: (
        15,
        "Need to hear it from the child: DSL to speak to them today with a witness.",
    ),
}
OUTCOMES = {
    Outcome.NO_FURTHER_ACTION: (40, "Monitoring period over with nothing further seen."),
    Outcome.RESOLVED_IN_SCHOOL: (30, "Support in school has worked; parents informed."),
    Outcome.EARLY_HELP: (12, "Early help plan in place; the family's lead professional holds it."),
    Outcome.SOCIAL_CARE: (10, "Social care have the case; strategy discussion held."),
    Outcome.POLICE: (3, "Police have taken it on; our part is recorded."),
    Outcome.CHILD_LEFT: (5, "The child has left; the file went to the new school."),
}
# A DSL team's view of how urgent a reviewed concern is ("" where nobody set one).
PRIORITIES = ["", Priority.LOW, Priority.MEDIUM, Priority.MEDIUM, Priority.HIGH]


def awaiting_since(now: datetime.datetime, hours: WorkingHours, working_days: int = AWAITING_WORKING_DAYS):
    """Midnight in London at the start of the `working_days`-th working day back from now (today counts)."""
    day = now.astimezone(LONDON).date()
    found = 0
    for _ in range(SEARCH_LIMIT_DAYS):
        if hours.is_working_day(day):
            found += 1
            if found == working_days:
                break
        day -= datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=LONDON).astimezone(UTC)


def _at(timestamp: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(timestamp, UTC)


class ReviewSimulator:
    """Plays each concern's review forward to now; remembers what the later tables need."""

    def __init__(self, *, seed: int, now: datetime.datetime, site_ids: Iterable[int]):
        self.rng = random.Random(seed + 2)
        self.now = now
        self.hours = {site.pk: WorkingHours.of(site) for site in Site.objects.filter(pk__in=list(site_ids))}
        self.since = {site_id: awaiting_since(now, hours).timestamp() for site_id, hours in self.hours.items()}
        self.forced_awaiting: set[int] = set()
        # By concern index; 0 where it did not happen.
        self.deadline = array("d")
        self.reviewed_at = array("d")
        self.reviewer = array("q")
        self.closed_at = array("d")
        self.claimer = array("q")
        self.claimed_at = array("d")
        self.escalated = (array("d"), array("d"))  # when levels 1 and 2 fired
        self.senior_due = array("d")  # when level 2 fell due, where it fired

    def is_recent(self, site_id: int, recorded: float) -> bool:
        return recorded >= self.since[site_id]

    def danger_to_force(self, recent: list[int]) -> list[int]:
        """Which of a site's recent concerns to make immediate-danger ones nobody has picked up yet."""
        wanted = math.ceil(len(recent) / DANGER_AWAITING_PER)
        chosen = self.rng.sample(recent, min(wanted, len(recent)))
        self.forced_awaiting.update(chosen)
        return chosen

    # One concern ----------------------------------------------------------------------------------

    def columns(self, index: int, *, site_id: int, team: list[int], recorded: datetime.datetime, danger: bool):
        """The concern's review columns, in REVIEW_COLUMNS order."""
        hours = self.hours[site_id]
        deadline = review_deadline(recorded, immediate_danger=danger, hours=hours)
        recent = self.is_recent(site_id, recorded.timestamp())
        planned = self._planned_review(index, recorded, deadline, danger, hours, since=self.since[site_id])
        if planned is not None and planned > self.now and not recent:
            # Something this old was reviewed by now, whatever the draw said.
            planned = max(recorded + datetime.timedelta(minutes=1), self.now - datetime.timedelta(minutes=5))
        reviewed = planned is not None and planned <= self.now
        until = planned if reviewed else self.now
        level, next_at = self._escalations(deadline, until, hours, reviewed=reviewed)
        self.deadline.append(deadline.timestamp())
        if reviewed:
            return self._reviewed(recorded, deadline, planned, team, level, danger=danger, hours=hours, recent=recent)
        return self._awaiting(recorded, deadline, team, level, next_at)

    def _planned_review(self, index, recorded, deadline, danger, hours, *, since: float) -> datetime.datetime | None:
        """When the DSL team reviews it; None if nobody has picked it up yet."""
        rng = self.rng
        if index in self.forced_awaiting or rng.random() < self._unpicked(recorded, danger, since):
            return None
        late = rng.random() < LATE
        if danger:
            minutes = rng.uniform(16, 90) if late else rng.uniform(2, 14)
            return recorded + datetime.timedelta(minutes=minutes)
        if late:
            return add_working_time(deadline, datetime.timedelta(minutes=rng.uniform(5, 120)), hours)
        # Within a few working hours of being recorded, sooner more often than later; never past the deadline.
        after = datetime.timedelta(minutes=10 + 290 * rng.random() ** 2)
        planned = add_working_time(recorded, after, hours)
        if planned >= deadline:
            planned = deadline - datetime.timedelta(minutes=rng.uniform(1, 45))
        return max(planned, recorded + datetime.timedelta(minutes=5))

    def _unpicked(self, recorded: datetime.datetime, danger: bool, since: float) -> float:
        """The chance that nobody has picked up the concern yet: none before the last few working
        days, rising from a fifth to most of those recorded since."""
        recorded_ts = recorded.timestamp()
        if recorded_ts < since:
            return 0.0
        if danger:
            return UNPICKED_IN_DANGER
        position = (recorded_ts - since) / max(self.now.timestamp() - since, 1.0)
        return UNPICKED_OLDEST + (UNPICKED_NEWEST - UNPICKED_OLDEST) * position

    def _escalations(self, deadline, until, hours, *, reviewed: bool) -> tuple[int, datetime.datetime | None]:
        """Record the levels the sweep fired before `until`; return the level reached and when the next falls due."""
        due = deadline
        fired = [0.0, 0.0]
        senior_due = 0.0
        level = 0
        for number in (EscalationLevel.OVERDUE, EscalationLevel.SENIOR):
            if number == EscalationLevel.SENIOR:
                due = add_working_time(deadline, SENIOR_ESCALATION_AFTER, hours)
            at = due + datetime.timedelta(seconds=self.rng.uniform(1, SWEEP_EVERY - 1))
            if (reviewed and at >= until) or (not reviewed and due > until):
                break
            fired[number - 1] = min(at, until).timestamp()
            senior_due = due.timestamp() if number == EscalationLevel.SENIOR else senior_due
            level = number
        self.escalated[0].append(fired[0])
        self.escalated[1].append(fired[1])
        self.senior_due.append(senior_due)
        next_at = None if reviewed or level == EscalationLevel.SENIOR else due
        return level, next_at

    def _reviewed(self, recorded, deadline, reviewed_at, team, level, *, danger, hours, recent) -> tuple:
        rng = self.rng
        reviewer = rng.choice(team)
        old = (self.now - recorded).days > OLD_DAYS
        closed_at = None
        if rng.random() < (CLOSED_OLD if old else CLOSED_RECENT if recent else CLOSED_MONTH):
            closed_at = add_working_time(reviewed_at, datetime.timedelta(hours=rng.uniform(1, 120)), hours)
            closed_at = closed_at if closed_at <= self.now else None
        self.reviewed_at.append(reviewed_at.timestamp())
        self.reviewer.append(reviewer)
        self.closed_at.append(closed_at.timestamp() if closed_at else 0.0)
        self.claimer.append(0)
        self.claimed_at.append(0.0)
        priority = Priority.URGENT if danger else rng.choice(PRIORITIES)
        status = ConcernStatus.CLOSED if closed_at else ConcernStatus.OPEN
        return (deadline, reviewed_at, reviewer, None, level, None, None, priority, reviewer, closed_at, status)

    def _awaiting(self, recorded, deadline, team, level, next_at) -> tuple:
        rng = self.rng
        claimer, claimed_at = 0, None
        if rng.random() < CLAIMED:
            candidate = recorded + datetime.timedelta(minutes=rng.uniform(3, 90))
            if candidate <= self.now:
                claimer, claimed_at = rng.choice(team), candidate
        self.reviewed_at.append(0.0)
        self.reviewer.append(0)
        self.closed_at.append(0.0)
        self.claimer.append(claimer)
        self.claimed_at.append(claimed_at.timestamp() if claimed_at else 0.0)
        status = ConcernStatus.IN_REVIEW if claimer else ConcernStatus.SUBMITTED
        priority = rng.choice(PRIORITIES) if claimer else ""
        return (deadline, None, None, next_at, level, claimer or None, claimed_at, priority, None, None, status)

    # The rows written after the concerns -----------------------------------------------------------

    def decision_rows(self, first_id: int, first_concern: int) -> Iterator[tuple]:
        kinds, weights = list(DECISIONS), [weight for weight, _ in DECISIONS.values()]
        next_id = first_id
        for index, reviewed in enumerate(self.reviewed_at):
            if reviewed:
                decision = self.rng.choices(kinds, weights)[0]
                yield (
                    next_id,
                    first_concern + index,
                    self.reviewer[index],
                    _at(reviewed),
                    decision,
                    DECISIONS[decision][1],
                )
                next_id += 1

    def closure_rows(self, first_id: int, first_concern: int) -> Iterator[tuple]:
        outcomes, weights = list(OUTCOMES), [weight for weight, _ in OUTCOMES.values()]
        next_id = first_id
        for index, closed in enumerate(self.closed_at):
            if closed:
                outcome = self.rng.choices(outcomes, weights)[0]
                yield (next_id, first_concern + index, self.reviewer[index], _at(closed), outcome, OUTCOMES[outcome][1])
                next_id += 1

    def escalation_rows(self, first_id: int, first_concern: int) -> Iterator[tuple]:
        next_id = first_id
        for index, fired in enumerate(self.escalated[0]):
            if fired:
                yield (next_id, first_concern + index, EscalationLevel.OVERDUE, _at(self.deadline[index]), _at(fired))
                next_id += 1
                senior = self.escalated[1][index]
                if senior:
                    due = _at(self.senior_due[index])
                    yield (next_id, first_concern + index, EscalationLevel.SENIOR, due, _at(senior))
                    next_id += 1

    def alerts_read_at(self, index: int, recipient: int, *, created: datetime.datetime) -> datetime.datetime | None:
        """When an alert about the concern left a DSL team member's list: the review clears every
        alert, a claim the claimer's own alerts raised before it."""
        if self.reviewed_at[index]:
            return _at(self.reviewed_at[index])
        claimed = self.claimed_at[index]
        if self.claimer[index] == recipient and claimed >= created.timestamp():
            return _at(claimed)
        return None

    def overdue_at(self, index: int) -> datetime.datetime | None:
        """When the concern's level 1 escalation re-alerted the DSL team, if it reached it."""
        fired = self.escalated[0][index]
        return _at(fired) if fired else None


REVIEW_COLUMNS = [
    "review_deadline",
    "reviewed_at",
    "reviewed_by_id",
    "escalates_at",
    "escalation_level",
    "claimed_by_id",
    "claimed_at",
    "priority",
    "owner_id",
    "closed_at",
    "status",
]
