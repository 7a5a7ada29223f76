"""The review loop's services: the deadline a concern is given, and every triage transition."""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.services.sites import site_update
from audit.models import AuditEntry
from concerns.choices import ConcernStatus, Outcome, Priority, ReviewDecisionKind
from concerns.deadlines import LONDON
from concerns.models import Closure, Concern, Notification, ReviewDecision
from concerns.services import review
from concerns.services.review import ReviewConflict
from tests.concerns.helpers import submit
from tests.factories import ConcernFactory, restricted_category

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two writers at once need PostgreSQL (SQLite has one writer)"
)


def london(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def events_on(concern) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_id=concern.pk, event__startswith="concern.")
        .order_by("id")
        .values_list("event", flat=True)
    )


# --- the deadline ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "submitted, immediate_danger, deadline",
    [
        (london(2026, 12, 9, 11, 0), False, london(2026, 12, 9, 17, 0)),  # Wednesday, before the cut-off
        (london(2026, 12, 9, 15, 30), False, london(2026, 12, 10, 10, 0)),  # after it: 10:00 the next day
        (london(2026, 12, 11, 16, 0), False, london(2026, 12, 14, 10, 0)),  # Friday afternoon: Monday
        (london(2026, 12, 12, 23, 0), True, london(2026, 12, 12, 23, 15)),  # immediate danger: 15 minutes
    ],
)
def test_a_submitted_concern_is_given_its_deadline(cast, submitted, immediate_danger, deadline):
    with time_machine.travel(submitted, tick=False):
        concern = submit(cast.staff, cast.child_a, immediate_danger=immediate_danger)
    concern.refresh_from_db()
    assert concern.review_deadline == deadline
    assert concern.escalates_at == deadline
    assert (concern.reviewed_at, concern.escalation_level, concern.status) == (None, 0, ConcernStatus.SUBMITTED)


def test_new_site_hours_move_the_deadlines_of_concerns_awaiting_review_only(cast):
    with time_machine.travel(london(2026, 12, 9, 14, 0), tick=False):
        waiting = submit(cast.staff, cast.child_a)
        reviewed = submit(cast.staff, cast.child_a2)
        review.concern_review(user=cast.dsl, concern=reviewed, decision=ReviewDecisionKind.MONITOR, rationale="Watch.")
        site = cast.site_a
        site_update(
            admin=cast.admin,
            site=site,
            working_days=[0, 1, 2, 3, 4],
            day_starts=datetime.time(8, 0),
            day_ends=datetime.time(16, 0),
            review_cutoff=datetime.time(13, 0),  # 14:00 is now after the cut-off
            holidays=[],
            escalation_contact=None,
        )
    waiting.refresh_from_db()
    assert waiting.review_deadline == waiting.escalates_at == london(2026, 12, 10, 10, 0)
    before = reviewed.review_deadline
    reviewed.refresh_from_db()
    assert reviewed.review_deadline == before == london(2026, 12, 9, 17, 0)
    assert AuditEntry.objects.filter(event="concern.deadline_recomputed", site_id=site.pk).count() == 1


# --- claiming -------------------------------------------------------------------------------


def test_claiming_puts_a_concern_in_review_and_on_the_ledger(cast):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff)
    claimed = review.concern_claim(user=cast.deputy, concern=concern)
    assert (claimed.status, claimed.claimed_by) == (ConcernStatus.IN_REVIEW, cast.deputy)
    assert review.concern_claim(user=cast.deputy, concern=concern).claimed_by == cast.deputy  # again: no change
    assert events_on(concern).count("concern.claimed") == 1


def test_a_second_member_of_the_team_is_told_who_has_it(cast):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff)
    review.concern_claim(user=cast.deputy, concern=concern)
    for attempt in (
        lambda: review.concern_claim(user=cast.dsl, concern=concern),
        lambda: review.concern_review(user=cast.dsl, concern=concern, decision="monitor", rationale="Watch."),
        lambda: review.concern_priority_set(user=cast.dsl, concern=concern, priority=Priority.HIGH),
        lambda: review.concern_release(user=cast.dsl, concern=concern),
    ):
        with pytest.raises(ReviewConflict) as conflict:
            attempt()
        assert conflict.value.holder == cast.deputy
    concern.refresh_from_db()
    assert (concern.claimed_by, concern.priority, concern.reviewed_at) == (cast.deputy, "", None)


def test_releasing_gives_it_back_to_the_team(cast):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff)
    review.concern_claim(user=cast.deputy, concern=concern)
    released = review.concern_release(user=cast.deputy, concern=concern)
    assert (released.status, released.claimed_by) == (ConcernStatus.SUBMITTED, None)
    assert review.concern_claim(user=cast.dsl, concern=concern).claimed_by == cast.dsl


@pytest.mark.parametrize("who", ["staff", "admin", "auditor", "dsl_b"])
def test_only_the_sites_dsl_team_triages(cast, who):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff)
    with pytest.raises(PermissionDenied):
        review.concern_claim(user=getattr(cast, who), concern=concern)
    with pytest.raises(PermissionDenied):
        review.concern_review(user=getattr(cast, who), concern=concern, decision="monitor", rationale="x")
    concern.refresh_from_db()
    assert (concern.status, concern.claimed_by, concern.reviewed_at) == (ConcernStatus.SUBMITTED, None, None)


def test_a_deputy_cannot_triage_a_restricted_concern_they_cannot_read(cast):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff, categories=[restricted_category()])
    with pytest.raises(PermissionDenied):
        review.concern_claim(user=cast.deputy, concern=concern)
    assert review.concern_claim(user=cast.dsl, concern=concern).claimed_by == cast.dsl


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_dsls_claiming_at_once_one_gets_it_and_the_other_is_told_who(cast):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def claim(user) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[user.email] = review.concern_claim(user=user, concern=concern).claimed_by_id
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes[user.email] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(user,)) for user in (cast.dsl, cast.deputy)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [value for value in outcomes.values() if isinstance(value, int)]
    conflicts = [value for value in outcomes.values() if isinstance(value, ReviewConflict)]
    assert len(winners) == 1 and len(conflicts) == 1, outcomes
    assert conflicts[0].holder.pk == winners[0]
    assert AuditEntry.objects.filter(event="concern.claimed", object_id=concern.pk).count() == 1


# --- the review decision --------------------------------------------------------------------


def test_recording_the_decision_reviews_it_clears_its_alerts_and_stops_its_escalation(cast):
    concern = submit(cast.staff, cast.child_a)
    assert Notification.objects.filter(concern=concern, read_at__isnull=True).count() == 2
    review.concern_claim(user=cast.deputy, concern=concern)
    decision = review.concern_review(
        user=cast.deputy,
        concern=concern,
        decision=ReviewDecisionKind.EARLY_HELP,
        rationale="Second missed breakfast this week; family open to support.",
        priority=Priority.MEDIUM,
    )
    concern.refresh_from_db()
    assert decision.decided_by == cast.deputy
    assert (concern.status, concern.reviewed_by, concern.owner) == (ConcernStatus.OPEN, cast.deputy, cast.deputy)
    assert (concern.claimed_by, concern.escalates_at, concern.priority) == (None, None, Priority.MEDIUM)
    assert concern.reviewed_at is not None
    assert not Notification.objects.filter(concern=concern, read_at__isnull=True).exists()
    assert "concern.reviewed" in events_on(concern)


def test_a_decision_can_be_recorded_without_claiming_first(cast):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff)
    review.concern_review(user=cast.dsl, concern=concern, decision=ReviewDecisionKind.MONITOR, rationale="Watch.")
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.OPEN


def test_a_concern_is_reviewed_once(cast):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff)
    review.concern_review(user=cast.dsl, concern=concern, decision=ReviewDecisionKind.MONITOR, rationale="Watch.")
    with pytest.raises(ReviewConflict) as conflict:
        review.concern_review(user=cast.deputy, concern=concern, decision=ReviewDecisionKind.REFER, rationale="x")
    assert conflict.value.holder == cast.dsl
    assert ReviewDecision.objects.filter(concern=concern).count() == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"decision": "shrug"}, "decision"),
        ({"rationale": "   "}, "rationale"),
        ({"rationale": "\x00"}, "rationale"),
        ({"priority": "whenever"}, "priority"),
    ],
)
def test_a_decision_with_bad_input_says_what_is_wrong_and_saves_nothing(cast, changes, field):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff)
    given = {"decision": ReviewDecisionKind.MONITOR, "rationale": "Watch.", **changes}
    with pytest.raises(ValidationError) as invalid:
        review.concern_review(user=cast.dsl, concern=concern, **given)
    assert field in invalid.value.message_dict
    concern.refresh_from_db()
    assert (concern.status, concern.reviewed_at) == (ConcernStatus.SUBMITTED, None)
    assert not ReviewDecision.objects.exists()


def test_the_owner_must_be_on_the_sites_dsl_team_and_able_to_read_it(cast):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff, categories=[restricted_category()])
    for owner in (cast.staff, cast.dsl_b, cast.deputy):  # the deputy cannot read a restricted concern
        with pytest.raises(ValidationError) as invalid:
            review.concern_review(user=cast.dsl, concern=concern, decision="monitor", rationale="x", owner=owner)
        assert "owner" in invalid.value.message_dict
    review.concern_review(user=cast.dsl, concern=concern, decision="monitor", rationale="x")
    with pytest.raises(ValidationError):
        review.concern_owner_assign(user=cast.dsl, concern=concern, owner=cast.staff)
    concern.refresh_from_db()
    assert concern.owner == cast.dsl


def test_assigning_the_owner_is_on_the_ledger(cast):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff)
    review.concern_review(user=cast.dsl, concern=concern, decision="monitor", rationale="x")
    review.concern_owner_assign(user=cast.dsl, concern=concern, owner=cast.deputy)
    concern.refresh_from_db()
    assert concern.owner == cast.deputy
    assert "concern.owner_assigned" in events_on(concern)


def test_priority_is_set_and_changes_are_on_the_ledger(cast):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff)
    review.concern_priority_set(user=cast.dsl, concern=concern, priority=Priority.URGENT)
    review.concern_priority_set(user=cast.dsl, concern=concern, priority=Priority.URGENT)
    with pytest.raises(ValidationError):
        review.concern_priority_set(user=cast.dsl, concern=concern, priority="soon")
    concern.refresh_from_db()
    assert concern.priority == Priority.URGENT
    assert events_on(concern).count("concern.priority_set") == 1


# --- closing --------------------------------------------------------------------------------


def test_a_concern_is_closed_with_an_outcome_and_a_reason_only_once_reviewed(cast):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff)
    with pytest.raises(ValidationError):
        review.concern_close(user=cast.dsl, concern=concern, outcome=Outcome.RESOLVED_IN_SCHOOL, reason="Sorted.")
    review.concern_review(user=cast.dsl, concern=concern, decision="speak_to_child", rationale="Check in.")
    with pytest.raises(ValidationError) as invalid:
        review.concern_close(user=cast.dsl, concern=concern, outcome="", reason="")
    assert set(invalid.value.message_dict) == {"outcome", "reason"}
    review.concern_close(
        user=cast.dsl, concern=concern, outcome=Outcome.RESOLVED_IN_SCHOOL, reason="Spoke with the child and parent."
    )
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED and concern.closed_at is not None
    assert Closure.objects.get(concern=concern).closed_by == cast.dsl
    with pytest.raises(ValidationError):
        review.concern_close(user=cast.dsl, concern=concern, outcome=Outcome.RESOLVED_IN_SCHOOL, reason="Again.")
    with pytest.raises(ValidationError):
        review.concern_priority_set(user=cast.dsl, concern=concern, priority=Priority.LOW)
    assert Closure.objects.count() == 1


def test_every_status_change_is_on_the_ledger_as_a_field_change(cast):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff)
    review.concern_claim(user=cast.dsl, concern=concern)
    review.concern_review(user=cast.dsl, concern=concern, decision="monitor", rationale="Watch.")
    review.concern_close(user=cast.dsl, concern=concern, outcome=Outcome.NO_FURTHER_ACTION, reason="Nothing more.")
    statuses = [
        entry.changes["status"]
        for entry in AuditEntry.objects.filter(object_id=concern.pk, event="").order_by("id")
        if entry.changes and "status" in entry.changes
    ]
    assert statuses == [["None", "submitted"], ["submitted", "in_review"], ["in_review", "open"], ["open", "closed"]]
    assert Concern.objects.get(pk=concern.pk).status == ConcernStatus.CLOSED


def test_the_possible_owners_are_the_dsl_team_members_who_can_read_it(cast):
    from concerns import policy

    plain = ConcernFactory(site=cast.site_a, author=cast.staff)
    restricted = ConcernFactory(site=cast.site_a, author=cast.staff, categories=[restricted_category()])
    in_danger = ConcernFactory(
        site=cast.site_a, author=cast.staff, categories=[restricted_category()], immediate_danger=True
    )
    everyone = {cast.dsl, cast.deputy}
    assert set(policy.owners_possible_for(plain)) == everyone
    assert set(policy.owners_possible_for(in_danger)) == everyone
    assert set(policy.owners_possible_for(restricted)) == {cast.dsl}
    for concern in (plain, restricted, in_danger):
        assert {person for person in everyone if policy.may_own_cases_at(person, concern)} == set(
            policy.owners_possible_for(concern)
        )


@pytest.mark.parametrize("restricted, immediate_danger", [(False, False), (True, False), (True, True)])
def test_readers_among_agrees_with_asking_about_each_person(cast, restricted, immediate_danger):
    from concerns import policy

    concern = ConcernFactory(
        site=cast.site_a,
        author=cast.staff,
        categories=[restricted_category()] if restricted else None,
        immediate_danger=immediate_danger,
    )
    people = [cast.staff, cast.staff2, cast.deputy, cast.dsl, cast.admin, cast.auditor, cast.dsl_b, cast.ended]
    assert policy.readers_among(concern, people) == [person for person in people if policy.can_read(person, concern)]
