"""Concurrent writers and a concurrent sealer leave one chain that verifies, every entry in it once.

Real threads with their own database connections and their own transactions, as requests have; it
runs on whichever database the suite is configured for (CI: PostgreSQL).
"""

import threading

import pytest
from django.db import connection, connections, transaction

from audit.models import AuditEntry
from audit.sealing import audit_seal
from tests.audit.test_ledger_integrity import run_verify, write_entries
from tests.factories import UserFactory

WRITERS = 6
ENTRIES_EACH = 40


def _in_own_connection(work, errors: list) -> None:
    try:
        work()
    except Exception as error:  # noqa: BLE001 - reported by the test below
        errors.append(error)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_sealers_leave_one_chain_that_verifies():
    actors = [UserFactory(email=f"writer{n}@test.example") for n in range(WRITERS)]
    written: list[int] = []
    errors: list[Exception] = []
    writers_done = threading.Event()

    def writer(actor) -> None:
        written.extend(entry.pk for entry in write_entries(actor, ENTRIES_EACH))

    def sealer() -> None:
        while not writers_done.is_set():
            audit_seal(batch=7)

    threads = [threading.Thread(target=_in_own_connection, args=(lambda a=a: writer(a), errors)) for a in actors]
    sealers = [threading.Thread(target=_in_own_connection, args=(sealer, errors)) for _ in range(2)]
    for thread in sealers + threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    writers_done.set()
    for thread in sealers:
        thread.join(timeout=120)

    assert not errors, errors
    assert len(written) == WRITERS * ENTRIES_EACH
    audit_seal()
    code, output = run_verify()
    assert code == 0, output
    ledger = list(AuditEntry.objects.order_by("chain_seq").values_list("id", "chain_seq"))
    assert [seq for _, seq in ledger] == list(range(1, len(ledger) + 1)), "every entry sealed, once, no gaps"
    assert set(written) <= {pk for pk, _ in ledger}


@pytest.mark.django_db(transaction=True)
def test_a_writer_never_waits_for_the_sealer():
    """While a sealer holds the chain lock, a request still writes and commits its entry.

    PostgreSQL only in substance: SQLite has one write lock for the whole database, so there a
    writer waits for any writing transaction, the sealer's too (which is why its batches are short);
    on SQLite this test checks only that a held-open sealer leaves a chain that verifies.
    """
    actor = UserFactory(email="prompt@test.example")
    write_entries(actor, 3)
    sealing, release = threading.Event(), threading.Event()
    errors: list[Exception] = []

    def slow_sealer() -> None:
        with transaction.atomic():
            audit_seal(batch=1, max_batches=1)
            sealing.set()
            release.wait(timeout=30)

    thread = threading.Thread(target=_in_own_connection, args=(slow_sealer, errors))
    thread.start()
    assert sealing.wait(timeout=30)
    if connection.vendor == "postgresql":
        [entry] = write_entries(actor, 1)
        assert thread.is_alive(), "the sealer still held its lock while the entry was written and committed"
        assert AuditEntry.objects.filter(pk=entry.pk).exists()
    release.set()
    thread.join(timeout=30)
    assert not errors, errors
    audit_seal()
    assert run_verify()[0] == 0
    assert not AuditEntry.objects.filter(entry_hash="").exists()
