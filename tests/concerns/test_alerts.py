"""Alerts: what the emails say (the real deadline, and nothing of the child), who chooses which
emails, the alerts list, opening an alert, and the count in the page header."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from concerns.choices import NotificationKind
from concerns.models import Concern, Notification
from concerns.services.alerts import alerts_raise, notifications_send_email
from tests.concerns.helpers import submit
from tests.conftest import client_for
from tests.factories import ChildFactory, ConcernFactory, restricted_category

LONDON = ZoneInfo("Europe/London")
# Distinctive, so that finding them anywhere in an email or a page can only be a leak.
CHILD_FIRST, CHILD_LAST = "Perpetua", "Quillfeather"
OBSERVATIONS = "Said the bruise came from the wardrobe door at her nan's."


@pytest.fixture
def child(cast):
    return ChildFactory(site=cast.site_a, first_name=CHILD_FIRST, last_name=CHILD_LAST)


def _submitted_at(cast, child, moment: datetime.datetime, **kwargs):
    """Submitted at `moment`, and its alert emails sent a minute later."""
    with time_machine.travel(moment, tick=False):
        concern = submit(cast.staff, child, observations=OBSERVATIONS, **kwargs)
    with time_machine.travel(moment + datetime.timedelta(minutes=1), tick=False):
        notifications_send_email()
    return concern


def _emails_to(user) -> list:
    notifications_send_email()
    return [message for message in mail.outbox if message.to == [user.email]]


def _assert_nothing_of_the_child(text: str) -> None:
    for secret in (CHILD_FIRST, CHILD_LAST, OBSERVATIONS, "wardrobe"):
        assert secret not in text


# --- what the emails say ----------------------------------------------------------------------


def test_before_the_cut_off_the_email_gives_the_end_of_that_working_day(cast, child):
    concern = _submitted_at(cast, child, datetime.datetime(2026, 12, 3, 11, 0, tzinfo=LONDON))  # a Thursday
    [message] = _emails_to(cast.dsl)
    assert "needs review by 17:00 on Thursday 3 December 2026" in message.body
    assert "by 17:00 on Thursday 3 December 2026" in message.subject
    assert concern.reference in message.body and cast.site_a.name in message.body
    alert = Notification.objects.get(recipient=cast.dsl, concern=concern)
    assert f"{settings.VIGIL_BASE_URL.rstrip('/')}/alerts/{alert.pk}/\n" in message.body
    _assert_nothing_of_the_child(message.body + message.subject)


def test_after_the_cut_off_on_a_friday_the_email_gives_ten_on_monday_not_today(cast, child):
    _submitted_at(cast, child, datetime.datetime(2026, 12, 4, 15, 30, tzinfo=LONDON))
    [message] = _emails_to(cast.deputy)
    assert "needs review by 10:00 on Monday 7 December 2026" in message.body
    assert "today" not in message.body.lower() and "today" not in message.subject.lower()
    assert "URGENT" not in message.subject
    _assert_nothing_of_the_child(message.body + message.subject)


def test_an_immediate_danger_email_says_it_is_urgent_and_gives_fifteen_minutes(cast, child):
    moment = datetime.datetime(2026, 12, 5, 21, 40, tzinfo=LONDON)  # a Saturday night: any day and hour
    _submitted_at(cast, child, moment, immediate_danger=True)
    [message] = _emails_to(cast.dsl)
    assert message.subject.startswith("URGENT")
    assert "immediate danger" in message.subject and "review by 21:55 on Saturday 5 December 2026" in message.subject
    assert message.body.startswith("URGENT")
    assert "may be in immediate danger" in message.body
    assert "within 15 minutes, by 21:55 on Saturday 5 December 2026" in message.body
    _assert_nothing_of_the_child(message.body + message.subject)


@pytest.mark.parametrize(
    "kind, words",
    [
        (NotificationKind.OVERDUE, "the site's DSL team is alerted again"),
        (NotificationKind.OVERDUE_SENIOR, "It has been escalated to you"),
    ],
)
def test_an_overdue_email_says_since_when_and_that_it_was_escalated(cast, child, kind, words):
    concern = _submitted_at(cast, child, datetime.datetime(2026, 12, 3, 16, 0, tzinfo=LONDON))
    mail.outbox.clear()
    Notification.objects.all().delete()
    alerts_raise(concern=concern, recipients=[cast.dsl], kind=kind, urgent=True)
    [message] = _emails_to(cast.dsl)
    assert "overdue for review since 10:00 on Friday 4 December 2026" in message.body
    assert "escalated" in message.body and words in message.body
    assert message.subject.startswith("URGENT") and "overdue" in message.subject
    _assert_nothing_of_the_child(message.body + message.subject)


def test_a_routine_alert_is_not_emailed_to_someone_who_chose_not_but_an_urgent_one_is(cast, child):
    cast.deputy.emails_routine_alerts = False
    cast.deputy.save()
    routine = submit(cast.staff, child)
    urgent = submit(cast.staff, child, immediate_danger=True)
    assert Notification.objects.filter(recipient=cast.deputy).count() == 2  # both listed in the app
    notifications_send_email()
    to_deputy = [message for message in mail.outbox if message.to == [cast.deputy.email]]
    assert len(to_deputy) == 1 and urgent.reference in to_deputy[0].body
    to_dsl = [message.body for message in mail.outbox if message.to == [cast.dsl.email]]
    assert len(to_dsl) == 2 and any(routine.reference in body for body in to_dsl)


# --- the alerts list --------------------------------------------------------------------------


def test_the_list_shows_unread_first_urgent_in_words_with_links_and_nothing_of_the_child(cast, child):
    read = submit(cast.staff, child, observations=OBSERVATIONS)
    urgent = submit(cast.staff, child, immediate_danger=True, observations=OBSERVATIONS)
    Notification.objects.filter(recipient=cast.dsl, concern=read).update(read_at=datetime.datetime.now(tz=LONDON))
    routine = submit(cast.staff, child, observations=OBSERVATIONS)
    page = client_for(cast.dsl).get(reverse("alerts:list"))
    assert page.status_code == 200
    text = page.text
    alerts = {c.pk: Notification.objects.get(recipient=cast.dsl, concern=c) for c in (read, urgent, routine)}
    positions = [text.index(f'href="/alerts/{alerts[c.pk].pk}/"') for c in (routine, urgent, read)]
    assert positions == sorted(positions), "unread first, newest first"
    assert "Urgent</span>" in text and "A child may be in immediate danger" in text
    assert "2 unread alerts" in text and "1 urgent" in text
    _assert_nothing_of_the_child(text)


def test_marking_one_alert_read_and_then_all(cast, child):
    first, second, third = (submit(cast.staff, child) for _ in range(3))
    client = client_for(cast.deputy)
    alert = Notification.objects.get(recipient=cast.deputy, concern=first)
    response = client.post(reverse("alerts:mark_read", args=[alert.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("alerts:list")
    assert Notification.objects.get(pk=alert.pk).read_at is not None
    assert Notification.objects.filter(recipient=cast.deputy, read_at__isnull=True).count() == 2
    assert Notification.objects.filter(recipient=cast.dsl, read_at__isnull=True).count() == 3  # theirs are theirs
    client.post(reverse("alerts:mark_all_read"))
    assert not Notification.objects.filter(recipient=cast.deputy, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=cast.dsl, read_at__isnull=True).count() == 3
    assert "You have no unread alerts" in client.get(reverse("alerts:list")).text


def test_no_one_marks_another_persons_alert_read(cast, child):
    concern = submit(cast.staff, child)
    alert = Notification.objects.get(recipient=cast.dsl, concern=concern)
    assert client_for(cast.deputy).post(reverse("alerts:mark_read", args=[alert.pk])).status_code == 404
    assert Notification.objects.get(pk=alert.pk).read_at is None


def test_the_list_is_paged_unread_before_read(cast):
    concerns = ConcernFactory.create_batch(30, site=cast.site_a, author=cast.staff)
    now = datetime.datetime.now(tz=LONDON)
    for age, concern in enumerate(concerns):
        Notification.objects.create(
            recipient=cast.dsl,
            concern=concern,
            kind=NotificationKind.CONCERN_SUBMITTED,
            created_at=now - datetime.timedelta(minutes=age),
            # The three oldest are unread: they still come first.
            read_at=None if age >= 27 else now,
        )
    client = client_for(cast.dsl)
    first = client.get(reverse("alerts:list")).text
    assert first.count('class="alert-unread"') == 3
    assert first.index(concerns[29].reference) < first.index(concerns[0].reference)
    assert "Older" in first and concerns[24].reference not in first
    second = client.get(reverse("alerts:list"), {"page": 2}).text
    assert all(concern.reference in second for concern in concerns[22:27]) and "Newer" in second
    assert concerns[21].reference not in second
    assert "No more alerts" in client.get(reverse("alerts:list"), {"page": 9}).text


# --- opening an alert -------------------------------------------------------------------------


def test_an_alert_opened_by_anyone_but_its_recipient_is_not_found(cast, child):
    concern = submit(cast.staff, child)
    alert = Notification.objects.get(recipient=cast.dsl, concern=concern)
    for other in (cast.deputy, cast.staff, cast.dsl_b, cast.admin):
        assert client_for(other).get(reverse("alerts:open", args=[alert.pk])).status_code == 404
    assert Notification.objects.get(pk=alert.pk).read_at is None


def test_a_recipient_who_may_read_the_concern_is_taken_to_it(cast, child):
    concern = submit(cast.staff, child)
    alert = Notification.objects.get(recipient=cast.deputy, concern=concern)
    response = client_for(cast.deputy).get(reverse("alerts:open", args=[alert.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("concerns:detail", args=[concern.pk])
    assert Notification.objects.get(pk=alert.pk).read_at is not None
    assert not AuditEntry.objects.filter(event="notification.opened").exists()  # the concern page records the view


@pytest.fixture
def escalated_to_head(cast, child):
    """A restricted concern, overdue and escalated to level 2: the site's head (a member of staff,
    its escalation contact) is alerted, and may not read it."""
    cast.site_a.escalation_contact = cast.staff2
    cast.site_a.save()
    concern = submit(cast.staff, child, categories=[restricted_category()], observations=OBSERVATIONS)
    assert concern.is_restricted
    alerts_raise(concern=concern, recipients=[cast.staff2], kind=NotificationKind.OVERDUE_SENIOR, urgent=True)
    return Notification.objects.get(recipient=cast.staff2, concern=concern)


def test_an_escalation_contact_who_may_not_read_it_gets_a_notice_without_the_child(cast, escalated_to_head):
    alert, concern = escalated_to_head, escalated_to_head.concern
    client = client_for(cast.staff2)
    assert client.get(reverse("concerns:detail", args=[concern.pk])).status_code == 404
    page = client.get(reverse("alerts:open", args=[alert.pk]))
    assert page.status_code == 200
    assert concern.reference in page.text and cast.site_a.name in page.text
    assert "Nobody on the DSL team has claimed it yet" in page.text
    assert cast.dsl.full_name in page.text  # whom to ask
    _assert_nothing_of_the_child(page.text)
    assert "restricted" not in page.text.lower()  # nor why they cannot read it
    assert Notification.objects.get(pk=alert.pk).read_at is not None
    entry = AuditEntry.objects.get(event="notification.opened")
    assert (entry.actor, entry.object_id, entry.site_id) == (cast.staff2, concern.pk, cast.site_a.pk)
    listed = client.get(reverse("alerts:list")).text
    assert f'href="/alerts/{alert.pk}/"' in listed
    _assert_nothing_of_the_child(listed)


def test_a_notice_says_who_claimed_it_and_how_overdue(cast, escalated_to_head):
    concern = escalated_to_head.concern
    Concern.objects.filter(pk=concern.pk).update(
        claimed_by=cast.dsl,
        claimed_at=concern.recorded_at,
        escalation_level=2,
        review_deadline=concern.recorded_at - datetime.timedelta(hours=3),
    )
    page = client_for(cast.staff2).get(reverse("alerts:open", args=[escalated_to_head.pk])).text
    assert f"Claimed by {cast.dsl.full_name}" in page
    assert "overdue by 3 hours" in page and "Level 2" in page


def test_an_escalation_alert_leads_nowhere_once_they_are_no_longer_the_contact(cast, escalated_to_head):
    cast.site_a.escalation_contact = None
    cast.site_a.save()
    client = client_for(cast.staff2)
    assert client.get(reverse("alerts:open", args=[escalated_to_head.pk])).status_code == 404
    assert Notification.objects.get(pk=escalated_to_head.pk).read_at is None
    assert f'href="/alerts/{escalated_to_head.pk}/"' not in client.get(reverse("alerts:list")).text


def test_an_alert_about_a_concern_since_closed_to_the_reader_is_not_found_nor_listed(cast, child):
    concern = submit(cast.staff, child)
    alert = Notification.objects.get(recipient=cast.deputy, concern=concern)
    Concern.objects.filter(pk=concern.pk).update(is_restricted=True)
    client = client_for(cast.deputy)
    assert client.get(reverse("alerts:open", args=[alert.pk])).status_code == 404
    assert concern.reference not in client.get(reverse("alerts:list")).text


# --- the header count -------------------------------------------------------------------------


def _notification_queries(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if "concerns_notification" in query["sql"]]


def test_the_header_counts_unread_and_urgent_alerts_in_one_query(cast, child):
    submit(cast.staff, child)
    submit(cast.staff, child, immediate_danger=True)
    client = client_for(cast.dsl)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("concerns:mine"))
    assert 'id="header-alerts"' in page.text
    assert "Alerts: 2 unread" in page.text and "1 urgent</span>" in page.text
    assert len(_notification_queries(captured)) == 1
    # Another person's alerts are not theirs to count.
    assert "unread" not in client_for(cast.staff2).get(reverse("concerns:mine")).text.split("</header>")[0]


def test_the_header_stops_counting_at_a_hundred_and_still_counts_every_urgent_one(cast):
    """A DSL who leaves alerts unread has thousands: the header says "99+", and the few urgent
    ones among them are never lost behind the routine ones."""
    concerns = ConcernFactory.create_batch(103, site=cast.site_a, author=cast.staff)
    Notification.objects.bulk_create(
        Notification(recipient=cast.dsl, concern=concern, kind=NotificationKind.CONCERN_SUBMITTED, is_urgent=i >= 100)
        for i, concern in enumerate(concerns)
    )
    page = client_for(cast.dsl).get(reverse("concerns:mine")).text
    assert "Alerts: 99+ unread" in page and "3 urgent</span>" in page
    routine = Notification.objects.filter(recipient=cast.dsl, is_urgent=False)
    Notification.objects.filter(pk__in=list(routine.values_list("pk", flat=True)[:4])).delete()
    assert "Alerts: 99 unread" in client_for(cast.dsl).get(reverse("concerns:mine")).text


def test_the_header_count_never_runs_for_a_signed_out_visitor(db, client):
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("accounts:login"))
    assert page.status_code == 200 and 'id="header-alerts"' not in page.text
    assert _notification_queries(captured) == []


# --- choosing which alerts email you ----------------------------------------------------------


def test_a_person_chooses_not_to_be_emailed_routine_alerts_and_it_is_on_the_ledger(cast):
    client = client_for(cast.deputy)
    page = client.get(reverse("accounts:alert_preferences")).text
    assert "always emailed to you" in page
    response = client.post(reverse("accounts:alert_preferences"), {"emails_routine_alerts": "no"})
    assert response.status_code == 302
    cast.deputy.refresh_from_db()
    assert cast.deputy.emails_routine_alerts is False
    entry = AuditEntry.objects.get(event="account.updated")
    assert entry.actor == cast.deputy and entry.object_id == cast.deputy.pk
    assert entry.additional_data["fields"] == ["emails_routine_alerts"]
    client.post(reverse("accounts:alert_preferences"), {"emails_routine_alerts": "no"})
    assert AuditEntry.objects.filter(event="account.updated").count() == 1  # nothing changed, nothing recorded


def test_a_bad_choice_is_refused_with_a_message_and_changes_nothing(cast):
    response = client_for(cast.deputy).post(reverse("accounts:alert_preferences"), {"emails_routine_alerts": "maybe"})
    assert response.status_code == 400 and "There is a problem" in response.text
    cast.deputy.refresh_from_db()
    assert cast.deputy.emails_routine_alerts is True


@pytest.mark.parametrize("page", ["²", "9" * 5000, "-3", "x"])
def test_a_page_number_python_cannot_read_is_the_first_page_not_a_500(cast, child, page):
    submit(cast.staff, child)
    dsl = client_for(cast.dsl)
    assert dsl.get(reverse("alerts:list"), {"page": page}).status_code == 200
    response = dsl.post(reverse("alerts:mark_all_read"), {"page": page})
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=cast.dsl, read_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_one_transaction_raising_many_alerts_sends_one_message_to_the_outbox(cast, monkeypatch):
    from django.db import transaction

    from concerns.services import alerts as alert_service

    sent = []
    monkeypatch.setattr(alert_service, "_enqueue_email", lambda: sent.append(1))
    concerns = [ConcernFactory(site=cast.site_a, author=cast.staff) for _ in range(3)]
    with transaction.atomic():
        for concern in concerns:
            alerts_raise(concern=concern, recipients=[cast.dsl], kind=NotificationKind.OVERDUE, urgent=True)
        try:
            with transaction.atomic():  # a failed escalation's savepoint takes its callback with it
                alerts_raise(concern=concerns[0], recipients=[cast.deputy], kind=NotificationKind.OVERDUE, urgent=True)
                raise RuntimeError
        except RuntimeError:
            pass
    assert sent == [1]
    with transaction.atomic():
        alerts_raise(concern=concerns[1], recipients=[cast.deputy], kind=NotificationKind.OVERDUE, urgent=True)
    assert sent == [1, 1]  # the next transaction still sends its own
