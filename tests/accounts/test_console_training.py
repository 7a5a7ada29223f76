"""Training records in the console, and the page of who is overdue or untrained."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role, TrainingKind
from accounts.models import TrainingRecord, User
from audit.models import AuditEntry
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory

DAY = datetime.timedelta(days=1)


@pytest.fixture
def person(cast) -> User:
    user = UserFactory(email="kit@test.example", full_name="Kit Teacher")
    MembershipFactory(user=user, site=cast.site_a, role=Role.STAFF)
    return user


def record(user, admin, kind=TrainingKind.INDUCTION, completed_on=None, due_on=None) -> TrainingRecord:
    completed_on = completed_on or timezone.localdate() - DAY * 30
    return TrainingRecord.objects.create(
        user=user, kind=kind, completed_on=completed_on, due_on=due_on, recorded_by=admin
    )


def test_recording_induction_defaults_the_refresher_to_a_year_later(cast, person):
    client = client_for(cast.admin)
    response = client.post(
        reverse("console:user_training", args=[person.pk]),
        {"kind": TrainingKind.INDUCTION, "completed_on": "2026-09-02", "due_on": "", "notes": "Staff INSET day"},
    )
    assert response.status_code == 302
    saved = TrainingRecord.objects.get(user=person)
    assert (saved.kind, saved.completed_on, saved.due_on) == (
        TrainingKind.INDUCTION,
        datetime.date(2026, 9, 2),
        datetime.date(2027, 9, 2),
    )
    assert saved.recorded_by == cast.admin
    [entry] = AuditEntry.objects.filter(event="training.recorded")
    assert entry.actor == cast.admin and "INSET" not in str(entry.additional_data)
    page = client.get(reverse("console:user_training", args=[person.pk])).text
    assert "2 Sep 2026" in page and "2 Sep 2027" in page and "Staff INSET day" in page


def test_the_due_date_can_be_set(cast, person):
    client_for(cast.admin).post(
        reverse("console:user_training", args=[person.pk]),
        {"kind": TrainingKind.REFRESHER, "completed_on": "2025-01-10", "due_on": "2025-07-10"},
    )
    assert TrainingRecord.objects.get(user=person).due_on == datetime.date(2025, 7, 10)


def test_a_leap_day_course_is_due_on_the_28th_next_year(cast, person):
    client_for(cast.admin).post(
        reverse("console:user_training", args=[person.pk]),
        {"kind": TrainingKind.INDUCTION, "completed_on": "2024-02-29"},
    )
    assert TrainingRecord.objects.get(user=person).due_on == datetime.date(2025, 2, 28)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"completed_on": ""}, "completed_on", "Enter the date the training was completed."),
        ({"completed_on": "2026-13-01"}, "completed_on", "Enter a real date."),
        ({"completed_on": "2999-01-01"}, "completed_on", "The training date is in the future"),
        ({"due_on": "2024-01-01"}, "due_on", "must be due after the training was completed"),
        ({"kind": "webinar"}, "kind", "Select a valid choice"),
    ],
)
def test_bad_training_input_is_explained_and_saves_nothing(cast, person, data, field, message):
    post = {"kind": TrainingKind.INDUCTION, "completed_on": "2025-03-03", "due_on": "", **data}
    response = client_for(cast.admin).post(reverse("console:user_training", args=[person.pk]), post)
    assert response.status_code == 200
    assert message in response.text.split(f'id="id_{field}_error"')[1].split("</div>")[0]
    assert not TrainingRecord.objects.exists()


def test_overdue_page_lists_untrained_and_overdue_recorders_of_the_admins_sites(cast, person):
    today = timezone.localdate()
    record(cast.staff, cast.admin, completed_on=today - DAY * 400, due_on=today - DAY * 35)  # overdue
    record(cast.staff2, cast.admin, completed_on=today - DAY * 10, due_on=today + DAY * 355)  # fine
    record(cast.deputy, cast.admin, completed_on=today - DAY * 400, due_on=today - DAY * 35)
    record(
        cast.deputy, cast.admin, kind=TrainingKind.REFRESHER, completed_on=today - DAY * 20, due_on=today + DAY * 345
    )
    record(cast.dsl, cast.admin, kind=TrainingKind.REFRESHER, completed_on=today - DAY * 20, due_on=today + DAY)
    person.is_active = False
    person.save()
    page = client_for(cast.admin).get(reverse("console:training_overdue")).text
    untrained = page.split('id="untrained"')[1].split("</table>")[0]
    overdue = page.split('id="overdue"')[1].split("</table>")[0]
    page = untrained + overdue
    assert "Sam Staffer" in overdue and "Sam Staffer" not in untrained
    assert "Lee Lead" in untrained  # a refresher is recorded, but never an induction
    assert "Robin Second" not in page and "Dev Deputy" not in page  # trained, refresher not yet due
    assert "Kit Teacher" not in page  # deactivated
    assert "Ari Admin" not in page and "Ash Auditor" not in page  # they do not record
    assert "Ex Staffer" not in page  # membership ended
    assert "Bea Birchstaff" not in page and "Bo Birchlead" not in page  # site B


def test_the_overdue_page_runs_a_constant_number_of_queries(cast, django_assert_max_num_queries):
    client = client_for(cast.admin)
    client.get(reverse("console:training_overdue"))
    for _ in range(10):
        MembershipFactory(user=UserFactory(), site=cast.site_a, role=Role.STAFF)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("console:training_overdue")).text
    assert len(re.findall(r"Record training<span", page)) >= 14
