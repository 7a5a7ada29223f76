"""Alert emails go one at a time through a real SMTP conversation: one refused address never holds
back the others, a temporary failure is retried with back-off, and one that fails for good is
listed for the administrators of its site, who can send it again."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from concerns.choices import NotificationKind
from concerns.models import Notification
from concerns.services import alerts
from concerns.services.alerts import notifications_send_email
from concerns.services.email_delivery import MAX_ATTEMPTS, RETRY_DELAYS_MINUTES
from tests.conftest import client_for
from tests.factories import ChildFactory, ConcernFactory, MembershipFactory, UserFactory
from tests.smtp_server import start_smtp_server

NO_SUCH_USER = "550 5.1.1 No such user here"
TRY_LATER = "451 4.3.0 Mailbox busy, try later"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a local port, behind Django's real SMTP backend."""
    server, state = start_smtp_server()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    yield state
    server.shutdown()
    server.server_close()


def alert(cast, recipient, *, minutes_ago: int = 0, concern=None) -> Notification:
    concern = concern or ConcernFactory(
        site=cast.site_a,
        author=cast.staff,
        about=[ChildFactory(site=cast.site_a, first_name="Wren", last_name="Tallowby")],
        observations="Said the bruise came from the stairs at home.",
    )
    created = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return Notification.objects.create(
        recipient=recipient,
        concern=concern,
        kind=NotificationKind.CONCERN_SUBMITTED,
        created_at=created,
        email_next_attempt_at=created,
    )


def test_one_refused_address_does_not_hold_back_the_emails_behind_it(cast, smtp):
    smtp.refused[cast.dsl.email] = NO_SUCH_USER
    oldest = alert(cast, cast.dsl, minutes_ago=10)
    newer = [alert(cast, cast.deputy, minutes_ago=5), alert(cast, cast.deputy, minutes_ago=1)]

    assert notifications_send_email() == 2
    assert smtp.recipients() == [cast.deputy.email, cast.deputy.email]
    assert all(row.email_sent_at for row in Notification.objects.filter(pk__in=[n.pk for n in newer]))
    oldest.refresh_from_db()
    # 550 is the server saying the address does not exist: retrying cannot help.
    assert oldest.email_sent_at is None and oldest.email_failed_at is not None
    assert oldest.email_attempts == 1 and "550" in oldest.email_error
    # Later sweeps do not try it again, and send what comes after it.
    late = alert(cast, cast.deputy)
    assert notifications_send_email() == 1
    late.refresh_from_db()
    assert late.email_sent_at is not None
    assert smtp.recipients().count(cast.dsl.email) == 0


def test_a_temporary_refusal_is_retried_on_the_back_off_schedule_then_given_up(cast, smtp):
    smtp.refused[cast.dsl.email] = TRY_LATER
    notification = alert(cast, cast.dsl)
    waits = []
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(MAX_ATTEMPTS):
            assert notifications_send_email() == 0
            notification.refresh_from_db()
            if notification.email_failed_at:
                break
            wait = notification.email_next_attempt_at - timezone.now()
            waits.append(wait)
            # Not tried again before its time...
            clock.shift(wait - datetime.timedelta(seconds=1))
            attempts = notification.email_attempts
            notifications_send_email()
            notification.refresh_from_db()
            assert notification.email_attempts == attempts
            clock.shift(datetime.timedelta(seconds=1))
    assert waits == [datetime.timedelta(minutes=minutes) for minutes in RETRY_DELAYS_MINUTES]
    assert waits == sorted(waits)
    assert notification.email_attempts == MAX_ATTEMPTS and notification.email_failed_at is not None
    assert "451" in notification.email_error


def test_an_email_that_succeeds_on_a_retry_is_sent_once(cast, smtp):
    smtp.refused[cast.dsl.email] = TRY_LATER
    notification = alert(cast, cast.dsl)
    notifications_send_email()
    del smtp.refused[cast.dsl.email]
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=RETRY_DELAYS_MINUTES[0])):
        assert notifications_send_email() == 1
        assert notifications_send_email() == 0
    notification.refresh_from_db()
    assert notification.email_sent_at is not None and notification.email_failed_at is None
    assert smtp.recipients() == [cast.dsl.email]


def test_with_the_mail_server_down_the_batch_waits_and_nothing_is_lost(cast, smtp, settings):
    first, second = alert(cast, cast.dsl, minutes_ago=2), alert(cast, cast.deputy, minutes_ago=1)
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # nothing listens here: connection refused
    assert notifications_send_email() == 0
    first.refresh_from_db()
    second.refresh_from_db()
    # One try, backed off; the rest of the batch was not ground through the same failure.
    assert first.email_attempts == 1 and first.email_failed_at is None and first.email_next_attempt_at > timezone.now()
    assert second.email_attempts == 0
    settings.EMAIL_PORT = port
    assert notifications_send_email() == 1  # the one not backed off goes first
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=RETRY_DELAYS_MINUTES[0])):
        assert notifications_send_email() == 1
    assert sorted(smtp.recipients()) == sorted([cast.dsl.email, cast.deputy.email])


@pytest.fixture
def failed(cast, smtp):
    smtp.refused[cast.dsl.email] = NO_SUCH_USER
    notification = alert(cast, cast.dsl)
    notifications_send_email()
    notification.refresh_from_db()
    assert notification.email_failed_at is not None
    return notification


def test_a_permanent_failure_is_listed_for_the_sites_administrators_without_child_or_concern(cast, failed):
    page = client_for(cast.admin).get(reverse("records_console:email_failures"))
    assert page.status_code == 200
    row = page.text.split(f'id="email-failure-{failed.pk}"')[1].split("</tr>")[0]
    assert cast.dsl.email in row and "550 5.1.1 No such user here" in row and cast.site_a.name in row
    assert timezone.localtime(failed.email_failed_at).strftime("%-d %b %Y, %H:%M") in row
    for secret in ("Wren", "Tallowby", "bruise", "stairs", failed.concern.reference):
        assert secret not in page.text
    # The console's front pages lead to it.
    assert (
        reverse("records_console:email_failures") in client_for(cast.admin).get(reverse("records_console:index")).text
    )
    assert reverse("records_console:email_failures") in client_for(cast.admin).get(reverse("console:home")).text


def test_another_sites_administrator_does_not_see_the_failure_nor_can_retry_it(cast, failed):
    admin_b = UserFactory(email="admin.b@test.example", full_name="Bex Birchadmin")
    MembershipFactory(user=admin_b, site=cast.site_b, role="admin")
    page = client_for(admin_b).get(reverse("records_console:email_failures"))
    assert page.status_code == 200 and cast.dsl.email not in page.text
    assert client_for(admin_b).post(reverse("records_console:email_retry", args=[failed.pk])).status_code == 404
    failed.refresh_from_db()
    assert failed.email_failed_at is not None and failed.email_attempts == 1


@pytest.mark.parametrize("who", ["anonymous", "staff", "deputy", "dsl", "auditor", "dsl_b", "ended"])
def test_a_refused_retry_changes_nothing(cast, failed, who):
    before = Notification.objects.values().get(pk=failed.pk)
    entries = AuditEntry.objects.filter(event="notification.email_retried").count()
    client = client_for(None if who == "anonymous" else getattr(cast, who))
    response = client.post(reverse("records_console:email_retry", args=[failed.pk]))
    assert response.status_code in {302, 403}
    if who == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
    assert Notification.objects.values().get(pk=failed.pk) == before
    assert AuditEntry.objects.filter(event="notification.email_retried").count() == entries


def test_an_administrator_sends_a_failed_email_again_once_the_address_is_mended(cast, smtp, failed):
    del smtp.refused[cast.dsl.email]
    client = client_for(cast.admin)
    response = client.post(reverse("records_console:email_retry", args=[failed.pk]))
    assert response.status_code == 302
    client.post(reverse("records_console:email_retry", args=[failed.pk]))  # a double click
    failed.refresh_from_db()
    assert failed.email_failed_at is None and failed.email_attempts == 0
    entry = AuditEntry.objects.get(event="notification.email_retried")
    assert entry.actor == cast.admin and entry.site_id == cast.site_a.pk
    assert notifications_send_email() == 1
    assert smtp.recipients() == [cast.dsl.email]
    assert "No alert email has failed" in client.get(reverse("records_console:email_failures")).text


def test_the_pending_index_serves_the_sweeps_query(cast):
    alert(cast, cast.dsl)
    due = alerts.emails_due()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        sql, params = due.values("id").query.sql_with_params()
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "notification_email_pending" in plan
    assert "TEMP B-TREE" not in plan  # SQLite: no sort step, the index gives the order
