"""Celery tasks: thin, taking ids, calling services. The database is the source of truth."""

from celery import shared_task

from concerns.services import alerts, escalation, shares


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notifications_send_email() -> int:
    return alerts.notifications_send_email()


@shared_task
def alerts_deliver_pending() -> int:
    """The periodic sweep: anything a lost message or a crashed worker left unsent goes now."""
    return alerts.notifications_send_email()


@shared_task
def escalations_sweep() -> int:
    """The periodic sweep (every minute): every concern past its time and unreviewed is escalated,
    each level once. Takes no ids: what is due is in the database, so a lost or repeated message
    changes nothing, and two beats running it at once share the work."""
    return escalation.escalations_sweep()


@shared_task
def shares_expire() -> int:
    """The periodic sweep that takes away access when a share reaches its end date."""
    return shares.shares_expire()


@shared_task
def import_run(job_id: int) -> str:
    """Run a confirmed MIS import (children or staff) in batches; progress is on the job row."""
    from concerns.services.imports import jobs as imports

    return imports.import_run(job_id=job_id).status


@shared_task
def imports_resume() -> int:
    """The periodic sweep: start any confirmed import whose message a broker outage lost, and
    drop the rows of previews nobody confirmed within a day."""
    import datetime

    from django.utils import timezone

    from concerns.services.imports import jobs as imports

    now = timezone.now()
    imports.import_previews_expire(before=now - datetime.timedelta(days=1))
    stalled = imports.import_ids_stalled(now - datetime.timedelta(minutes=5))
    for job_id in stalled:
        import_run.delay(job_id)
    return len(stalled)
