"""The staff journey: find the child, record the concern the same day, submit it to the DSL."""

import datetime
import hashlib
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from concerns.models import Attachment, Concern, Notification
from concerns.services.alerts import notifications_send_email
from tests.concerns.helpers import PNG_BYTES, record_url, valid_post
from tests.factories import category


@pytest.fixture
def staff_client(cast, as_user):
    return as_user(cast.staff)


def test_staff_find_the_child_record_and_get_a_receipt(cast, staff_client):
    found = staff_client.get(reverse("concerns:child_search"), {"q": "Fernsby"})
    assert found.status_code == 200
    assert "Addy Fernsby" in found.text
    assert "Cleo Fernsby" not in found.text  # on another school's roll

    start = staff_client.get(reverse("concerns:new"), {"child": cast.child_a.pk})
    form = staff_client.get(start["Location"])
    assert "Addy Fernsby" in form.text

    post = valid_post(
        cast.child_a,
        children=[str(cast.child_a.pk), str(cast.child_a2.pk)],
        **{f"role_{cast.child_a2.pk}": "witness"},
        categories=[str(category("Neglect").pk), str(category("Emotional abuse").pk)],
        body_map='[{"side": "front", "x": 41.5, "y": 30, "note": "Bruise, thumb-sized"},'
        ' {"side": "back", "x": 60, "y": 70, "note": ""}]',
        immediate_danger="on",
        called_999="no",
        named_recipients=[str(cast.dsl.pk)],
    )
    post["files"] = [SimpleUploadedFile("note.png", PNG_BYTES, content_type="image/png")]
    response = staff_client.post(start["Location"].split("?")[0], post)

    concern = Concern.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("concerns:receipt", args=[concern.pk])
    receipt = staff_client.get(response["Location"])
    assert concern.reference in receipt.text
    assert timezone.localtime(concern.recorded_at).strftime("%H:%M:%S") in receipt.text
    assert {(link.child, link.role) for link in concern.child_links.all()} == {
        (cast.child_a, "subject"),
        (cast.child_a2, "witness"),
    }
    assert set(concern.categories.values_list("name", flat=True)) == {"Neglect", "Emotional abuse"}
    assert concern.site == cast.site_a and concern.author == cast.staff
    assert concern.is_disclosure and concern.child_words.startswith("My dad said")
    assert concern.immediate_danger and concern.called_999 is False
    assert list(concern.named_recipients.all()) == [cast.dsl]
    assert [(mark.side, str(mark.x), mark.note) for mark in concern.body_marks.all()] == [
        ("front", "41.50", "Bruise, thumb-sized"),
        ("back", "60.00", ""),
    ]
    attachment = concern.attachments.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "note.png",
        "image/png",
        len(PNG_BYTES),
    )


def test_submission_alerts_the_site_dsl_team_by_email_without_child_details(cast, staff_client):
    staff_client.post(record_url(), valid_post(cast.child_a))
    concern = Concern.objects.get()
    assert set(Notification.objects.values_list("recipient__email", flat=True)) == {cast.dsl.email, cast.deputy.email}

    assert notifications_send_email() == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted([cast.dsl.email, cast.deputy.email])
    alert_links = {reverse("alerts:open", args=[alert.pk]) for alert in Notification.objects.filter(concern=concern)}
    for message in mail.outbox:
        assert any(link in message.body for link in alert_links), message.body
        assert "needs review by" in message.body
        for secret in ("Fernsby", "Addy", "Ada", "tea", "toast", "Breakfast"):
            assert secret not in message.body and secret not in message.subject
    assert notifications_send_email() == 0  # each email goes once
    assert len(mail.outbox) == 2


def test_submission_is_on_the_audit_ledger_without_the_words(cast, staff_client):
    staff_client.post(record_url(), valid_post(cast.child_a))
    concern = Concern.objects.get()
    entry = AuditEntry.objects.get(event="concern.submitted")
    assert entry.actor == cast.staff and entry.object_id == concern.pk and entry.site_id == cast.site_a.pk
    assert entry.additional_data["object_ids"] == [cast.child_a.pk]
    assert "child_words" in entry.additional_data["fields"]
    ledger_text = " ".join(
        str(row)
        for row in AuditEntry.objects.values_list(
            "object_repr", "changes", "changes_text", "additional_data", "serialized_data"
        )
    )
    for secret in ("tea", "toast", "Breakfast club", "Fernsby", "Ada"):
        assert secret not in ledger_text


def test_a_double_click_or_a_resubmitted_form_makes_one_concern(cast, staff_client):
    url = record_url()
    first = staff_client.post(url, valid_post(cast.child_a))
    second = staff_client.post(url, valid_post(cast.child_a, observations="Sent again after a timeout."))
    assert Concern.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert Concern.objects.get().observations.startswith("Came in at 08:40")
    assert Notification.objects.count() == 2


def test_another_user_cannot_claim_a_submitted_key(cast, staff_client, as_user):
    url = record_url()
    staff_client.post(url, valid_post(cast.child_a))
    response = as_user(cast.staff2).post(url, valid_post(cast.child_a2))
    assert response.status_code == 404
    assert Concern.objects.get().author == cast.staff


def test_a_late_concern_asks_for_the_reason_and_keeps_it(cast, staff_client):
    two_days_ago = (timezone.localtime() - datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = staff_client.post(record_url(), valid_post(cast.child_a, occurred_at=two_days_ago))
    assert response.status_code == 200
    assert "Say why this is being recorded on a later day" in response.text
    assert not Concern.objects.exists()

    staff_client.post(
        record_url(),
        valid_post(cast.child_a, occurred_at=two_days_ago, delay_reason="On a school trip with no signal."),
    )
    concern = Concern.objects.get()
    assert concern.delay_reason == "On a school trip with no signal."
    assert concern.recording_delay > datetime.timedelta(days=1)


def test_the_author_reads_their_concern_and_adds_an_addendum_while_the_original_stays(cast, staff_client):
    staff_client.post(record_url(), valid_post(cast.child_a))
    concern = Concern.objects.get()
    page = staff_client.get(reverse("concerns:detail", args=[concern.pk]))
    assert "My dad said" in page.text and "Came in at 08:40" in page.text

    staff_client.post(reverse("concerns:addendum", args=[concern.pk]), {"text": "Correction: it was 08:50."})
    page = staff_client.get(reverse("concerns:detail", args=[concern.pk]))
    assert "Correction: it was 08:50." in page.text
    assert "Came in at 08:40" in page.text
    assert concern.addenda.get().author == cast.staff

    empty = staff_client.post(reverse("concerns:addendum", args=[concern.pk]), {"text": "   "})
    assert empty.status_code == 400 and "Write the addendum before adding it." in empty.text
    assert concern.addenda.count() == 1


def test_only_the_author_adds_addenda(cast, staff_client, as_user):
    staff_client.post(record_url(), valid_post(cast.child_a))
    concern = Concern.objects.get()
    url = reverse("concerns:addendum", args=[concern.pk])
    assert as_user(cast.dsl).post(url, {"text": "Not mine to add."}).status_code == 403
    assert as_user(cast.staff2).post(url, {"text": "Not mine to add."}).status_code == 404
    assert not concern.addenda.exists()


class TestSubmittedTextIsNeverOverwritten:
    @pytest.fixture
    def concern(self, cast, staff_client):
        staff_client.post(record_url(), valid_post(cast.child_a))
        staff_client.post(reverse("concerns:addendum", args=[Concern.objects.get().pk]), {"text": "Later."})
        return Concern.objects.get()

    @pytest.mark.parametrize(
        "field, value",
        [
            ("observations", "Rewritten."),
            ("child_words", ""),
            ("occurred_at", None),
            ("location", "Elsewhere"),
        ],
    )
    def test_the_database_refuses_to_change_the_text(self, concern, field, value):
        value = value if value is not None else concern.occurred_at - datetime.timedelta(hours=2)
        with pytest.raises(DatabaseError), transaction.atomic():
            Concern.objects.filter(pk=concern.pk).update(**{field: value})
        concern.refresh_from_db()
        assert concern.observations.startswith("Came in at 08:40")

    def test_raw_sql_cannot_change_it_either(self, concern):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE concerns_concern SET observations = 'x' WHERE id = %s", [concern.pk])
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE concerns_addendum SET text = 'x' WHERE concern_id = %s", [concern.pk])

    def test_triage_fields_may_still_change(self, concern):
        Concern.objects.filter(pk=concern.pk).update(status="in_review")
        concern.refresh_from_db()
        assert concern.status == "in_review"


def test_my_concerns_lists_only_what_i_wrote(cast, staff_client, as_user):
    staff_client.post(record_url(), valid_post(cast.child_a))
    as_user(cast.staff2).post(record_url(), valid_post(cast.child_a2, observations="Written by someone else."))
    mine = staff_client.get(reverse("concerns:mine"))
    mine_concern = Concern.objects.get(author=cast.staff)
    other = Concern.objects.get(author=cast.staff2)
    assert mine_concern.reference in mine.text and "Submitted" in mine.text
    assert other.reference not in mine.text


def test_attachments_are_stored_under_random_names_and_served_only_through_the_policy(cast, staff_client, as_user):
    post = valid_post(cast.child_a)
    post["files"] = [SimpleUploadedFile("bruise photo.png", PNG_BYTES, content_type="image/png")]
    staff_client.post(record_url(), post)
    attachment = Attachment.objects.get()
    assert "bruise" not in attachment.file.name and not attachment.file.name.endswith(".png")
    assert attachment.sha256 == hashlib.sha256(PNG_BYTES).hexdigest()
    with attachment.file.open("rb") as stored:
        assert stored.read() == PNG_BYTES
    url = reverse("concerns:attachment", args=[attachment.uid])

    download = staff_client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG_BYTES
    assert "attachment" in download["Content-Disposition"] and download["Cache-Control"] == "no-store"
    assert AuditEntry.objects.filter(event="attachment.downloaded", object_id=attachment.pk).count() == 1

    for outsider in (cast.staff2, cast.dsl_b, cast.admin, None):
        response = as_user(outsider).get(url)
        assert response.status_code in (404, 302), outsider
        assert response.status_code == 302 or b"\x89PNG" not in response.content


def _unread_alerts(client) -> str:
    """The unread rows of the person's alerts page (the DSL team's home page is their queue)."""
    page = client.get(reverse("alerts:list")).text
    return "".join(re.findall(r'<tr class="alert-unread">.*?</tr>', page, flags=re.S))


def test_the_dsl_teams_alert_is_unread_until_they_open_the_concern(cast, staff_client, as_user):
    staff_client.post(record_url(), valid_post(cast.child_a))
    concern = Concern.objects.get()
    dsl = as_user(cast.dsl)
    assert concern.reference in _unread_alerts(dsl)
    assert concern.reference not in as_user(cast.dsl_b).get(reverse("alerts:list")).text
    dsl.get(reverse("concerns:detail", args=[concern.pk]))
    assert concern.reference not in _unread_alerts(dsl)
    assert concern.reference in _unread_alerts(as_user(cast.deputy))
    home = dsl.get(reverse("concerns:home")).text
    assert "Needs your attention" not in home and f'href="{reverse("alerts:list")}" id="home-alerts"' in home
    concern.refresh_from_db()
    assert concern.status == "submitted"  # opening is not reviewing
