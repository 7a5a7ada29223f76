"""A large roll: 5,000 rows import through a real worker, in batches, and the counts come out right."""

import datetime
import time

import kombu.pools
import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django.utils import timezone

from concerns.models import Child, ImportJob
from concerns.services.imports import jobs as imports
from concerns.tasks import import_run
from safeguard.celery import app
from tests.concerns.test_import_children import child_row, children_csv, latest_job, preview, upn
from tests.conftest import client_for
from tests.factories import ChildFactory

ROWS = 5_000


def reopen_broker_pool() -> None:
    """Connections to the broker that no earlier test has closed.

    A test that points the app at a dead broker closes the app's connection pool, and Celery goes
    on handing out producers from it; a test that publishes starts from new pools instead.
    """
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def open_broker_pool():
    reopen_broker_pool()


def _wait_for(condition, seconds: float = 90.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_5000_row_roll_imports_through_a_real_worker_with_the_right_counts(cast, open_broker_pool):
    admin = client_for(cast.admin)
    # Already known: 1,000 children in the file (500 of them with a new year group), and 30 on the
    # roll who are not in the file and leave it.
    for n in range(1_000):
        ChildFactory(
            site=cast.site_a,
            upn=upn(n),
            first_name=f"Ivo{n}",
            last_name="Pennick",
            preferred_name="",
            date_of_birth="2016-04-01",
            year_group="Year 4" if n % 2 else "Year 3",
        )
    for n in range(30):
        ChildFactory(site=cast.site_a, upn=upn(n, letter="L"))
    rows = [child_row(n) for n in range(ROWS - 5)] + [child_row(n, dob="31/02/2016") for n in range(ROWS, ROWS + 5)]
    response = preview(admin, cast.site_a, children_csv(rows))
    assert response.status_code == 302
    job = latest_job()
    assert job.preview == {
        "created": 3_995,
        "updated": 500,
        "unchanged": 500,
        "left": 32,
        "errors": 5,
        "on_roll": 1_032,
    }

    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        # 32 would be marked left: more than a few, so the number is typed to confirm.
        confirm = admin.post(reverse("records_console:import_confirm", args=[job.pk]), {"leavers": "32"})
        assert confirm.status_code == 302
        assert _wait_for(lambda: ImportJob.objects.get(pk=job.pk).is_finished), "the worker did not finish"

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.total, job.processed) == (ROWS - 5, ROWS - 5)
    # left: the 30 who are not in the file, and child_a and child_a2 from the cast.
    assert (job.created, job.updated, job.unchanged, job.left, len(job.errors)) == (3_995, 500, 500, 32, 5)
    assert Child.objects.filter(site=cast.site_a, left_on__isnull=True).count() == ROWS - 5
    assert Child.objects.filter(site=cast.site_a, left_on=timezone.localdate()).count() == 32
    assert Child.objects.filter(upn__startswith="K").count() == ROWS - 5
    assert not Child.objects.filter(year_group="Year 3").exists()

    status = admin.get(reverse("records_console:import_status", args=[job.pk])).json()
    assert (status["percent"], status["processed"], status["finished"]) == (100, ROWS - 5, True)


@pytest.mark.django_db(transaction=True)
def test_progress_is_counted_batch_by_batch_and_a_restarted_worker_carries_on(cast, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_SIZE", 1_000)
    admin = client_for(cast.admin)
    preview(admin, cast.site_a, children_csv([child_row(n) for n in range(ROWS)]), is_full=False)
    job = latest_job()
    admin.post(reverse("records_console:import_confirm", args=[job.pk]))

    # A worker that stops after two batches (a crash, a deploy) ...
    assert imports.import_start(job_id=job.pk)
    seen = []
    for _ in range(2):
        imports.import_batch_apply(job_id=job.pk)
        seen.append(ImportJob.objects.get(pk=job.pk).percent)
    assert seen == [20, 40]
    assert Child.objects.filter(upn__startswith="K").count() == 2_000

    # ... while its heartbeat is fresh, another worker's message leaves the job alone (it could be a
    # second worker, not a redelivery) ...
    import_run(job.pk)
    assert ImportJob.objects.get(pk=job.pk).processed == 2_000
    # ... and once the silent worker's lease has lapsed, the redelivered message (or the sweep)
    # finishes the job without doing anything twice.
    lapsed = timezone.now() - imports.RUN_LEASE - datetime.timedelta(seconds=1)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=lapsed)
    assert imports.import_ids_stalled(timezone.now() - datetime.timedelta(minutes=5)) == [job.pk]
    import_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.processed, job.created, job.updated, job.unchanged) == ("done", ROWS, ROWS, 0, 0)
    assert Child.objects.filter(upn__startswith="K").count() == ROWS


def test_a_batch_costs_the_same_number_of_queries_however_many_rows_it_has(cast, django_assert_max_num_queries):
    admin = client_for(cast.admin)
    preview(admin, cast.site_a, children_csv([child_row(n) for n in range(imports.BATCH_SIZE)]), is_full=False)
    job = latest_job()
    admin.post(reverse("records_console:import_confirm", args=[job.pk]))
    imports.import_start(job_id=job.pk)
    # 13: the rows (SQLite inserts them in a few statements), the job, and the batch's one ledger entry.
    with django_assert_max_num_queries(13):
        imports.import_batch_apply(job_id=job.pk)
    assert Child.objects.filter(upn__startswith="K").count() == imports.BATCH_SIZE


def test_a_confirmed_import_whose_message_was_lost_is_found_by_the_sweep(cast):
    admin = client_for(cast.admin)
    preview(admin, cast.site_a, children_csv([child_row(1)]), is_full=False)
    lost = latest_job()
    admin.post(reverse("records_console:import_confirm", args=[lost.pk]))
    ImportJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=10))
    preview(admin, cast.site_a, children_csv([child_row(2)]), is_full=False)
    waiting_for_confirmation = latest_job()
    ImportJob.objects.filter(pk=waiting_for_confirmation.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10)
    )

    stalled = imports.import_ids_stalled(timezone.now() - datetime.timedelta(minutes=5))
    assert stalled == [lost.pk], "only confirmed imports are started; a preview waits for the admin"
    import_run(lost.pk)
    assert ImportJob.objects.get(pk=lost.pk).status == ImportJob.Status.DONE
    assert imports.import_ids_stalled(timezone.now()) == []


def test_a_preview_nobody_confirms_keeps_no_copy_of_the_roll_after_a_day(cast):
    admin = client_for(cast.admin)
    preview(admin, cast.site_a, children_csv([child_row(1)]), is_full=False)
    old = latest_job()
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    preview(admin, cast.site_a, children_csv([child_row(2)]), is_full=False)
    fresh = latest_job()

    assert imports.import_previews_expire(before=timezone.now() - datetime.timedelta(days=1)) == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, old.rows, old.seen_keys) == (ImportJob.Status.FAILED, [], [])
    assert fresh.status == ImportJob.Status.PREVIEW and fresh.rows
    page = admin.get(reverse("records_console:import_detail", args=[old.pk])).content.decode()
    assert "Not confirmed within a day: upload the file again." in page
    assert admin.post(reverse("records_console:import_confirm", args=[old.pk])).status_code == 302
    assert not Child.objects.filter(upn=upn(1)).exists()
