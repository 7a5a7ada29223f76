"""Invariant 1 under real concurrency: many requests with one submission key make one concern."""

import threading

import pytest
from django.db import connection

from concerns.models import Concern, Notification
from tests.concerns.helpers import record_url, valid_post
from tests.conftest import client_for


@pytest.mark.django_db(transaction=True)
def test_simultaneous_resubmissions_create_exactly_one_concern(cast):
    url = record_url()
    clients = [client_for(cast.staff) for _ in range(6)]
    barrier = threading.Barrier(len(clients))
    statuses, errors = [], []

    def submit(client):
        try:
            barrier.wait(timeout=10)
            statuses.append(client.post(url, valid_post(cast.child_a)).status_code)
        except Exception as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert statuses == [302] * len(clients)
    assert Concern.objects.count() == 1
    assert Notification.objects.count() == 2
