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
    # A role change ends the old membership and starts a new one, as the users console does.
    active = Membership.objects.active().filter(user=cast.staff2)
    assert list(active.values_list("site_id", "role")) == [(cast.site_a.pk, Role.DEPUTY_DSL)]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert list(cast.staff2.memberships.filter(role=Role.STAFF).values_list("ends_on", flat=True)) == [yesterday]


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
    # The administrator's own row is refused (separation of duties); the auditor gains a DSL role
    # beside the auditor one, which the file cannot touch.
    assert sorted(cast.admin.memberships.values_list("role", flat=True)) == [Role.ADMIN]
    assert sorted(cast.auditor.memberships.values_list("role", flat=True)) == [Role.AUDITOR, Role.DSL]


def test_the_import_and_each_role_change_are_on_the_ledger(cast, admin):
    content = staff_csv(
        [["nia@test.example", "Nia Newcombe", "Staff", ""], [cast.staff2.email, cast.staff2.full_name, "DSL", ""]]
    )
    job = confirm_and_run(admin, (preview(admin, cast.site_a, content), latest_job())[1])
    entry = AuditEntry.objects.get(event="import.staff")
    assert (entry.site_id, entry.actor, entry.object_pk) == (cast.site_a.pk, cast.admin, str(job.pk))
    assert entry.additional_data["counts"] == {"created": 1, "errors": 0, "left": 0, "unchanged": 0, "updated": 1}
    # The users console's events: a role change is the old membership ended and a new one added.
    old = Membership.objects.get(user=cast.staff2, role=Role.STAFF)
    new = Membership.objects.get(user=cast.staff2, role=Role.DSL)
    ended = AuditEntry.objects.get(event="membership.ended")
    assert (ended.object_pk, ended.additional_data["fields"], ended.site_id) == (
        str(old.pk),
        ["ends_on"],
        cast.site_a.pk,
    )
    added = AuditEntry.objects.filter(event="membership.added", site_id=cast.site_a.pk)
    assert sorted(added.values_list("object_pk", flat=True)) == sorted(
        [str(new.pk), str(Membership.objects.get(user__email="nia@test.example").pk)]
    )
    assert AuditEntry.objects.filter(event="account.created", actor=cast.admin).count() == 1


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


# Separation of duties and the whole-account rule: the import follows the users console's rules.


def test_an_administrators_own_row_is_refused_and_gives_them_no_role(cast, admin):
    content = staff_csv(
        [[cast.admin.email, cast.admin.full_name, "DSL", ""], ["nia@test.example", "Nia Newcombe", "Staff", ""]]
    )
    preview(admin, cast.site_a, content)
    job = latest_job()
    assert errors_by_row(job) == {
        2: f"{cast.admin.email}: Another administrator must change your own account and roles. "
        "Nothing in this row was imported."
    }
    assert job.preview["created"] == 1 and job.preview["errors"] == 1
    job = confirm_and_run(admin, job)
    assert (job.created, len(job.errors)) == (1, 1)
    assert list(cast.admin.memberships.values_list("role", flat=True)) == [Role.ADMIN]
    assert not AuditEntry.objects.filter(event__startswith="membership.", object_pk__in=_memberships_of(cast.admin))


def _memberships_of(user) -> list[str]:
    return [str(pk) for pk in user.memberships.values_list("pk", flat=True)]


def test_an_admins_own_row_added_after_the_preview_is_refused_by_the_worker_too(cast, admin):
    preview(admin, cast.site_a, staff_csv([["nia@test.example", "Nia Newcombe", "Staff", ""]]))
    job = latest_job()
    # However a row reaches the worker, the worker applies the rules again.
    job.rows = [
        *job.rows,
        {"row": 3, "email": cast.admin.email, "full_name": "Ari Admin", "role": Role.DSL, "ends_on": None},
    ]
    job.total = 2
    job.save()
    job = confirm_and_run(admin, job)
    assert (job.created, [error["row"] for error in job.errors]) == (1, [3])
    assert list(cast.admin.memberships.values_list("role", flat=True)) == [Role.ADMIN]


def test_an_oakfield_admin_cannot_rename_someone_who_also_works_at_birchwood(cast, admin):
    # The Birchwood DSL is also on Oakfield's staff list, under a name Oakfield's MIS spells differently.
    content = staff_csv(
        [
            [cast.dsl_b.email, "Bo Renamed-By-Oakfield", "Staff", ""],
            [cast.staff_b.email, cast.staff_b.full_name, "Staff", ""],
        ]
    )
    preview(admin, cast.site_a, content)
    job = latest_job()
    assert errors_by_row(job) == {
        2: f"{cast.dsl_b.email}: This person also works at a site you do not administer. "
        "Nothing in this row was imported."
    }
    job = confirm_and_run(admin, job)
    cast.dsl_b.refresh_from_db()
    assert cast.dsl_b.full_name == "Bo Birchlead"
    assert not cast.dsl_b.memberships.filter(site=cast.site_a).exists(), "a refused row changes nothing at all"
    # Someone from the other site whose name is unchanged still gets their membership here.
    assert cast.staff_b.memberships.filter(site=cast.site_a, role=Role.STAFF).exists()
    assert not AuditEntry.objects.filter(event="account.updated").exists()


def test_a_rename_refused_since_the_preview_is_reported_by_the_worker_and_changes_nothing(cast, admin):
    preview(admin, cast.site_a, staff_csv([[cast.staff2.email, "Robin Renamed", "Staff", ""]]))
    job = latest_job()
    assert job.errors == []
    Membership.objects.create(user=cast.staff2, site=cast.site_b, role=Role.STAFF)  # joins Birchwood meanwhile
    job = confirm_and_run(admin, job)
    assert (job.updated, len(job.errors)) == (0, 1)
    assert "also works at a site you do not administer" in job.errors[0]["messages"][0]
    cast.staff2.refresh_from_db()
    assert cast.staff2.full_name == "Robin Second"


def _events_since(first_id: int) -> list[tuple[str, list[str]]]:
    entries = AuditEntry.objects.filter(id__gt=first_id, event__startswith="membership.").order_by("id")
    return [(entry.event, (entry.additional_data or {}).get("fields", [])) for entry in entries]


def test_a_role_change_leaves_the_same_ledger_events_from_the_console_and_from_an_import(cast, admin):
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    membership = cast.staff.memberships.get()
    admin.post(reverse("console:membership_role", args=[membership.pk]), {"role": Role.DEPUTY_DSL})
    from_console = _events_since(start)

    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    confirm_and_run(
        admin,
        (
            preview(admin, cast.site_a, staff_csv([[cast.staff2.email, cast.staff2.full_name, "Deputy DSL", ""]])),
            latest_job(),
        )[1],
    )
    from_import = _events_since(start)
    assert (
        from_console
        == from_import
        == [
            ("membership.ended", ["ends_on"]),
            ("membership.added", ["ends_on", "role", "starts_on"]),
        ]
    )


def test_a_new_end_date_for_the_same_role_changes_that_membership_in_place(cast, admin):
    ends = timezone.localdate() + datetime.timedelta(days=90)
    membership = cast.staff2.memberships.get()
    content = staff_csv([[cast.staff2.email, cast.staff2.full_name, "Staff", ends.strftime("%d/%m/%Y")]])
    job = confirm_and_run(admin, (preview(admin, cast.site_a, content), latest_job())[1])
    assert job.updated == 1
    assert list(cast.staff2.memberships.values_list("pk", "role", "ends_on")) == [(membership.pk, Role.STAFF, ends)]
    entry = AuditEntry.objects.get(event="membership.updated")
    assert (entry.object_pk, entry.additional_data["fields"]) == (str(membership.pk), ["ends_on"])
