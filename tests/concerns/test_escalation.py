"""Escalation: every overdue concern escalates exactly once per level (DESIGN.md section 3, invariant 5).

Level 1 at the deadline re-alerts the DSL team; level 2, one working hour later, the site's
escalation contact and the organisation-wide DSLs. Safe with two sweeps at once, and after beat was
down everything that fell due is escalated once when it returns.
"""

import datetime
import logging
import threading
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection

from accounts.models import Membership, Organisation, Site
from audit.models import AuditEntry
from concerns import policy
from concerns.choices import EscalationLevel, NotificationKind, ReviewDecisionKind
from concerns.deadlines import LONDON
from concerns.models import Concern, Escalation, Notification, TaskHeartbeat
from concerns.services import escalation, review
from concerns.services.alerts import notifications_send_email
from concerns.services.escalation import escalations_due, escalations_sweep
from tests.concerns.helpers import submit
from tests.factories import UserFactory, restricted_category

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two writers at once need PostgreSQL (SQLite has one writer)"
)

# A week with no bank holiday in it: Wednesday 9, Thursday 10, Friday 11 and Monday 14 December 2026.
WEDNESDAY, THURSDAY, FRIDAY, MONDAY = 9, 10, 11, 14


def london(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, second, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def memberships_from_before(cast):
    """The cast's memberships start on the day the tests run; these tests happen in December 2026."""
    Membership.objects.filter(ends_on__isnull=True).update(starts_on=datetime.date(2020, 1, 1))


@pytest.fixture
def head(cast):
    """Oakfield's head: its escalation contact, with no role in Vigil that reads concerns."""
    person = UserFactory(email="head@test.example", full_name="Hal Head")
    Site.objects.filter(pk=cast.site_a.pk).update(escalation_contact=person)
    return person


@pytest.fixture
def trust_lead(cast):
    """An organisation-wide DSL, who is a DSL at Birchwood and reads nothing of Oakfield."""
    Organisation.current().safeguarding_leads.add(cast.dsl_b)
    return cast.dsl_b


def submitted_at(when: datetime.datetime, cast, **kwargs) -> Concern:
    with time_machine.travel(when, tick=False):
        return submit(cast.staff, cast.child_a, **kwargs)


def sweep_at(when: datetime.datetime) -> int:
    with time_machine.travel(when, tick=False):
        return escalations_sweep()


def levels(concern: Concern) -> list[tuple[int, datetime.datetime]]:
    return list(Escalation.objects.filter(concern=concern).order_by("level").values_list("level", "due_at"))


def alerted(concern: Concern, kind: str) -> set[str]:
    return set(Notification.objects.filter(concern=concern, kind=kind).values_list("recipient__email", flat=True))


def escalation_entries(concern: Concern) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event="concern.escalated", object_id=concern.pk).order_by("id"))


def test_nothing_due_escalates_nothing(cast):
    concern = submitted_at(london(WEDNESDAY, 11), cast)  # to be reviewed by 17:00
    assert sweep_at(london(WEDNESDAY, 16, 59)) == 0
    concern.refresh_from_db()
    assert (concern.escalation_level, levels(concern), escalation_entries(concern)) == (0, [], [])
    assert not Notification.objects.exclude(kind=NotificationKind.CONCERN_SUBMITTED).exists()
    assert TaskHeartbeat.objects.get(name="escalations_sweep").completed_at == london(WEDNESDAY, 16, 59)


def test_past_its_deadline_a_concern_escalates_to_level_one_once_and_the_dsl_team_is_told(cast):
    cast.deputy.emails_routine_alerts = False
    cast.deputy.save(update_fields=["emails_routine_alerts"])
    concern = submitted_at(london(WEDNESDAY, 11), cast)
    assert sweep_at(london(WEDNESDAY, 17, 1)) == 1
    concern.refresh_from_db()
    assert levels(concern) == [(EscalationLevel.OVERDUE, london(WEDNESDAY, 17))]
    assert concern.escalation_level == 1
    assert concern.escalates_at == london(THURSDAY, 9)  # one working hour after 17:00 on Wednesday
    assert alerted(concern, NotificationKind.OVERDUE) == {cast.dsl.email, cast.deputy.email}
    assert all(n.is_urgent and n.email_wanted for n in Notification.objects.filter(kind=NotificationKind.OVERDUE))
    [entry] = escalation_entries(concern)
    assert entry.actor is None and entry.site_id == cast.site_a.pk
    assert entry.additional_data["object_ids"] == [cast.child_a.pk]
    assert entry.additional_data["counts"] == {"level": 1, "alerted": 2}

    assert sweep_at(london(WEDNESDAY, 17, 2)) == 0
    assert len(levels(concern)) == 1 and len(escalation_entries(concern)) == 1
    mail.outbox.clear()
    with time_machine.travel(london(WEDNESDAY, 17, 2), tick=False):
        notifications_send_email()
    # Escalations are urgent: emailed even to the deputy, who chose no emails about routine alerts.
    assert [message.to for message in mail.outbox].count([cast.deputy.email]) == 1
    overdue = Notification.objects.filter(kind=NotificationKind.OVERDUE)
    assert overdue.filter(email_sent_at__isnull=False).count() == 2


def test_a_restricted_concern_re_alerts_only_those_on_the_team_who_can_open_it(cast):
    concern = submitted_at(london(WEDNESDAY, 11), cast, categories=[restricted_category()])
    sweep_at(london(WEDNESDAY, 17, 1))
    assert alerted(concern, NotificationKind.OVERDUE) == {cast.dsl.email}


def test_one_working_hour_later_level_two_tells_the_escalation_contact_and_the_organisations_dsls(
    cast, head, trust_lead
):
    concern = submitted_at(london(WEDNESDAY, 11), cast, categories=[restricted_category()])
    sweep_at(london(WEDNESDAY, 17, 1))
    assert sweep_at(london(THURSDAY, 8, 59)) == 0
    assert sweep_at(london(THURSDAY, 9)) == 1
    concern.refresh_from_db()
    assert levels(concern) == [(1, london(WEDNESDAY, 17)), (2, london(THURSDAY, 9))]
    assert (concern.escalation_level, concern.escalates_at) == (EscalationLevel.SENIOR, None)
    assert alerted(concern, NotificationKind.OVERDUE_SENIOR) == {head.email, trust_lead.email}
    assert alerted(concern, NotificationKind.OVERDUE) == {cast.dsl.email}, "the team is not told a second time"
    senior = Notification.objects.filter(kind=NotificationKind.OVERDUE_SENIOR)
    assert all(n.is_urgent and n.email_wanted for n in senior)
    # They are told even though they may not read it: the alert page shows them only its facts.
    assert not policy.can_read(head, concern) and not policy.can_read(trust_lead, concern)
    assert [e.additional_data["counts"] for e in escalation_entries(concern)] == [
        {"level": 1, "alerted": 1},
        {"level": 2, "alerted": 2},
    ]
    assert sweep_at(london(FRIDAY, 12)) == 0, "level 2 is the last"


def test_a_concern_reviewed_in_time_never_escalates(cast, head):
    concern = submitted_at(london(WEDNESDAY, 11), cast)
    with time_machine.travel(london(WEDNESDAY, 16), tick=False):
        review.concern_review(user=cast.dsl, concern=concern, decision=ReviewDecisionKind.MONITOR, rationale="Watch.")
    assert sweep_at(london(WEDNESDAY, 17, 1)) == 0
    assert sweep_at(london(FRIDAY, 12)) == 0
    assert levels(concern) == [] and escalation_entries(concern) == []


def test_a_concern_reviewed_after_level_one_never_reaches_level_two(cast, head):
    concern = submitted_at(london(WEDNESDAY, 11), cast)
    sweep_at(london(WEDNESDAY, 17, 1))
    with time_machine.travel(london(THURSDAY, 8, 30), tick=False):
        review.concern_review(user=cast.dsl, concern=concern, decision=ReviewDecisionKind.MONITOR, rationale="Late.")
    assert sweep_at(london(THURSDAY, 9, 1)) == 0
    assert [level for level, _ in levels(concern)] == [1]
    assert not Notification.objects.filter(kind=NotificationKind.OVERDUE_SENIOR).exists()


def test_a_friday_five_oclock_deadline_reaches_level_two_at_nine_on_monday(cast, head):
    concern = submitted_at(london(FRIDAY, 14), cast)  # before the cut-off: by the end of Friday
    assert concern.review_deadline == london(FRIDAY, 17)
    assert sweep_at(london(FRIDAY, 17, 1)) == 1
    concern.refresh_from_db()
    assert concern.escalates_at == london(MONDAY, 9)
    assert sweep_at(london(MONDAY, 8, 59)) == 0
    assert sweep_at(london(MONDAY, 9)) == 1
    assert levels(concern) == [(1, london(FRIDAY, 17)), (2, london(MONDAY, 9))]


def test_after_beat_was_down_ten_minutes_one_sweep_escalates_each_due_level_once(cast, head):
    # Immediate danger: to be reviewed within 15 minutes; level 2 one (working) hour after that.
    earlier = submitted_at(london(WEDNESDAY, 11, 53), cast, immediate_danger=True)  # level 2 at 13:08
    assert sweep_at(london(WEDNESDAY, 12, 9)) == 1  # its level 1, at 12:08
    first = submitted_at(london(WEDNESDAY, 12, 47), cast, immediate_danger=True)  # due 13:02
    second = submitted_at(london(WEDNESDAY, 12, 50), cast, immediate_danger=True)  # due 13:05
    assert sweep_at(london(WEDNESDAY, 13)) == 0
    # Beat stops at 13:00 and is back at 13:10.
    assert sweep_at(london(WEDNESDAY, 13, 10, 30)) == 3
    assert levels(first) == [(1, london(WEDNESDAY, 13, 2))]
    assert levels(second) == [(1, london(WEDNESDAY, 13, 5))]
    assert levels(earlier) == [(1, london(WEDNESDAY, 12, 8)), (2, london(WEDNESDAY, 13, 8))]
    assert sweep_at(london(WEDNESDAY, 13, 11)) == 0
    assert Escalation.objects.count() == 4
    assert AuditEntry.objects.filter(event="concern.escalated").count() == 4


def test_a_concern_whose_both_levels_passed_while_beat_was_down_gets_both_in_one_sweep(cast, head):
    concern = submitted_at(london(WEDNESDAY, 12), cast, immediate_danger=True)  # due 12:15; level 2 at 13:15
    assert sweep_at(london(WEDNESDAY, 13, 30)) == 2
    concern.refresh_from_db()
    # Each level at its own time from the deadline, both fired now, and the rows show how late.
    assert levels(concern) == [(1, london(WEDNESDAY, 12, 15)), (2, london(WEDNESDAY, 13, 15))]
    assert set(Escalation.objects.values_list("escalated_at", flat=True)) == {london(WEDNESDAY, 13, 30)}
    assert alerted(concern, NotificationKind.OVERDUE) == {cast.dsl.email, cast.deputy.email}
    assert alerted(concern, NotificationKind.OVERDUE_SENIOR) == {head.email}
    assert (concern.escalation_level, concern.escalates_at) == (2, None)


def test_running_the_sweep_twice_changes_nothing_the_second_time(cast, head, trust_lead):
    for hour in (9, 10, 11):
        submitted_at(london(WEDNESDAY, hour), cast, immediate_danger=True)

    def recorded() -> tuple[int, int, int]:
        return (
            Escalation.objects.count(),
            Notification.objects.count(),
            AuditEntry.objects.filter(event="concern.escalated").count(),
        )

    assert sweep_at(london(WEDNESDAY, 16)) == 6
    once = recorded()
    assert sweep_at(london(WEDNESDAY, 16)) == 0
    assert recorded() == once == (6, 3 * 2 + 3 * 2 + 3 * 2, 6)


def test_a_level_already_recorded_is_never_fired_again(cast, head, caplog):
    # What the unique (concern, level) is for: a row already there means its alerts went with it.
    concern = submitted_at(london(WEDNESDAY, 11), cast)
    Escalation.objects.create(concern=concern, level=1, due_at=concern.review_deadline)
    with caplog.at_level(logging.WARNING, logger=escalation.__name__):
        assert sweep_at(london(WEDNESDAY, 17, 1)) == 0
    assert "already escalated to level 1" in caplog.text
    concern.refresh_from_db()
    assert (concern.escalation_level, concern.escalates_at) == (1, london(THURSDAY, 9)), "and it moves on"
    assert not Notification.objects.filter(kind=NotificationKind.OVERDUE).exists()
    assert escalation_entries(concern) == []


def test_one_concern_that_cannot_be_escalated_does_not_hold_back_the_others(cast, caplog):
    broken = submitted_at(london(WEDNESDAY, 11), cast)
    with time_machine.travel(london(WEDNESDAY, 11, 5), tick=False):
        fine = submit(cast.staff_b, cast.child_b)
    # A site's holidays are read when the next level's time is worked out.
    Site.objects.filter(pk=cast.site_a.pk).update(holidays=["not a date"])
    with caplog.at_level(logging.ERROR, logger=escalation.__name__):
        assert sweep_at(london(WEDNESDAY, 17, 1)) == 1
    assert f"Could not escalate concern {broken.pk}" in caplog.text
    assert levels(broken) == [] and len(levels(fine)) == 1
    assert TaskHeartbeat.objects.filter(name="escalations_sweep").exists()


def test_the_sweep_reads_the_partial_index_of_what_falls_due(cast):
    submitted_at(london(WEDNESDAY, 11), cast)
    due = escalations_due(now=london(WEDNESDAY, 17, 1)).select_for_update(skip_locked=True, of=("self",))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = due.values("id")[: escalation.SWEEP_BATCH].query.sql_with_params()
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "concern_escalation_due" in plan
    assert "TEMP B-TREE" not in plan  # SQLite: the index gives the order, no sort


def test_beat_runs_the_sweep_every_minute_in_production_and_in_the_embedded_default(cast):
    from concerns.tasks import escalations_sweep as sweep_task

    [schedule] = [s for s in settings.CELERY_BEAT_SCHEDULE.values() if s["task"] == sweep_task.name]
    assert schedule["schedule"] <= 60
    # make run's one worker embeds beat, so the same schedule runs there as in docker-compose's beat.
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    assert "worker --beat" in makefile
    concern = submitted_at(london(WEDNESDAY, 11), cast)
    with time_machine.travel(london(WEDNESDAY, 17, 1), tick=False):
        assert sweep_task.apply().get() == 1
        assert sweep_task.apply().get() == 0
    assert len(levels(concern)) == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_concern_once(cast, monkeypatch, caplog):
    monkeypatch.setattr(escalation, "SWEEP_BATCH", 2)  # so both take batches side by side
    concerns = [submitted_at(london(WEDNESDAY, 9, minute), cast) for minute in range(7)]
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = escalations_sweep(now=london(WEDNESDAY, 17, 1))
        except Exception as error:  # reported by the assertion below, not lost in the thread
            results[index] = error
        finally:
            connection.close()

    with caplog.at_level(logging.WARNING, logger=escalation.__name__):
        threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == len(concerns), results
    assert "already escalated" not in caplog.text, "the rows were shared out, not fought over"
    assert sorted(Escalation.objects.values_list("concern_id", "level")) == sorted((c.pk, 1) for c in concerns)
    assert AuditEntry.objects.filter(event="concern.escalated").count() == len(concerns)
    assert Notification.objects.filter(kind=NotificationKind.OVERDUE).count() == 2 * len(concerns)
