"""Importing staff from the MIS: matched by email whatever its case, memberships added or their role
changed, new people with no usable password, nobody removed, administrators and auditors never imported."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership, User
from audit.models import AuditEntry
from concerns.models import ImportJob
from concerns.tasks import import_run
from tests.conftest import client_for

HEADER = ["Email", "Full name", "Role", "End date"]


def staff_csv(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def preview(client, site, content: bytes):
    file = SimpleUploadedFile("staff.csv", content, content_type="text/csv")
    return client.post(reverse("records_console:staff_import", args=[site.pk]), {"file": file})


def latest_job() -> ImportJob:
    return ImportJob.objects.order_by("-id").first()


def confirm_and_run(client, job: ImportJob) -> ImportJob:
    assert client.post(reverse("records_console:import_confirm", args=[job.pk])).status_code == 302
    import_run(job.pk)
    job.refresh_from_db()
    return job


def memberships():
    return sorted(Membership.objects.values_list("user__email", "site_id", "role", "ends_on"))


@pytest.fixture
def admin(cast):
    return client_for(cast.admin)


def test_the_preview_counts_what_would_happen_and_changes_nothing(cast, admin):
    before = (memberships(), User.objects.count())
    content = staff_csv(
        [
            ["new.teacher@test.example", "Nia Newcombe", "Staff", ""],
            [cast.staff2.email, cast.staff2.full_name, "Deputy DSL", ""],  # a role change
            [cast.staff.email, cast.staff.full_name, "staff", ""],  # as they are
        ]
    )
    response = preview(admin, cast.site_a, content)
    assert response.status_code == 302
    job = latest_job()
    assert job.preview == {"created": 1, "updated": 1, "unchanged": 1, "accounts_created": 1, "errors": 0}
    assert (memberships(), User.objects.count()) == before
    page = admin.get(response["Location"]).content.decode()
    assert "Staff who are not in the file are <strong>not</strong> removed." in page
    assert "1 new account" in page


@pytest.mark.parametrize(
    ("written", "role"),
    [
        ("Staff", Role.STAFF),
        ("member of staff", Role.STAFF),
        ("Teacher", Role.STAFF),
        ("Deputy DSL", Role.DEPUTY_DSL),
        ("deputy", Role.DEPUTY_DSL),
        ("DDSL", Role.DEPUTY_DSL),
        ("Deputy Designated Safeguarding Lead", Role.DEPUTY_DSL),
        ("DSL", Role.DSL),
        ("designated safeguarding lead", Role.DSL),
        ("deputy_dsl", Role.DEPUTY_DSL),
    ],
)
def test_common_spellings_of_each_role_are_understood(cast, admin, written, role):
    preview(admin, cast.site_a, staff_csv([["nia@test.example", "Nia Newcombe", written, ""]]))
    assert latest_job().rows[0]["role"] == role


@pytest.mark.parametrize(
    "header",
    [
        ["Email", "Full name", "Role"],
        ["email address", "Name", "Safeguarding role", "Leaving date"],
        ["E-mail", "Staff Name", "ROLE", "End Date"],
    ],
)
def test_common_header_spellings_are_understood(cast, admin, header):
    row = ["nia@test.example", "Nia Newcombe", "Staff", ""][: len(header)]
    preview(admin, cast.site_a, staff_csv([row], header=header))
    assert latest_job().errors == [] and len(latest_job().rows) == 1


def errors_by_row(job):
    return {error["row"]: " ".join(error["messages"]) for error in job.errors}


def test_every_bad_row_is_listed_with_its_row_number_and_a_clear_message(cast, admin):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    rows = [
        ["", "No Email", "Staff", ""],
        ["not-an-email", "Bad Email", "Staff", ""],
        ["someone@test.example", "", "Staff", ""],
        ["a.admin@test.example", "Would Be Admin", "Administrator", ""],
        ["an.auditor@test.example", "Would Be Auditor", "Auditor", ""],
        ["cook@test.example", "Cook", "Head chef", ""],
        ["norole@test.example", "No Role", "", ""],
        ["dates@test.example", "Bad Date", "Staff", "31/13/2027"],
        ["past@test.example", "Past Date", "Staff", yesterday.strftime("%d/%m/%Y")],
        ["Twice@Test.Example", "Twice One", "Staff", ""],
        ["twice@test.example", "Twice Two", "DSL", ""],
        ["fine@test.example", "Fine Person", "Staff", ""],
    ]
    preview(admin, cast.site_a, staff_csv(rows))
    job = latest_job()
    found = errors_by_row(job)
    assert found[2] == "The email address is missing."
    assert found[3] == "“not-an-email” is not an email address."
    assert found[4] == "The full name is missing."
    assert found[5] == found[6] == "Administrators and auditors are not imported: add them in the users console."
    assert found[7] == "“Head chef” is not a role Vigil knows: use staff, deputy DSL or DSL."
    assert found[8] == "The role is missing: use staff, deputy DSL or DSL."
    assert found[9] == "“31/13/2027” is not a date: use dd/mm/yyyy or yyyy-mm-dd."
    assert "The end date is in the past" in found[10]
    assert found[11] == found[12] == "twice@test.example is on more than one row (11, 12): none of them is imported."
    assert [row["email"] for row in job.rows] == ["fine@test.example"]


def test_a_file_without_the_needed_columns_is_refused_next_to_the_field(cast, admin):
    response = preview(admin, cast.site_a, b"Email,Name\nnia@test.example,Nia\n")
    assert response.status_code == 400
    assert "The file has no column for: role" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_importing_adds_new_people_with_no_usable_password_and_changes_roles_without_duplicates(cast, admin):
    ends = timezone.localdate() + datetime.timedelta(days=200)
    content = staff_csv(
        [
            ["Nia.Newcombe@Test.Example", "Nia Newcombe", "Staff", ends.strftime("%d/%m/%Y")],
            [cast.staff2.email.upper(), "Robin Second-Name", "Deputy DSL", ""],
            [cast.staff.email, cast.staff.full_name, "Staff", ""],
        ]
    )
    preview(admin, cast.site_a, content)
    job = confirm_and_run(admin, latest_job())
    assert (job.status, job.created, job.updated, job.unchanged) == (ImportJob.Status.DONE, 1, 1, 1)

    nia = User.objects.get(email="nia.newcombe@test.example")
    assert not nia.has_usable_password()
    assert nia.full_name == "Nia Newcombe"
    assert list(nia.memberships.values_list("site_id", "role", "ends_on")) == [(cast.site_a.pk, Role.STAFF, ends)]

    assert User.objects.filter(email__iexact=cast.staff2.email).count() == 1
    cast.staff2.refresh_from_db()
    assert cast.staff2.full_name == "Robin Second-Name"
    assert list(cast.staff2.memberships.values_list("site_id", "role")) == [(cast.site_a.pk, Role.DEPUTY_DSL)]


def test_re_importing_the_same_file_changes_nothing_and_duplicates_nobody(cast, admin):
    content = staff_csv([["nia@test.example", "Nia Newcombe", "Staff", ""], [cast.dsl.email, "Lee Lead", "DSL", ""]])
    confirm_and_run(admin, (preview(admin, cast.site_a, content), latest_job())[1])
    before = (memberships(), User.objects.count())
    job = confirm_and_run(admin, (preview(admin, cast.site_a, content), latest_job())[1])
    assert (job.created, job.updated, job.unchanged) == (0, 0, 2)
    assert (memberships(), User.objects.count()) == before


def test_someone_from_another_site_gets_a_membership_here_and_keeps_theirs_there(cast, admin):
    content = staff_csv([[cast.staff_b.email, cast.staff_b.full_name, "Staff", ""]])
    job = confirm_and_run(admin, (preview(admin, cast.site_a, content), latest_job())[1])
    assert job.created == 1
    assert sorted(cast.staff_b.memberships.values_list("site_id", "role")) == sorted(
        [(cast.site_a.pk, Role.STAFF), (cast.site_b.pk, Role.STAFF)]
    )


def test_staff_missing_from_the_file_are_not_removed(cast, admin):
    before = memberships()
    job = confirm_and_run(
        admin, (preview(admin, cast.site_a, staff_csv([["nia@test.example", "Nia N", "Staff", ""]])), latest_job())[1]
    )
    after = memberships()
    assert set(before) <= set(after)
    assert len(after) == len(before) + 1
    page = admin.get(reverse("records_console:import_detail", args=[job.pk])).content.decode()
    assert "Staff who were not in the file were not removed." in page


def test_the_admin_and_auditor_memberships_are_never_touched_by_an_import(cast, admin):
    content = staff_csv(
        [[cast.admin.email, cast.admin.full_name, "Staff", ""], [cast.auditor.email, "Ash Auditor", "DSL", ""]]
    )
    confirm_and_run(admin, (preview(admin, cast.site_a, content), latest_job())[1])
    assert sorted(cast.admin.memberships.values_list("role", flat=True)) == [Role.ADMIN, Role.STAFF]
    assert sorted(cast.auditor.memberships.values_list("role", flat=True)) == [Role.AUDITOR, Role.DSL]


def test_the_import_and_each_role_change_are_on_the_ledger(cast, admin):
    content = staff_csv(
        [["nia@test.example", "Nia Newcombe", "Staff", ""], [cast.staff2.email, cast.staff2.full_name, "DSL", ""]]
    )
    job = confirm_and_run(admin, (preview(admin, cast.site_a, content), latest_job())[1])
    entry = AuditEntry.objects.get(event="import.staff")
    assert (entry.site_id, entry.actor, entry.object_pk) == (cast.site_a.pk, cast.admin, str(job.pk))
    assert entry.additional_data["counts"] == {"created": 1, "errors": 0, "left": 0, "unchanged": 0, "updated": 1}
    change = AuditEntry.objects.get(event="membership.role_changed")
    assert change.additional_data["fields"] == ["role"]
    assert change.site_id == cast.site_a.pk
    assert AuditEntry.objects.filter(event="account.created", actor=cast.admin).count() == 1
    assert AuditEntry.objects.filter(event="membership.created", site_id=cast.site_a.pk).count() == 1


def test_a_file_does_not_bring_back_someone_whose_membership_here_has_ended(cast, admin):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    content = staff_csv(
        [[cast.ended.email, cast.ended.full_name, "Staff", ""], ["nia@test.example", "Nia N", "Staff", ""]]
    )
    preview(admin, cast.site_a, content)
    job = latest_job()
    assert errors_by_row(job) == {
        2: f"{cast.ended.email}'s membership at this site ended on {yesterday:%d/%m/%Y}: "
        "restore it in the users console if they have come back."
    }
    assert job.preview["created"] == 1 and job.preview["errors"] == 1
    confirm_and_run(admin, job)
    assert list(cast.ended.memberships.values_list("ends_on", flat=True)) == [yesterday]
    assert client_for(cast.ended).get(reverse("concerns:new")).status_code == 403  # still records nothing


def test_a_membership_ended_between_preview_and_import_is_not_brought_back(cast, admin):
    preview(admin, cast.site_a, staff_csv([[cast.staff2.email, cast.staff2.full_name, "DSL", ""]]))
    job = latest_job()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    cast.staff2.memberships.update(starts_on=yesterday - datetime.timedelta(days=5), ends_on=yesterday)
    job = confirm_and_run(admin, job)
    assert (job.created, job.updated, len(job.errors)) == (0, 0, 1)
    assert "ended on" in job.errors[0]["messages"][0]
    assert list(cast.staff2.memberships.values_list("role", "ends_on")) == [(Role.STAFF, yesterday)]
