"""Importing the roll from the MIS: the preview writes nothing and shows every bad row; the import
updates by UPN, never duplicates, marks leavers left (never deleted) and puts returners back."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services.auth import MFA_VERIFIED_AT
from audit.models import AuditEntry
from concerns.models import Child, ImportJob
from concerns.tasks import import_run
from tests.conftest import client_for
from tests.factories import ChildFactory

HEADER = ["UPN", "Legal Forename", "Legal Surname", "Preferred Forename", "DOB", "Year"]


def upn(number: int, letter: str = "K") -> str:
    return f"{letter}{number:012d}"


def child_row(number: int, **overrides) -> list[str]:
    row = {
        "upn": upn(number),
        "first": f"Ivo{number}",
        "last": "Pennick",
        "preferred": "",
        "dob": "01/04/2016",
        "year": "Year 4",
    }
    row.update(overrides)
    return [row["upn"], row["first"], row["last"], row["preferred"], row["dob"], row["year"]]


def roll_of(child: Child, **overrides) -> list[str]:
    """The row an MIS would export for a child Vigil already has."""
    values = {
        "upn": child.upn,
        "first": child.first_name,
        "last": child.last_name,
        "preferred": child.preferred_name,
        "dob": child.date_of_birth.strftime("%d/%m/%Y"),
        "year": child.year_group,
    }
    values.update(overrides)
    return [values["upn"], values["first"], values["last"], values["preferred"], values["dob"], values["year"]]


def children_csv(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def upload(content: bytes, name: str = "roll.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def preview(client, site, content: bytes, *, is_full: bool = True):
    data = {"file": upload(content)}
    if is_full:
        data["is_full"] = "on"
    return client.post(reverse("records_console:children_import", args=[site.pk]), data)


def latest_job() -> ImportJob:
    return ImportJob.objects.order_by("-id").first()


def confirm_and_run(client, job: ImportJob) -> ImportJob:
    """Confirm as the admin would, then do what the worker does."""
    response = client.post(reverse("records_console:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    import_run(job.pk)
    job.refresh_from_db()
    return job


def snapshot():
    return sorted(Child.objects.values_list("upn", "first_name", "last_name", "year_group", "left_on", "site_id"))


@pytest.fixture
def admin(cast):
    return client_for(cast.admin)


def test_the_preview_counts_what_would_happen_and_changes_nothing(cast, admin):
    before = snapshot()
    content = children_csv(
        [
            child_row(1),
            child_row(2),
            roll_of(cast.child_a, year="Year 7"),  # moved up a year: updated
        ]
    )
    response = preview(admin, cast.site_a, content)

    assert response.status_code == 302
    job = latest_job()
    assert response["Location"] == reverse("records_console:import_detail", args=[job.pk])
    assert snapshot() == before, "a preview must not touch the roll"
    assert job.status == ImportJob.Status.PREVIEW
    assert job.preview == {"created": 2, "updated": 1, "unchanged": 0, "left": 1, "errors": 0, "on_roll": 2}

    page = admin.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nothing has changed yet" in text
    assert 'data-count="created">2<' in text
    assert 'data-count="updated">1<' in text
    assert 'data-count="left">1<' in text
    assert "Import 3 rows" in text


def test_an_unchanged_child_is_counted_as_unchanged(cast, admin):
    preview(admin, cast.site_a, children_csv([roll_of(cast.child_a), roll_of(cast.child_a2)]))
    assert latest_job().preview["unchanged"] == 2
    assert latest_job().preview["left"] == 0


@pytest.mark.parametrize(
    "header",
    [
        ["UPN", "Legal Forename", "Legal Surname", "Preferred Forename", "DOB", "Year"],
        ["upn", "Forename", "Surname", "Preferred Forename", "Date of Birth", "Year Group"],
        ["Upn", "First name", "SURNAME", "preferred name", "date_of_birth", "NC Year"],
        ["UPN", "Legal First Name", "Legal Last Name", "Known as", "Date of birth", "NC year actual"],
    ],
)
def test_common_mis_header_spellings_are_understood(cast, admin, header):
    content = children_csv([child_row(1, preferred="Ives", year="Reception")], header=header)
    preview(admin, cast.site_a, content, is_full=False)
    job = latest_job()
    assert job.errors == []
    assert job.rows[0] | {"row": 2} == {
        "row": 2,
        "upn": upn(1),
        "first_name": "Ivo1",
        "last_name": "Pennick",
        "preferred_name": "Ives",
        "date_of_birth": "2016-04-01",
        "year_group": "Reception",
    }


def test_columns_may_come_in_any_order_and_optional_ones_may_be_missing(cast, admin):
    content = b"Surname,DOB,Forename,UPN\nPennick,2016-04-01,Ivo,K000000000001\n"
    preview(admin, cast.site_a, content, is_full=False)
    job = latest_job()
    assert job.errors == []
    assert job.rows[0]["last_name"] == "Pennick" and job.rows[0]["year_group"] == ""


@pytest.mark.parametrize("written", ["01/04/2016", "1/4/2016", "2016-04-01"])
def test_dates_are_read_uk_style_or_iso(cast, admin, written):
    preview(admin, cast.site_a, children_csv([child_row(1, dob=written)]), is_full=False)
    assert latest_job().rows[0]["date_of_birth"] == "2016-04-01"


def test_a_windows_export_with_a_byte_order_mark_or_accents_is_read(cast, admin):
    bom = "\ufeff".encode() + children_csv([child_row(1, first="Zoë")])
    preview(admin, cast.site_a, bom, is_full=False)
    assert latest_job().rows[0]["first_name"] == "Zoë"
    cp1252 = children_csv([child_row(2, first="Zoë")]).decode().encode("cp1252")
    preview(admin, cast.site_a, cp1252, is_full=False)
    assert latest_job().rows[0]["first_name"] == "Zoë"


def errors_by_row(job: ImportJob) -> dict[int, str]:
    return {error["row"]: " ".join(error["messages"]) for error in job.errors}


BAD_ROWS = [
    (child_row(1, upn=""), "The UPN is missing."),
    (child_row(2, upn="K12345"), "“K12345” is not a UPN: a UPN is 13 characters, a letter then 12 letters or digits."),
    (child_row(3, upn="1234567890123"), "is not a UPN"),
    (child_row(4, upn="K12345678901-"), "is not a UPN"),
    (child_row(5, upn="K12345678901234"), "is not a UPN"),
    (child_row(6, dob="31/02/2015"), "“31/02/2015” is not a date of birth: use dd/mm/yyyy or yyyy-mm-dd."),
    (child_row(7, dob="03/02/15"), "is not a date of birth"),
    (child_row(8, dob="2015/02/03"), "is not a date of birth"),
    (child_row(9, dob=""), "The date of birth is missing."),
    (child_row(10, first=""), "The legal first name is missing."),
    (child_row(11, last=""), "The legal surname is missing."),
    (child_row(12, year="Y" * 31), "The year group is longer than 30 characters."),
]


def test_every_bad_row_is_listed_with_its_row_number_and_a_clear_message(cast, admin):
    content = children_csv([row for row, _ in BAD_ROWS] + [child_row(99)])
    preview(admin, cast.site_a, content, is_full=False)
    job = latest_job()
    found = errors_by_row(job)
    for index, (_row, message) in enumerate(BAD_ROWS):
        assert message in found[index + 2], f"row {index + 2}: {found.get(index + 2)!r}"
    assert [row["upn"] for row in job.rows] == [upn(99)]
    assert job.preview["errors"] == len(BAD_ROWS)

    page = admin.get(reverse("records_console:import_detail", args=[job.pk])).content.decode()
    assert "Rows with errors" in page
    assert "<td>13</td>" in page  # the row number of the twelfth bad row, as the spreadsheet shows it
    assert "The legal surname is missing." in page


def test_a_date_of_birth_in_the_future_is_refused(cast, admin):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    preview(admin, cast.site_a, children_csv([child_row(1, dob=tomorrow.strftime("%d/%m/%Y"))]), is_full=False)
    assert errors_by_row(latest_job()) == {2: f"The date of birth {tomorrow:%d/%m/%Y} is in the future."}


def test_a_upn_twice_in_the_file_imports_neither_row(cast, admin):
    preview(admin, cast.site_a, children_csv([child_row(1), child_row(2), child_row(1, first="Other")]), is_full=False)
    job = latest_job()
    message = f"UPN {upn(1)} is on more than one row (2, 4): none of them is imported."
    assert errors_by_row(job) == {2: message, 4: message}
    assert [row["upn"] for row in job.rows] == [upn(2)]


def test_a_upn_of_a_child_at_another_site_is_refused_and_that_child_is_untouched(cast, admin):
    content = children_csv([roll_of(cast.child_b, first="Changed"), roll_of(cast.child_a)])
    preview(admin, cast.site_a, content)
    job = latest_job()
    assert errors_by_row(job) == {2: f"UPN {cast.child_b.upn} belongs to a child at another site of the organisation."}
    # The error tells the admin nothing about the other child: not their name, not their site.
    page = admin.get(reverse("records_console:import_detail", args=[job.pk])).content.decode()
    assert cast.site_b.name not in page and "Cleo" not in page

    confirm_and_run(admin, job)
    cast.child_b.refresh_from_db()
    assert (cast.child_b.site, cast.child_b.first_name, cast.child_b.left_on) == (cast.site_b, "Cleo", None)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"UPN,Legal Forename,Legal Surname,DOB\n", "The file has a header row but no data rows."),
        (b"UPN,Forename,DOB\nK000000000001,Ivo,01/04/2016\n", "The file has no column for: legal surname"),
        (b"Name,Class\nIvo Pennick,4B\n", "The file has no column for: UPN"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV file."),
        (b"UPN,Surname,Surname,Forename,DOB\n", "The file has two columns for legal surname"),
    ],
)
def test_a_file_that_is_not_a_roll_gets_a_message_next_to_the_field_and_changes_nothing(cast, admin, content, message):
    before = snapshot()
    response = preview(admin, cast.site_a, content)
    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="id_file_error"' in text
    assert message in text
    assert "There is a problem" in text
    assert ImportJob.objects.count() == 0
    assert snapshot() == before


def test_no_file_chosen_is_an_error_next_to_the_field(cast, admin):
    response = admin.post(reverse("records_console:children_import", args=[cast.site_a.pk]), {"is_full": "on"})
    assert response.status_code == 400
    assert "Choose the CSV file to import." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_confirming_imports_the_rows_and_shows_the_summary(cast, admin, django_capture_on_commit_callbacks):
    preview(admin, cast.site_a, children_csv([child_row(1, preferred="Ives"), roll_of(cast.child_a, year="Year 7")]))
    job = latest_job()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin.post(reverse("records_console:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    assert len(callbacks) == 1, "the import is handed to the worker once the confirmation commits"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED
    assert Child.objects.filter(upn=upn(1)).count() == 0, "nothing is written before the worker runs"

    import_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.total, job.processed) == (ImportJob.Status.DONE, 2, 2)
    assert (job.created, job.updated, job.unchanged, job.left) == (1, 1, 0, 1)
    assert (job.rows, job.seen_keys) == ([], []), "no second copy of the roll is kept once it is imported"
    new = Child.objects.get(upn=upn(1))
    assert (new.site, new.first_name, new.preferred_name, new.date_of_birth, new.year_group) == (
        cast.site_a,
        "Ivo1",
        "Ives",
        datetime.date(2016, 4, 1),
        "Year 4",
    )
    cast.child_a.refresh_from_db()
    assert cast.child_a.year_group == "Year 7"

    page = admin.get(reverse("records_console:import_detail", args=[job.pk])).content.decode()
    assert "Summary" in page and "Finished" in page
    assert 'aria-valuenow="100"' in page
    assert 'data-count="created">1<' in page and 'data-count="left">1<' in page


def test_re_importing_updates_by_upn_and_never_duplicates(cast, admin):
    rows = [child_row(n) for n in range(1, 6)]
    confirm_and_run(admin, (preview(admin, cast.site_a, children_csv(rows), is_full=False), latest_job())[1])
    count = Child.objects.count()
    rows[0] = child_row(1, last="Pennick-Hale", year="Year 5")
    job = confirm_and_run(admin, (preview(admin, cast.site_a, children_csv(rows), is_full=False), latest_job())[1])
    assert Child.objects.count() == count
    assert Child.objects.filter(upn=upn(1)).count() == 1
    assert (job.created, job.updated, job.unchanged) == (0, 1, 4)
    assert Child.objects.get(upn=upn(1)).last_name == "Pennick-Hale"


def test_lower_case_or_spaced_upns_match_the_same_child(cast, admin):
    spaced = " ".join([cast.child_a.upn[:5], cast.child_a.upn[5:]]).lower()
    preview(admin, cast.site_a, children_csv([roll_of(cast.child_a, upn=spaced)]), is_full=False)
    job = confirm_and_run(admin, latest_job())
    assert (job.created, job.unchanged) == (0, 1)
    assert Child.objects.filter(upn__iexact=cast.child_a.upn).count() == 1


def test_a_full_import_marks_children_missing_from_it_as_left_and_never_deletes_them(cast, admin):
    job = confirm_and_run(admin, (preview(admin, cast.site_a, children_csv([roll_of(cast.child_a)])), latest_job())[1])
    assert job.left == 1
    cast.child_a2.refresh_from_db()
    assert cast.child_a2.left_on == timezone.localdate()
    cast.child_a.refresh_from_db()
    assert cast.child_a.left_on is None
    cast.child_b.refresh_from_db()
    assert cast.child_b.left_on is None, "another site's roll is not this file's business"
    # Left, not deleted: staff no longer find them to record about.
    found = client_for(cast.staff).get(reverse("concerns:child_search"), {"q": "Marrowfield"}).content.decode()
    assert "Bram" not in found
    assert Child.objects.filter(pk=cast.child_a2.pk).exists()


def test_a_partial_import_marks_nobody_left(cast, admin):
    job = confirm_and_run(
        admin, (preview(admin, cast.site_a, children_csv([child_row(1)]), is_full=False), latest_job())[1]
    )
    assert job.left == 0
    assert not Child.objects.filter(left_on__isnull=False).exists()


def test_a_child_with_an_error_in_their_row_is_not_marked_left(cast, admin):
    content = children_csv([roll_of(cast.child_a, dob="31/02/2015"), roll_of(cast.child_a2)])
    job = confirm_and_run(admin, (preview(admin, cast.site_a, content), latest_job())[1])
    assert job.left == 0
    cast.child_a.refresh_from_db()
    assert cast.child_a.left_on is None
    assert cast.child_a.date_of_birth == datetime.date(2015, 2, 3), "a row with an error changes nothing"


def test_a_child_who_reappears_is_put_back_on_the_roll(cast, admin):
    ChildFactory(site=cast.site_a, upn=upn(7), left_on=datetime.date(2024, 7, 19), first_name="Ivo7")
    content = children_csv([roll_of(cast.child_a), roll_of(cast.child_a2), child_row(7)])
    job = confirm_and_run(admin, (preview(admin, cast.site_a, content), latest_job())[1])
    assert (job.created, job.updated, job.left) == (0, 1, 0)
    assert Child.objects.get(upn=upn(7)).left_on is None


def test_a_file_with_no_good_rows_cannot_be_confirmed(cast, admin):
    preview(admin, cast.site_a, children_csv([child_row(1, upn="bad")]))
    job = latest_job()
    page = admin.get(reverse("records_console:import_detail", args=[job.pk])).content.decode()
    assert "Nothing in this file can be imported" in page
    assert "confirm-import" not in page
    response = admin.post(reverse("records_console:import_confirm", args=[job.pk]), follow=True)
    assert "Nothing in this file can be imported" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW
    assert not Child.objects.filter(left_on__isnull=False).exists(), "an empty roll must not empty the school"


def test_confirming_twice_queues_the_import_once(cast, admin, django_capture_on_commit_callbacks):
    preview(admin, cast.site_a, children_csv([child_row(1)]), is_full=False)
    job = latest_job()
    url = reverse("records_console:import_confirm", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin.post(url)
        admin.post(url)
    assert len(callbacks) == 1
    assert AuditEntry.objects.filter(event="import.children_confirmed").count() == 1
    import_run(job.pk)
    response = admin.post(url, follow=True)  # the back button and one more click, after it finished
    assert response.status_code == 200
    assert "Nothing in this file" not in response.content.decode()
    assert AuditEntry.objects.filter(event="import.children_confirmed").count() == 1


def test_running_a_finished_job_again_changes_nothing(cast, admin):
    job = confirm_and_run(admin, (preview(admin, cast.site_a, children_csv([child_row(1)])), latest_job())[1])
    before = (snapshot(), AuditEntry.objects.filter(event="import.children").count())
    import_run(job.pk)  # a redelivered message
    assert (snapshot(), AuditEntry.objects.filter(event="import.children").count()) == before


def test_a_large_preview_warns_before_most_of_the_roll_is_marked_left(cast, admin):
    for n in range(20):
        ChildFactory(site=cast.site_a, upn=upn(100 + n))
    preview(admin, cast.site_a, children_csv([roll_of(cast.child_a)]))
    page = admin.get(reverse("records_console:import_detail", args=[latest_job().pk])).content.decode()
    assert "21 of the 22 children on the roll are not in this file" in page


def test_the_import_is_on_the_ledger_with_site_and_counts_and_no_names(cast, admin):
    content = children_csv(
        [child_row(1, first="Wilhelmina"), roll_of(cast.child_a, year="Year 7"), child_row(3, upn="x")]
    )
    job = confirm_and_run(admin, (preview(admin, cast.site_a, content), latest_job())[1])
    entry = AuditEntry.objects.get(event="import.children")
    assert entry.site_id == cast.site_a.pk
    assert entry.actor == cast.admin
    assert entry.object_pk == str(job.pk)
    assert entry.additional_data["counts"] == {"created": 1, "errors": 1, "left": 1, "unchanged": 0, "updated": 1}
    left = AuditEntry.objects.get(event="child.left_roll")
    assert left.additional_data["object_ids"] == [cast.child_a2.pk]
    ledger = " ".join(
        f"{e.object_repr} {e.additional_data} {e.changes}"
        for e in AuditEntry.objects.filter(event__startswith="import")
    )
    for name in ("Wilhelmina", "Pennick", "Fernsby", "Marrowfield", "Ada"):
        assert name not in ledger


def test_the_status_endpoint_gives_progress_and_counts_but_no_names(cast, admin):
    job = confirm_and_run(admin, (preview(admin, cast.site_a, children_csv([child_row(1)])), latest_job())[1])
    response = admin.get(reverse("records_console:import_status", args=[job.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {
        "status": "done",
        "status_label": "Finished",
        "finished": True,
        "total": 1,
        "processed": 1,
        "percent": 100,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "left": 2,
        "errors": 0,
    }


def test_blank_lines_are_skipped_and_row_numbers_still_match_the_spreadsheet(cast, admin):
    content = children_csv([child_row(1), ["", "", "", "", "", ""], child_row(3, upn="bad")])
    preview(admin, cast.site_a, content, is_full=False)
    job = latest_job()
    assert list(errors_by_row(job)) == [4]
    assert [row["row"] for row in job.rows] == [2]


def test_a_semicolon_separated_export_is_read(cast, admin):
    content = children_csv([child_row(1)]).decode().replace(",", ";").encode()
    preview(admin, cast.site_a, content, is_full=False)
    assert latest_job().errors == [] and latest_job().rows[0]["upn"] == upn(1)


def test_too_many_rows_or_too_large_a_file_is_refused_whole(cast, admin, monkeypatch):
    from concerns.services.imports import staff as csv_reading

    monkeypatch.setattr(csv_reading, "MAX_ROWS", 3)
    response = preview(admin, cast.site_a, children_csv([child_row(n) for n in range(4)]))
    assert response.status_code == 400
    assert "The file has more than 3 rows: split it and import each part." in response.content.decode()

    monkeypatch.setattr(csv_reading, "MAX_FILE_BYTES", 1024 * 1024)
    big = children_csv([child_row(n) for n in range(30_000)])
    response = preview(admin, cast.site_a, big)
    assert response.status_code == 400
    assert "The file is larger than 1 MB" in response.content.decode()
    assert ImportJob.objects.count() == 0


# Imports are on the ledger: every child an import touches, by id, with field names and no values.


def ledger_about(child: Child) -> list[AuditEntry]:
    """What a DSL of the child's site finds filtering the ledger by this child."""
    dsl = client_for(User.objects.get(email="dsl@test.example"))
    response = dsl.get(reverse("ledger:index"), {"child": child.pk})
    assert response.status_code == 200
    return list(response.context["rows"])


def entry_text(entry: AuditEntry) -> str:
    return " ".join(
        str(value)
        for value in (
            entry.object_repr,
            entry.additional_data,
            entry.changes,
            entry.changes_text,
            entry.serialized_data,
            entry.actor_name,
        )
    )


def test_every_child_an_import_creates_updates_or_marks_left_is_on_the_ledger_by_child(cast, admin):
    ChildFactory(site=cast.site_a, upn=upn(7), left_on=datetime.date(2024, 7, 19), first_name="Ivo7")
    content = children_csv([child_row(1, first="Wilhelmina"), roll_of(cast.child_a, year="Year 7"), child_row(7)])
    confirm_and_run(admin, (preview(admin, cast.site_a, content), latest_job())[1])
    created, returner = Child.objects.get(upn=upn(1)), Child.objects.get(upn=upn(7))

    [entry] = [e for e in ledger_about(created) if e.event == "import.children_created"]
    assert (entry.actor, entry.site_id) == (cast.admin, cast.site_a.pk)
    assert entry.additional_data["fields"] == sorted(
        ["upn", "first_name", "last_name", "preferred_name", "date_of_birth", "year_group"]
    )
    [entry] = [e for e in ledger_about(cast.child_a) if e.event == "import.children_updated"]
    assert entry.actor == cast.admin
    assert sorted(entry.additional_data["object_ids"]) == sorted([cast.child_a.pk, returner.pk])
    # The names of what changed across the batch: the year group, and the returner's names and roll status.
    assert {"year_group", "left_on"} <= set(entry.additional_data["fields"])
    assert [e.event for e in ledger_about(returner)].count("import.children_updated") == 1
    [entry] = [e for e in ledger_about(cast.child_a2) if e.event == "child.left_roll"]
    assert entry.additional_data["fields"] == ["left_on"]

    ledger = " ".join(entry_text(e) for e in AuditEntry.objects.all())
    for value in ("Wilhelmina", "Pennick", upn(1), "2016-04-01", "01/04/2016", "Year 7"):
        assert value not in ledger


def test_a_failed_import_leaves_its_entry_and_the_batches_before_it_stay_on_the_ledger(cast, admin, monkeypatch):
    from concerns.services.imports import jobs as imports

    monkeypatch.setattr(imports, "BATCH_SIZE", 1)
    preview(admin, cast.site_a, children_csv([child_row(1), child_row(2)]), is_full=False)
    job = latest_job()
    # The second row is damaged after the preview (a bug, a bad deploy): its batch fails and rolls back.
    job.rows[1]["date_of_birth"] = "not a date"
    job.save(update_fields=["rows"])
    job = confirm_and_run(admin, job)

    assert job.status == ImportJob.Status.FAILED
    assert Child.objects.filter(upn=upn(1)).exists() and not Child.objects.filter(upn=upn(2)).exists()
    failed = AuditEntry.objects.get(event="import.children_failed")
    assert (failed.actor, failed.site_id, failed.object_pk) == (cast.admin, cast.site_a.pk, str(job.pk))
    assert failed.additional_data["counts"] == {"created": 1, "processed": 1, "unchanged": 0, "updated": 0}
    assert "import.children_created" in [e.event for e in ledger_about(Child.objects.get(upn=upn(1)))]


# An import never wipes a roll by accident.


def test_this_file_is_the_whole_roll_is_not_ticked_until_the_person_ticks_it(cast, admin):
    page = admin.get(reverse("records_console:children_import", args=[cast.site_a.pk])).content.decode()
    checkbox = page.split('name="is_full"')[0].rsplit("<input", 1)[1] + page.split('name="is_full"')[1].split(">")[0]
    assert "checked" not in checkbox
    admin.post(
        reverse("records_console:children_import", args=[cast.site_a.pk]),
        {"file": upload(children_csv([child_row(1)]))},
    )
    job = latest_job()
    assert (job.is_full, job.preview["left"]) == (False, 0)
    confirm_and_run(admin, job)
    assert not Child.objects.filter(left_on__isnull=False).exists()


@pytest.fixture
def large_roll(cast):
    """Oakfield's roll of 34: the cast's two children and 32 more."""
    return [ChildFactory(site=cast.site_a, upn=upn(500 + n)) for n in range(32)]


def three_row_whole_roll(cast) -> bytes:
    return children_csv([roll_of(cast.child_a), child_row(1), child_row(2)])


def test_a_whole_roll_import_that_would_mark_many_children_left_asks_for_the_number(cast, admin, large_roll):
    before = snapshot()
    preview(admin, cast.site_a, three_row_whole_roll(cast))
    job = latest_job()
    assert job.preview["left"] == 33
    page = admin.get(reverse("records_console:import_detail", args=[job.pk])).content.decode()
    assert "This import will mark 33 children as left. To confirm, type that number." in page
    assert 'name="leavers"' in page

    url = reverse("records_console:import_confirm", args=[job.pk])
    for typed in ({}, {"leavers": ""}, {"leavers": "3"}, {"leavers": "34"}, {"leavers": "thirty-three"}):
        response = admin.post(url, typed, follow=True)
        assert "This import would mark 33 children as left. To go ahead, type 33 in the box" in response.text
        job.refresh_from_db()
        assert job.status == ImportJob.Status.PREVIEW
        import_run(job.pk)
        assert snapshot() == before, "nothing runs until the number is confirmed"
    assert not AuditEntry.objects.filter(event="import.children_confirmed").exists()

    assert admin.post(url, {"leavers": "33"}).status_code == 302
    import_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.left) == (ImportJob.Status.DONE, 33)


def test_a_few_leavers_need_no_number(cast, admin):
    for n in range(3):
        ChildFactory(site=cast.site_a, upn=upn(500 + n))
    preview(admin, cast.site_a, children_csv([roll_of(cast.child_a), roll_of(cast.child_a2)]))
    job = latest_job()
    assert job.preview["left"] == 3
    assert 'name="leavers"' not in admin.get(reverse("records_console:import_detail", args=[job.pk])).text
    assert confirm_and_run(admin, job).left == 3


def test_children_who_joined_after_the_preview_are_not_marked_left_without_asking(cast, admin, large_roll):
    preview(admin, cast.site_a, three_row_whole_roll(cast))
    job = latest_job()
    admin.post(reverse("records_console:import_confirm", args=[job.pk]), {"leavers": "33"})
    joined = ChildFactory(site=cast.site_a, upn=upn(900))
    import_run(job.pk)
    job.refresh_from_db()
    assert job.left == 0
    assert "34 children on the roll are not in this file, more than the 33 the preview showed" in str(job.errors)
    assert not Child.objects.filter(site=cast.site_a, left_on__isnull=False).exists()
    joined.refresh_from_db()
    assert joined.left_on is None


def test_children_an_import_marked_left_can_be_put_back_on_the_roll_from_its_page(cast, admin, large_roll):
    preview(admin, cast.site_a, three_row_whole_roll(cast))
    job = latest_job()
    admin.post(reverse("records_console:import_confirm", args=[job.pk]), {"leavers": "33"})
    import_run(job.pk)
    off_roll = set(Child.objects.filter(site=cast.site_a, left_on__isnull=False).values_list("pk", flat=True))
    assert len(off_roll) == 33
    page = admin.get(reverse("records_console:import_detail", args=[job.pk])).text
    assert "33 children marked as left by this import are still off the roll" in page
    assert "Put 33 children back on the roll" in page

    url = reverse("records_console:import_leavers_restore", args=[job.pk])
    response = admin.post(url, follow=True)  # the confirmation box not ticked
    assert "Tick the box to confirm" in response.text
    assert Child.objects.filter(pk__in=off_roll, left_on__isnull=False).count() == 33

    response = admin.post(url, {"confirm": "on"}, follow=True)
    assert "33 children put back on the roll." in response.text
    assert not Child.objects.filter(site=cast.site_a, left_on__isnull=False).exists()
    assert "Put 33 children back" not in response.text
    found = client_for(cast.staff).get(reverse("concerns:child_search"), {"q": "Marrowfield"}).text
    assert "Bram" in found, "staff find the child again to record about"
    [entry] = [e for e in ledger_about(cast.child_a2) if e.event == "import.children_restored"]
    assert (entry.actor, entry.site_id, entry.additional_data["fields"]) == (cast.admin, cast.site_a.pk, ["left_on"])
    summary = AuditEntry.objects.get(event="import.children_restored", object_pk=str(job.pk))
    assert summary.additional_data["counts"] == {"restored": 33}

    response = admin.post(url, {"confirm": "on"}, follow=True)  # a second click
    assert "already back on the roll" in response.text
    assert AuditEntry.objects.filter(event="import.children_restored").count() == 2


def test_putting_leavers_back_asks_for_a_fresh_code_first(cast, admin):
    job = confirm_and_run(admin, (preview(admin, cast.site_a, children_csv([roll_of(cast.child_a)])), latest_job())[1])
    session = admin.session
    session[MFA_VERIFIED_AT] = session[MFA_VERIFIED_AT] - 3600
    session.save()
    response = admin.post(reverse("records_console:import_leavers_restore", args=[job.pk]), {"confirm": "on"})
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))
    cast.child_a2.refresh_from_db()
    assert cast.child_a2.left_on == timezone.localdate()


# Bad bytes are bad input.


def test_a_nul_byte_after_the_first_4_kb_is_a_clear_message_not_an_error_page(cast, admin):
    rows = [child_row(n) for n in range(200)]
    content = children_csv(rows)
    assert len(content) > 4096
    damaged = content + upn(999).encode() + b",Iv\x00o,Pennick,,01/04/2016,Year 4\r\n"
    response = preview(admin, cast.site_a, damaged)
    assert response.status_code == 400
    assert "Line 202 of the file contains a null character" in response.text
    assert 'id="id_file_error"' in response.text
    assert ImportJob.objects.count() == 0

    file = SimpleUploadedFile("staff.csv", b"Email,Full name,Role\n" + b"a@test.example,A,Staff\n" * 300 + b"\x00")
    response = admin.post(reverse("records_console:staff_import", args=[cast.site_a.pk]), {"file": file})
    assert response.status_code == 400
    assert "contains a null character" in response.text
