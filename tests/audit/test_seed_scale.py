"""seed_scale builds the fictional organisation the benchmarks run on; its ledger verifies, and its
concerns stand where the review loop would have left them by now."""

import datetime
import io
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership, Organisation, Site, User
from audit.chain import named_object_ids
from audit.models import AuditEntry, AuditEntryObject
from concerns.choices import ConcernStatus, EscalationLevel, NotificationKind
from concerns.deadlines import WorkingHours, add_working_time, review_deadline
from concerns.models import Child, Closure, Concern, ConcernChild, Escalation, Notification, ReviewDecision
from concerns.scale.review import AWAITING_WORKING_DAYS, awaiting_since
from concerns.services.review import SENIOR_ESCALATION_AFTER, next_escalation_at
from tests.audit.test_ledger_integrity import run_verify

TINY = ["--sites", "3", "--children", "45", "--concerns", "90", "--ledger", "1200"]
# Two weeks of a busy trust in small: enough concerns in the last working days for every state.
BUSY_FORTNIGHT = ["--sites", "3", "--children", "60", "--concerns", "900", "--days", "14", "--ledger", "3000"]
AWAITING = (ConcernStatus.SUBMITTED, ConcernStatus.IN_REVIEW)


def test_a_tiny_organisation_is_built_and_its_whole_ledger_verifies(db):
    Organisation.current()  # its creation is on the ledger too; seed_scale then writes exactly --ledger entries
    before = AuditEntry.objects.count()
    # --force: the default test database is SQLite; on PostgreSQL this empty one would pass anyway.
    call_command("seed_scale", *TINY, "--force", stdout=io.StringIO())
    assert (Site.objects.count(), Child.objects.count(), Concern.objects.count()) == (3, 45, 90)
    assert AuditEntry.objects.count() == before + 1200
    for site in Site.objects.all():
        roles = list(Membership.objects.filter(site=site).values_list("role", flat=True))
        assert roles.count(Role.DSL) == 1 and roles.count(Role.DEPUTY_DSL) >= 2 and roles.count(Role.STAFF) >= 3
        assert Concern.objects.filter(site=site).exists()
    largest = Site.objects.order_by("id").first()
    assert Concern.objects.filter(site=largest).count() > Concern.objects.count() / 3
    # Every concern names children on its own site's roll, and is on the ledger as submitted.
    assert not ConcernChild.objects.exclude(child__site=F("concern__site")).exists()
    assert AuditEntry.objects.filter(event="concern.submitted").count() == 90
    code, output = run_verify()
    assert code == 0, output
    assert f"OK: {AuditEntry.objects.count()} sealed entries verified" in output
    assert "0 not yet sealed" in output
    named = sum(len(named_object_ids(data)) for data in AuditEntry.objects.values_list("additional_data", flat=True))
    assert AuditEntryObject.objects.count() == named > 0


def test_it_refuses_a_database_with_real_data_or_not_postgresql(cast):
    people = User.objects.count()
    with pytest.raises(CommandError, match="PostgreSQL|already holds people"):
        call_command("seed_scale", *TINY, stdout=io.StringIO())
    assert User.objects.count() == people and Concern.objects.count() == 0


@pytest.fixture
def fortnight(db):
    """A generated fortnight; returns the moment just before it was generated."""
    Organisation.current()
    started = timezone.now().replace(microsecond=0)
    call_command("seed_scale", *BUSY_FORTNIGHT, "--force", stdout=io.StringIO())
    return started


def dsl_teams() -> dict[int, set[int]]:
    teams = defaultdict(set)
    for site_id, user_id in Membership.objects.filter(role__in=[Role.DSL, Role.DEPUTY_DSL]).values_list(
        "site_id", "user_id"
    ):
        teams[site_id].add(user_id)
    return teams


def test_every_concern_has_the_deadline_its_site_gives_it(fortnight):
    hours = {site.pk: WorkingHours.of(site) for site in Site.objects.all()}
    for concern in Concern.objects.all():
        assert concern.review_deadline == review_deadline(
            concern.recorded_at, immediate_danger=concern.immediate_danger, hours=hours[concern.site_id]
        ), concern.reference


def test_reviewed_concerns_were_reviewed_by_the_site_dsl_team_and_are_open_or_closed(fortnight):
    teams = dsl_teams()
    decisions = {decision.concern_id: decision for decision in ReviewDecision.objects.all()}
    closures = {closure.concern_id: closure for closure in Closure.objects.all()}
    reviewed = Concern.objects.filter(reviewed_at__isnull=False)
    assert len(decisions) == ReviewDecision.objects.count() == reviewed.count()
    assert set(closures) == set(reviewed.filter(status=ConcernStatus.CLOSED).values_list("id", flat=True))
    for concern in reviewed:
        assert concern.status in (ConcernStatus.OPEN, ConcernStatus.CLOSED), concern.reference
        assert concern.recorded_at < concern.reviewed_at <= fortnight + datetime.timedelta(minutes=1)
        assert concern.reviewed_by_id in teams[concern.site_id] and concern.owner_id == concern.reviewed_by_id
        assert concern.escalates_at is None and concern.claimed_by_id is None and concern.claimed_at is None
        decision = decisions[concern.pk]
        assert (decision.decided_by_id, decision.decided_at) == (concern.reviewed_by_id, concern.reviewed_at)
        assert decision.rationale
        if concern.status == ConcernStatus.CLOSED:
            closure = closures[concern.pk]
            assert concern.reviewed_at < concern.closed_at == closure.closed_at <= fortnight + datetime.timedelta(1)
            assert closure.closed_by_id in teams[concern.site_id] and closure.reason
        else:
            assert concern.closed_at is None
    # Nothing recorded before the last few working days is still waiting.
    since = awaiting_since(fortnight, WorkingHours.of(Site.objects.first()), AWAITING_WORKING_DAYS)
    older = Concern.objects.filter(recorded_at__lt=since - datetime.timedelta(minutes=1))
    assert older.exists() and not older.filter(reviewed_at__isnull=True).exists()


def test_concerns_awaiting_review_are_submitted_or_claimed_and_escalated_as_the_sweep_would_have(fortnight):
    teams = dsl_teams()
    hours = {site.pk: WorkingHours.of(site) for site in Site.objects.all()}
    awaiting = Concern.objects.filter(reviewed_at__isnull=True)
    assert set(awaiting.values_list("status", flat=True)) <= set(AWAITING)
    levels = defaultdict(dict)
    for escalation in Escalation.objects.all():
        levels[escalation.concern_id][escalation.level] = escalation
    for concern in awaiting:
        assert concern.reviewed_by_id is None and concern.owner_id is None and concern.closed_at is None
        claimed = concern.status == ConcernStatus.IN_REVIEW
        assert (concern.claimed_by_id is not None) == claimed == (concern.claimed_at is not None), concern.reference
        assert not claimed or concern.claimed_by_id in teams[concern.site_id]
        fired = levels[concern.pk]
        assert sorted(fired) == list(range(1, concern.escalation_level + 1)), concern.reference
        # The sweep was up to date when the data was made: nothing was left due.
        assert concern.escalates_at == next_escalation_at(concern=concern, hours=hours[concern.site_id])
        assert concern.escalates_at is None or concern.escalates_at > fortnight
        overdue = concern.review_deadline <= fortnight
        assert overdue == (concern.escalation_level >= EscalationLevel.OVERDUE), concern.reference
        if overdue:
            assert fired[1].due_at == concern.review_deadline <= fired[1].escalated_at
        if concern.escalation_level == EscalationLevel.SENIOR:
            senior = add_working_time(concern.review_deadline, SENIOR_ESCALATION_AFTER, hours[concern.site_id])
            assert fired[2].due_at == senior <= fired[2].escalated_at


def test_a_review_after_the_deadline_came_after_the_escalations_it_missed(fortnight):
    late = Concern.objects.filter(reviewed_at__gt=F("review_deadline") + datetime.timedelta(minutes=1))
    assert late.exists()
    for concern in late:
        fired = list(Escalation.objects.filter(concern=concern).order_by("level"))
        assert [escalation.level for escalation in fired] == list(range(1, concern.escalation_level + 1))
        assert concern.escalation_level >= 1 and all(e.escalated_at < concern.reviewed_at for e in fired)
    on_time = Concern.objects.filter(reviewed_at__lte=F("review_deadline"))
    assert on_time.exists() and not Escalation.objects.filter(concern__in=on_time).exists()
    assert not on_time.exclude(escalation_level=0).exists()


def test_the_sites_have_a_realistic_mix_of_concerns_in_play(fortnight):
    largest = Site.objects.order_by("id").first()
    here = Concern.objects.filter(site=largest)
    awaiting = here.filter(reviewed_at__isnull=True)
    assert here.filter(status=ConcernStatus.CLOSED).exists() and here.filter(status=ConcernStatus.OPEN).exists()
    assert awaiting.filter(status=ConcernStatus.SUBMITTED).exists()
    assert awaiting.filter(status=ConcernStatus.IN_REVIEW).exists()
    assert awaiting.filter(review_deadline__lt=fortnight, escalation_level__gte=1).exists()
    assert awaiting.filter(immediate_danger=True).exists()
    assert awaiting.count() < here.count() / 3
    for site in Site.objects.all():
        assert Concern.objects.filter(site=site, reviewed_at__isnull=True, immediate_danger=True).exists()


def test_alerts_are_cleared_by_the_review_and_overdue_ones_are_urgent(fortnight):
    alerts = Notification.objects.select_related("concern")
    assert not alerts.filter(concern__reviewed_at__isnull=False, read_at__isnull=True).exists()
    assert not alerts.filter(read_at__lt=F("created_at")).exists()
    overdue = alerts.filter(kind=NotificationKind.OVERDUE)
    assert overdue.exists() and not overdue.filter(is_urgent=False).exists()
    teams = dsl_teams()
    re_alerted = Escalation.objects.filter(level=EscalationLevel.OVERDUE).values_list("concern__site_id", flat=True)
    assert overdue.count() == sum(len(teams[site_id]) for site_id in re_alerted)
    in_danger = alerts.filter(kind=NotificationKind.CONCERN_SUBMITTED, concern__immediate_danger=True)
    assert in_danger.exists() and not in_danger.filter(is_urgent=False).exists()
