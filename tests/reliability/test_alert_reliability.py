"""Alerts survive the failures real deployments have (issue 8, "Reliability"): the database is the
source of truth and Celery only carries messages. Each test runs a real Redis server and real
worker processes of its own, and ends with every alert delivered exactly once."""

import collections
import datetime
import time

import pytest
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Site
from audit.models import AuditEntry
from concerns.models import Concern, Escalation, Notification
from concerns.tasks import alerts_deliver_pending
from tests.concerns.helpers import record_url, valid_post
from tests.conftest import client_for
from tests.factories import ConcernFactory, MembershipFactory, UserFactory
from tests.reliability.conftest import needs_redis_server, wait_for

pytestmark = [needs_redis_server, pytest.mark.django_db(transaction=True)]


def delivered_once_each(state, expected: list[str]) -> bool:
    counts = collections.Counter(state.recipients())
    return sorted(counts) == sorted(expected) and set(counts.values()) == {1}


def team(cast) -> list[str]:
    return [cast.dsl.email, cast.deputy.email]


def test_a_submission_reaches_the_dsl_team_through_a_real_broker_and_worker(cast, processes, smtp):
    _, state = smtp
    processes.worker()
    response = client_for(cast.staff).post(record_url(), valid_post(cast.child_a))
    assert response.status_code == 302
    assert wait_for(lambda: len(state.recipients()) >= 2), processes.logs()
    assert wait_for(lambda: not Notification.objects.filter(email_sent_at__isnull=True).exists())
    assert delivered_once_each(state, team(cast)), state.recipients()


def test_the_broker_down_during_submissions_loses_nothing_and_the_alerts_follow(cast, processes, redis, smtp):
    _, state = smtp
    processes.worker()
    redis.stop()
    staff = client_for(cast.staff)
    for child in (cast.child_a, cast.child_a2, cast.child_a):
        response = staff.post(record_url(), valid_post(child))
        assert response.status_code == 302
        assert staff.get(response["Location"]).status_code == 200  # the receipt, not an error page
    assert Concern.objects.count() == 3
    assert Notification.objects.filter(email_sent_at__isnull=True).count() == 6
    assert state.recipients() == []

    redis.start()  # the same port: the worker reconnects by itself
    alerts_deliver_pending.delay()  # what beat sends every minute
    assert wait_for(lambda: len(state.recipients()) >= 6, 60), processes.logs()
    assert wait_for(lambda: not Notification.objects.filter(email_sent_at__isnull=True).exists())
    counts = collections.Counter(state.recipients())
    assert counts == {cast.dsl.email: 3, cast.deputy.email: 3}, counts


def test_a_worker_killed_mid_email_loses_no_alert_and_sends_none_twice(cast, processes, smtp):
    _, state = smtp
    doomed = processes.worker()
    state.gate.clear()  # the mail server holds the worker in the middle of its first email
    response = client_for(cast.staff).post(record_url(), valid_post(cast.child_a))
    assert response.status_code == 302
    assert wait_for(lambda: state.held >= 1, 30), processes.logs()
    processes.kill(doomed)
    state.gate.set()
    assert state.recipients() == []
    assert Notification.objects.filter(email_sent_at__isnull=True).count() == 2

    processes.worker()
    alerts_deliver_pending.delay()  # the sweep picks up what the dead worker left
    assert wait_for(lambda: len(state.recipients()) >= 2, 60), processes.logs()
    assert wait_for(lambda: not Notification.objects.filter(email_sent_at__isnull=True).exists())
    assert delivered_once_each(state, team(cast)), state.recipients()


def test_two_beats_at_once_escalate_each_overdue_concern_exactly_once_per_level(cast, processes, smtp):
    _, state = smtp
    head = UserFactory(email="head@test.example", full_name="Hollis Head")
    MembershipFactory(user=head, site=cast.site_a, role=Role.STAFF)
    Site.objects.filter(pk=cast.site_a.pk).update(escalation_contact=head)
    # Ten days overdue: both levels fell due long ago, whatever today's working hours.
    long_ago = timezone.now() - datetime.timedelta(days=10)
    overdue = [
        ConcernFactory(site=cast.site_a, author=cast.staff, review_deadline=long_ago, escalates_at=long_ago)
        for _ in range(4)
    ]
    processes.worker()
    processes.beat(VIGIL_SWEEP_SECONDS="2")
    processes.beat(VIGIL_SWEEP_SECONDS="2")
    assert wait_for(
        lambda: (
            Escalation.objects.filter(level=2).count() == len(overdue)
            and not Notification.objects.filter(email_sent_at__isnull=True, email_wanted=True).exists()
        ),
        90,
    ), processes.logs()
    time.sleep(5)  # a few more ticks of both beats: nothing more may happen
    levels = collections.Counter(Escalation.objects.values_list("concern_id", "level"))
    assert levels == {(concern.pk, level): 1 for concern in overdue for level in (1, 2)}, levels
    assert AuditEntry.objects.filter(event="concern.escalated").count() == 2 * len(overdue)
    emailed = collections.Counter(state.recipients())
    assert emailed == {cast.dsl.email: 4, cast.deputy.email: 4, head.email: 4}, emailed
