"""Celery tasks: thin, taking ids, calling services. The database is the source of truth."""

from celery import shared_task

from concerns.services import alerts, shares


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notifications_send_email() -> int:
    return alerts.notifications_send_email()


@shared_task
def alerts_deliver_pending() -> int:
    """The periodic sweep: anything a lost message or a crashed worker left unsent goes now."""
    return alerts.notifications_send_email()


@shared_task
def shares_expire() -> int:
    """The periodic sweep that takes away access when a share reaches its end date."""
    return shares.shares_expire()
