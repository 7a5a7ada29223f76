"""An import job is started by one worker only: two workers handed the same job (a redelivered
message, the sweep and the original both firing) do not both run it."""

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from concerns.models import Child, ImportJob
from concerns.services.imports import jobs as imports
from tests.concerns.test_import_children import child_row, children_csv, latest_job, preview
from tests.conftest import client_for


def queued_job(cast, rows: int = 6) -> ImportJob:
    admin = client_for(cast.admin)
    preview(admin, cast.site_a, children_csv([child_row(n) for n in range(rows)]), is_full=False)
    job = latest_job()
    admin.post(reverse("records_console:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED
    return job


def test_a_job_is_claimed_once_however_often_a_worker_asks(cast):
    job = queued_job(cast)
    assert [imports.import_start(job_id=job.pk) for _ in range(3)] == [True, False, False]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING and job.heartbeat_at is not None


def test_a_job_whose_worker_went_silent_is_claimed_by_the_next(cast):
    job = queued_job(cast)
    assert imports.import_start(job_id=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - imports.RUN_LEASE - datetime.timedelta(seconds=1)
    )
    assert imports.import_start(job_id=job.pk)
    assert not imports.import_start(job_id=job.pk)


def _in_two_threads(work) -> list:
    """Run `work` in two threads released together, each on its own database connection."""
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work()
        except Exception as error:  # reported by the assertion below, not lost in the thread
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two writers at once need PostgreSQL (SQLite has one writer)"
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_starting_the_same_job_at_once_claim_it_once(cast):
    job = queued_job(cast)
    claims = _in_two_threads(lambda: imports.import_start(job_id=job.pk))
    assert sorted(claims) == [False, True], claims


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_job_at_once_import_each_child_once(cast, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    job = queued_job(cast, rows=6)
    outcomes = _in_two_threads(lambda: imports.import_run(job_id=job.pk).status)
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    job.refresh_from_db()
    assert (job.status, job.processed, job.created) == (ImportJob.Status.DONE, 6, 6)
    assert Child.objects.filter(upn__startswith="K").count() == 6
    assert AuditEntry.objects.filter(event="import.children").count() == 1
    created = AuditEntry.objects.filter(event="import.children_created")
    named = sorted(child_id for entry in created for child_id in entry.additional_data["object_ids"])
    assert named == sorted(Child.objects.filter(upn__startswith="K").values_list("pk", flat=True))
