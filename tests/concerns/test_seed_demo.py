"""seed_demo's past weeks: concerns recorded on the demo site's working days, reviewed through the
review services, some awaiting, one overdue and escalated, one in immediate danger, whatever day
it runs (a Saturday, a bank holiday, the Monday after Christmas, just after 10:00 on a weekday)."""

import datetime
import io
import itertools
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from accounts.choices import Role
from accounts.models import Membership
from audit.models import AuditEntry
from concerns.choices import ConcernStatus, EscalationLevel, NotificationKind
from concerns.deadlines import WorkingHours
from concerns.models import Closure, Concern, Escalation, Notification, ReviewDecision
from concerns.services.escalation import escalations_due
from tests.audit.test_ledger_integrity import run_verify

LONDON = ZoneInfo("Europe/London")
MOMENTS = {
    "a Saturday": datetime.datetime(2026, 11, 28, 11, 0, tzinfo=LONDON),
    "Easter Monday": datetime.datetime(2027, 3, 29, 12, 30, tzinfo=LONDON),
    "the Monday after Christmas, a bank holiday": datetime.datetime(2026, 12, 28, 9, 15, tzinfo=LONDON),
    "a Tuesday just after 10:00": datetime.datetime(2026, 12, 1, 10, 5, tzinfo=LONDON),
}
AWAITING = (ConcernStatus.SUBMITTED, ConcernStatus.IN_REVIEW)


@pytest.fixture(params=list(MOMENTS), ids=list(MOMENTS))
def demo_now(request, db, settings):
    """The moment seed_demo ran at, with the clock stopped there for the assertions."""
    settings.VIGIL_DEMO = True
    now = MOMENTS[request.param]
    with time_machine.travel(now, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        yield now


def dsl_team(site_id: int) -> set[int]:
    roles = [Role.DSL, Role.DEPUTY_DSL]
    return set(Membership.objects.filter(site_id=site_id, role__in=roles).values_list("user_id", flat=True))


def test_every_concern_was_recorded_in_working_hours_on_a_working_day(demo_now):
    for concern in Concern.objects.select_related("site"):
        hours, local = WorkingHours.of(concern.site), concern.recorded_at.astimezone(LONDON)
        assert hours.is_working_day(local.date()), (concern.reference, local)
        assert hours.day_starts <= local.time() <= hours.day_ends, (concern.reference, local)
        assert concern.occurred_at <= concern.recorded_at <= demo_now


def test_reviewed_concerns_went_through_the_dsl_team_on_time_and_some_are_closed(demo_now):
    reviewed = Concern.objects.filter(reviewed_at__isnull=False)
    assert reviewed.count() >= 10 and reviewed.filter(status=ConcernStatus.CLOSED).count() >= 3
    for concern in reviewed:
        assert concern.status in (ConcernStatus.OPEN, ConcernStatus.CLOSED)
        assert concern.recorded_at < concern.reviewed_at <= concern.review_deadline, concern.reference
        assert concern.reviewed_by_id in dsl_team(concern.site_id) and concern.escalation_level == 0
        decision = ReviewDecision.objects.get(concern=concern)
        assert decision.decided_by_id == concern.reviewed_by_id and decision.rationale
        closures = Closure.objects.filter(concern=concern)
        assert closures.count() == (concern.status == ConcernStatus.CLOSED)
        assert all(concern.reviewed_at < closure.closed_at <= demo_now and closure.reason for closure in closures)
    assert not Notification.objects.filter(concern__in=reviewed, read_at__isnull=True).exists()


def test_some_await_review_one_claimed_one_overdue_and_escalated_one_in_immediate_danger(demo_now):
    awaiting = Concern.objects.filter(reviewed_at__isnull=True)
    assert set(awaiting.values_list("status", flat=True)) == set(AWAITING)
    claimed = awaiting.get(status=ConcernStatus.IN_REVIEW)
    assert claimed.claimed_by_id in dsl_team(claimed.site_id)
    in_time = awaiting.filter(immediate_danger=False, review_deadline__gt=demo_now)
    assert in_time.count() >= 8 and not in_time.exclude(escalation_level=0).exists()
    overdue = awaiting.get(immediate_danger=False, review_deadline__lte=demo_now)
    first = Escalation.objects.get(concern=overdue, level=EscalationLevel.OVERDUE)
    # Escalated by the sweep when it fell due, as beat would have, not when seed_demo ran.
    assert overdue.review_deadline == first.due_at <= first.escalated_at <= first.due_at + datetime.timedelta(minutes=2)
    assert overdue.escalation_level == Escalation.objects.filter(concern=overdue).count() >= 1
    re_alerted = Notification.objects.filter(concern=overdue, kind=NotificationKind.OVERDUE, is_urgent=True)
    assert set(re_alerted.values_list("recipient_id", flat=True)) == dsl_team(overdue.site_id)
    danger = awaiting.get(immediate_danger=True)
    assert danger.review_deadline == danger.recorded_at + datetime.timedelta(minutes=15)
    assert (danger.escalation_level >= 1) == (danger.review_deadline < demo_now)
    assert Notification.objects.filter(concern=danger, is_urgent=True).exists()
    assert not escalations_due(now=demo_now).exists()


def test_the_ledger_tells_the_history_in_order_and_is_sealed(demo_now):
    times = list(AuditEntry.objects.order_by("id").values_list("timestamp", flat=True))
    assert all(later >= earlier - datetime.timedelta(seconds=1) for earlier, later in itertools.pairwise(times))
    assert times[-1] <= demo_now + datetime.timedelta(seconds=1)
    code, output = run_verify()
    assert code == 0 and "0 not yet sealed" in output, output
