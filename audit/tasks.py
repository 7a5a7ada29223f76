"""Celery tasks for the ledger: thin, calling the sealer. The database holds the truth."""

from celery import shared_task

from audit import sealing


@shared_task
def audit_seal() -> int:
    """The periodic sweep that links new ledger entries into the hash chain, so changing them shows."""
    return sealing.audit_seal()
