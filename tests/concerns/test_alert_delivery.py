"""Alerts travel through the real broker (Redis on CI, the filesystem transport locally), and a
broker outage loses nothing: the concern is committed and the periodic sweep sends the alert."""

import time

import kombu.pools
import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from concerns.models import Concern, Notification
from concerns.tasks import alerts_deliver_pending
from safeguard.celery import app
from tests.concerns.helpers import record_url, valid_post
from tests.conftest import client_for


def _wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_submission_reaches_the_dsl_team_through_a_real_worker(cast):
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        response = client_for(cast.staff).post(record_url(), valid_post(cast.child_a))
        assert response.status_code == 302
        assert _wait_for(lambda: len(mail.outbox) == 2), "the worker did not send the alerts"
    assert sorted(message.to[0] for message in mail.outbox) == sorted([cast.dsl.email, cast.deputy.email])
    assert not Notification.objects.filter(email_sent_at__isnull=True).exists()


def _reset_broker_connections() -> None:
    """Drop every pooled connection and producer, so the next publish connects to the broker now set."""
    app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


@pytest.fixture
def broker_down():
    """Point the app at a port where no broker listens, for the length of one test."""
    saved = (
        app.conf.broker_url,
        app.conf.broker_transport_options,
        app.conf.broker_connection_retry,
        app.conf.task_publish_retry,
    )
    app.conf.broker_url = "redis://127.0.0.1:9/0"
    app.conf.broker_transport_options = {}
    app.conf.task_publish_retry = False
    _reset_broker_connections()
    yield
    (
        app.conf.broker_url,
        app.conf.broker_transport_options,
        app.conf.broker_connection_retry,
        app.conf.task_publish_retry,
    ) = saved
    _reset_broker_connections()


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_loses_no_concern_and_the_sweep_sends_the_alert(cast, broker_down):
    response = client_for(cast.staff).post(record_url(), valid_post(cast.child_a))
    assert response.status_code == 302  # the person sees their receipt
    assert Concern.objects.count() == 1
    assert Notification.objects.filter(email_sent_at__isnull=True).count() == 2
    assert mail.outbox == []

    assert alerts_deliver_pending() == 2  # what beat runs every minute
    assert len(mail.outbox) == 2
    assert alerts_deliver_pending() == 0
