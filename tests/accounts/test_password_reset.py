"""Asking for a password-reset link: rate-limited per address and per client, the same page and the
same work whether or not the address has an account, and the email sent by the worker through an
outbox (a lost message is sent by the sweep)."""

import datetime
import re
import time

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import PasswordResetRequest
from accounts.services.password_reset import (
    LIMIT_PER_ADDRESS,
    LIMIT_PER_CLIENT,
    MAX_ATTEMPTS,
    password_reset_send,
    password_resets_deliver_pending,
)
from audit.models import AuditEntry
from safeguard.celery import app

RESET = reverse("accounts:password_reset")
DONE = reverse("accounts:password_reset_done")
UNKNOWN = "no-one@test.example"


def ask(email: str, client_ip: str = "198.51.100.30"):
    return Client(REMOTE_ADDR=client_ip).post(RESET, {"email": email})


def deliver() -> int:
    """What the worker does with each message the request enqueued."""
    pending = PasswordResetRequest.objects.filter(processed_at__isnull=True).values_list("pk", flat=True)
    return sum(password_reset_send(request_id=pk) for pk in list(pending))


def comparable(html: str) -> str:
    return re.sub(r'(nonce|value)="[^"]+"', "", html)


def test_the_request_does_the_same_work_for_any_address_and_sends_nothing_itself(cast):
    statements = {}
    for email in (cast.staff.email, UNKNOWN):
        with CaptureQueriesContext(connection) as queries:
            assert ask(email)["Location"] == DONE
        statements[email] = [re.sub(r"'[^']*'|\d+", "?", query["sql"]) for query in queries.captured_queries]
    # The same statements, none of them looking the address up: the response time cannot tell.
    assert statements[cast.staff.email] == statements[UNKNOWN]
    assert not any("accounts_user" in sql for sql in statements[UNKNOWN])
    assert mail.outbox == []

    assert deliver() == 2
    [message] = mail.outbox
    assert message.to == [cast.staff.email]
    assert re.search(r"/accounts/password/reset/[^/\s]+/[^/\s]+/", message.body)
    assert "Fernsby" not in message.body
    # Once dealt with, the outbox keeps no address, only a digest to count by.
    assert set(PasswordResetRequest.objects.values_list("email", flat=True)) == {""}
    assert AuditEntry.objects.filter(event="account.password_reset_sent", object_pk=str(cast.staff.pk)).count() == 1


def test_the_address_is_matched_however_it_is_typed(cast):
    ask("  Staff@TEST.example ")
    deliver()
    assert [message.to for message in mail.outbox] == [[cast.staff.email]]


@pytest.mark.parametrize("known", [True, False])
def test_five_requests_an_hour_per_address_then_a_clear_refusal_the_same_for_any_address(cast, known):
    email = cast.staff.email if known else UNKNOWN
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(LIMIT_PER_ADDRESS):
            assert ask(email.upper() if n % 2 else email, client_ip=f"198.51.100.{n}")["Location"] == DONE
        refused = ask(email, client_ip="203.0.113.8")  # another client: the address is what is counted
        assert refused.status_code == 429
        assert "You have asked for several links in the last hour" in refused.text
        assert PasswordResetRequest.objects.count() == LIMIT_PER_ADDRESS
        assert ask(cast.staff2.email)["Location"] == DONE  # other addresses are not held up
        clock.shift(datetime.timedelta(hours=1, seconds=1))
        assert ask(email)["Location"] == DONE
    deliver()
    assert len([m for m in mail.outbox if m.to == [cast.staff.email]]) == (LIMIT_PER_ADDRESS + 1 if known else 0)


def test_the_refusal_page_is_the_same_whether_or_not_the_address_has_an_account(cast):
    pages = []
    for email in (cast.staff.email, UNKNOWN):
        for _ in range(LIMIT_PER_ADDRESS):
            ask(email)
        pages.append(comparable(ask(email).text.replace(email, "EMAIL")))
    assert pages[0] == pages[1]


def test_twenty_requests_an_hour_per_client_address(cast):
    for n in range(LIMIT_PER_CLIENT):
        assert ask(f"person{n}@test.example", client_ip="198.51.100.77")["Location"] == DONE
    assert ask(cast.staff.email, client_ip="198.51.100.77").status_code == 429
    assert ask(cast.staff.email, client_ip="198.51.100.78")["Location"] == DONE


def test_a_rotating_forwarded_for_does_not_dodge_the_client_limit(cast, settings):
    settings.VIGIL_TRUSTED_PROXY_COUNT = 0
    for n in range(LIMIT_PER_CLIENT):
        Client(REMOTE_ADDR="198.51.100.77", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").post(
            RESET, {"email": f"person{n}@test.example"}
        )
    response = Client(REMOTE_ADDR="198.51.100.77", HTTP_X_FORWARDED_FOR="10.0.0.99").post(
        RESET, {"email": cast.staff.email}
    )
    assert response.status_code == 429


def test_a_lost_message_is_sent_by_the_sweep_and_old_rows_are_dropped(cast):
    # In a test the request's on-commit message never goes: as if the broker had lost it.
    ask(cast.staff.email)
    assert password_resets_deliver_pending() == 0  # too young: its own message may be on its way
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1)):
        assert password_resets_deliver_pending() == 1
        assert password_resets_deliver_pending() == 0
    assert [message.to for message in mail.outbox] == [[cast.staff.email]]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, minutes=1)):
        password_resets_deliver_pending()
    assert not PasswordResetRequest.objects.exists()


def test_with_the_mail_server_down_the_link_is_retried_then_given_up(cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    assert ask(cast.staff.email)["Location"] == DONE  # the page does not wait for the mail server
    outbox = PasswordResetRequest.objects.get()
    for attempt in range(1, MAX_ATTEMPTS):
        assert password_reset_send(request_id=outbox.pk) is False
        outbox.refresh_from_db()
        assert outbox.attempts == attempt and outbox.processed_at is None
    password_reset_send(request_id=outbox.pk)
    outbox.refresh_from_db()
    assert outbox.processed_at is not None and outbox.email == ""


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_link(cast):
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        assert ask(cast.staff.email)["Location"] == DONE
        deadline = time.monotonic() + 20
        while not mail.outbox and time.monotonic() < deadline:
            time.sleep(0.1)
    assert [message.to for message in mail.outbox] == [[cast.staff.email]]
    assert PasswordResetRequest.objects.get().processed_at is not None
