"""Everyone alerted about a concern can open it (DESIGN.md section 1; issue 7).

Tried as a new user would: staff recorded an immediate-danger concern in a restricted category and
named the deputy; the deputy was alerted and the link was a 404. These tests hold the rule for
every combination of restricted, immediate danger and named recipients.
"""

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, User
from concerns import policy
from concerns.choices import NotificationKind
from concerns.models import Concern, Notification, Share
from concerns.services.alerts import alerts_raise
from tests.concerns.helpers import record_url, valid_post
from tests.factories import ConcernFactory, UserFactory, category, restricted_category


def _assert_everyone_alerted_can_open(as_user):
    """Each alert's link (/alerts/<id>/, the one its email gives) takes its recipient to the concern."""
    notifications = list(Notification.objects.select_related("concern", "recipient"))
    assert notifications, "the concern alerted nobody"
    for notification in notifications:
        recipient, concern = notification.recipient, notification.concern
        assert policy.can_read(recipient, concern), f"{recipient.email} was alerted about {concern} and cannot open it"
        reader = as_user(recipient)
        opened = reader.get(reverse("alerts:open", args=[notification.pk]))
        assert opened.status_code == 302 and opened["Location"] == reverse("concerns:detail", args=[concern.pk])
        assert not Notification.objects.filter(pk=notification.pk, read_at__isnull=True).exists()
        assert reader.get(opened["Location"]).status_code == 200


@pytest.mark.parametrize("restricted, immediate_danger, name_deputy", list(itertools.product([False, True], repeat=3)))
def test_no_one_is_alerted_about_what_they_cannot_open(cast, as_user, restricted, immediate_danger, name_deputy):
    chosen = restricted_category() if restricted else category("Neglect")
    post = valid_post(cast.child_a, categories=[str(chosen.pk)])
    if immediate_danger:
        post.update(immediate_danger="on", called_999="yes")
    if name_deputy:
        post["named_recipients"] = [str(cast.deputy.pk)]
    response = as_user(cast.staff).post(record_url(), post)
    assert response.status_code == 302, response.content.decode()[:2000]
    concern = Concern.objects.get()
    assert concern.is_restricted == restricted

    recipients = set(Notification.objects.values_list("recipient__email", flat=True))
    assert cast.dsl.email in recipients
    deputy_may_read = not restricted or immediate_danger or name_deputy
    assert (cast.deputy.email in recipients) == deputy_may_read
    _assert_everyone_alerted_can_open(as_user)


def test_a_named_deputy_on_a_restricted_concern_gets_a_recorded_share(cast, as_user):
    post = valid_post(cast.child_a, categories=[str(restricted_category().pk)], named_recipients=[str(cast.deputy.pk)])
    as_user(cast.staff).post(record_url(), post)
    concern = Concern.objects.get()
    share = Share.objects.get()
    assert (share.concern, share.grantee, share.granted_by) == (concern, cast.deputy, cast.staff)
    assert share.revoked_at is None
    # The DSL sees the share on the concern page and may end it like any other.
    page = as_user(cast.dsl).get(reverse("concerns:detail", args=[concern.pk]))
    assert cast.deputy.full_name in page.text


def test_an_immediate_danger_restricted_concern_is_readable_by_the_whole_dsl_team(cast, as_user):
    post = valid_post(cast.child_a, categories=[str(restricted_category().pk)], immediate_danger="on", called_999="yes")
    as_user(cast.staff).post(record_url(), post)
    concern = Concern.objects.get()
    assert not Share.objects.exists()
    assert as_user(cast.deputy).get(reverse("concerns:detail", args=[concern.pk])).status_code == 200
    # Still not the other staff member, nor another school's DSL.
    for outsider in (cast.staff2, cast.dsl_b, cast.admin):
        assert as_user(outsider).get(reverse("concerns:detail", args=[concern.pk])).status_code in (403, 404)


def test_an_alert_about_a_concern_the_reader_can_no_longer_open_leaves_their_list(cast, as_user):
    as_user(cast.staff).post(record_url(), valid_post(cast.child_a))
    concern = Concern.objects.get()
    assert concern.reference in as_user(cast.deputy).get(reverse("alerts:list")).text
    Concern.objects.filter(pk=concern.pk).update(is_restricted=True)
    deputy: User = cast.deputy
    assert concern.reference not in as_user(deputy).get(reverse("alerts:list")).text


def test_alerts_the_reader_can_no_longer_open_do_not_hide_older_ones_they_can(cast, as_user):
    """The home page reads a person's newest unread alerts a batch at a time; when a whole batch is
    about concerns they can no longer open, the older alerts they can still open are listed after
    all. (The DSL team's home page is their queue; here, a member of staff who was alerted.)"""
    now = timezone.now()
    older = ConcernFactory.create_batch(3, site=cast.site_a, author=cast.staff)
    newer = ConcernFactory.create_batch(40, site=cast.site_a, author=cast.staff2)
    for age, concern in enumerate([*reversed(newer), *reversed(older)]):
        Notification.objects.create(
            recipient=cast.staff,
            concern=concern,
            kind=NotificationKind.CONCERN_SUBMITTED,
            created_at=now - timedelta(minutes=age),
        )
    page = as_user(cast.staff).get(reverse("concerns:home")).text
    assert all(concern.reference in page for concern in older)
    assert not any(concern.reference in page for concern in newer)


@pytest.mark.parametrize("restricted", [False, True])
def test_an_escalation_contact_alerted_about_what_they_may_not_read_can_open_its_notice(cast, as_user, restricted):
    """Level 2 alerts the site's escalation contact (here a member of staff, as a head often is),
    who may hold no role that reads the concern: the alert opens a notice of its facts instead."""
    cast.site_a.escalation_contact = cast.staff2
    cast.site_a.save()
    concern = ConcernFactory(
        site=cast.site_a,
        author=cast.staff,
        about=[cast.child_a],
        categories=[restricted_category() if restricted else category("Neglect")],
        observations="Wobbly tooth story told twice, differently.",
    )
    alerts_raise(concern=concern, recipients=[cast.staff2], kind=NotificationKind.OVERDUE_SENIOR, urgent=True)
    alert = Notification.objects.get(recipient=cast.staff2, concern=concern)
    assert not policy.can_read(cast.staff2, concern)
    page = as_user(cast.staff2).get(reverse("alerts:open", args=[alert.pk]))
    assert page.status_code == 200 and concern.reference in page.text
    for secret in ("Fernsby", "Addy", "Wobbly tooth"):
        assert secret not in page.text
    assert not Notification.objects.filter(pk=alert.pk, read_at__isnull=True).exists()


def test_a_level_two_alert_to_an_organisation_wide_dsl_with_no_membership_opens_its_notice(cast, as_user):
    lead = UserFactory(full_name="Orla Trustlead")
    Organisation.current().safeguarding_leads.add(lead)
    concern = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a])
    alerts_raise(concern=concern, recipients=[lead], kind=NotificationKind.OVERDUE_SENIOR, urgent=True)
    alert = Notification.objects.get(recipient=lead)
    page = as_user(lead).get(reverse("alerts:open", args=[alert.pk]))
    assert page.status_code == 200 and concern.reference in page.text and "Fernsby" not in page.text
