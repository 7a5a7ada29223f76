"""Alerts survive the failures real deployments have (issue 8, "Reliability"): the database is the
source of truth and Celery only carries messages. Each test runs a real Redis server and real
worker processes of its own, and ends with every alert delivered exactly once."""

import collections

import pytest

from concerns.models import Concern, Notification
from concerns.tasks import alerts_deliver_pending
from tests.concerns.helpers import record_url, valid_post
from tests.conftest import client_for
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
