"""Invariant 1 under real concurrency: many requests with one submission key make one concern.

Best run on PostgreSQL (DATABASE_URL), where the eight requests really run at once; on SQLite
writes queue behind one another.
"""

import itertools
import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Organisation
from concerns.models import Concern, Notification
from tests.concerns.helpers import record_url, valid_post
from tests.conftest import client_for

SIMULTANEOUS = 8


@pytest.fixture
def later_requests_are_slower(monkeypatch):
    """Each request after the first takes a little longer between finding no concern yet and
    saving its own, as on a loaded server: the first one has committed by then. Without this the
    race the issue saw (3 or 4 of 8 given an error page) happens only now and then."""
    arrivals, lock = itertools.count(), threading.Lock()
    full_clean = Concern.full_clean

    def slower_full_clean(self, *args, **kwargs):
        with lock:
            arrival = next(arrivals)
        time.sleep(0.3 * arrival)
        return full_clean(self, *args, **kwargs)

    monkeypatch.setattr(Concern, "full_clean", slower_full_clean)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_resubmissions_create_exactly_one_concern_and_all_land_on_its_receipt(
    cast, later_requests_are_slower
):
    # As on a real server, the organisation's row exists already: created by the first request, it
    # would hold every other request back until that one committed, and nothing would run at once.
    Organisation.current()
    url = record_url()
    clients = [client_for(cast.staff) for _ in range(SIMULTANEOUS)]
    for client in clients:
        client.raise_request_exception = False  # a 500 is a response to count, not a test crash
    barrier = threading.Barrier(len(clients))
    responses, errors = [], []

    def submit(client):
        try:
            barrier.wait(timeout=10)
            responses.append(client.post(url, valid_post(cast.child_a)))
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
    assert Concern.objects.count() == 1
    receipt = reverse("concerns:receipt", args=[Concern.objects.get().pk])
    assert [response.status_code for response in responses] == [302] * SIMULTANEOUS
    assert [response["Location"] for response in responses] == [receipt] * SIMULTANEOUS
    assert Notification.objects.count() == 2
