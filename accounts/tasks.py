"""Celery tasks for accounts: thin, taking ids, calling services. The database holds the truth."""

from celery import shared_task

from accounts.services import password_reset


@shared_task
def password_reset_send(request_id: int) -> bool:
    return password_reset.password_reset_send(request_id=request_id)


@shared_task
def password_resets_deliver_pending() -> int:
    """The periodic sweep: a reset link whose message was lost goes now; old rows are dropped."""
    return password_reset.password_resets_deliver_pending()
