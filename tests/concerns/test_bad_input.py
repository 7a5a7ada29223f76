"""Bad input gets a clear message next to the field, and nothing at all is saved."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from concerns.models import Attachment, BodyMapMark, Concern, ConcernChild, DraftAttachment, Notification
from tests.concerns.helpers import PDF_BYTES, PNG_BYTES, record_url, valid_post


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _docx_bytes(with_document: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if with_document:
            archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _big_pdf() -> SimpleUploadedFile:
    return _upload("scan.pdf", PDF_BYTES + b"0" * (20 * 1024 * 1024 + 1))


def _stored_files() -> set[str]:
    """Every file in attachment storage (other tests in this process may have left theirs)."""
    storage, found, folders = Attachment.file.field.storage, set(), ["attachments"]
    while folders:
        folder = folders.pop()
        if storage.exists(folder):
            subfolders, files = storage.listdir(folder)
            folders += [f"{folder}/{name}" for name in subfolders]
            found |= {f"{folder}/{name}" for name in files}
    return found


def _assert_nothing_saved() -> None:
    assert not Concern.objects.exists()
    assert not ConcernChild.objects.exists()
    assert not BodyMapMark.objects.exists()
    assert not Attachment.objects.exists()
    assert not Notification.objects.exists()


BAD_INPUTS = {
    "no child": ({"children": None}, "Choose the child this concern is about."),
    "no category": ({"categories": None}, "Choose at least one category."),
    "empty account": ({"observations": "   \n  "}, "Describe what happened."),
    "no time": ({"occurred_at": ""}, "Enter the date and time it happened."),
    "not a time": ({"occurred_at": "yesterday-ish"}, "Enter a real date and time."),
    "in the future": (
        {"occurred_at": (timezone.localtime() + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")},
        "The time it happened cannot be in the future.",
    ),
    "before birth": (
        {"occurred_at": "2014-01-01T10:00", "delay_reason": "Old."},
        "That is before Addy Fernsby was born.",
    ),
    "disclosure not said": ({"is_disclosure": None}, "Say whether the child disclosed something."),
    "disclosure without words": ({"child_words": ""}, "Write down the child&#x27;s exact words"),
    "danger without 999 answer": ({"immediate_danger": "on"}, "Say whether 999 has been called."),
    "broken body map": ({"body_map": "{not json"}, "The body map could not be read"),
    "mark off the outline": ({"body_map": '[{"side": "front", "x": 140, "y": 20}]'}, "off the outline"),
    "mark on a third side": ({"body_map": '[{"side": "top", "x": 40, "y": 20}]'}, "off the outline"),
}


@pytest.mark.parametrize("overrides, message", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_field_is_explained_and_nothing_is_saved(cast, as_user, overrides, message):
    response = as_user(cast.staff).post(record_url(), valid_post(cast.child_a, **overrides))
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert message in response.text
    _assert_nothing_saved()


BAD_FILES = {
    "over 20 MB": ([_big_pdf], "each file must be 20.0 MB or smaller"),
    "more than 10": ([lambda i=i: _upload(f"n{i}.txt", b"note") for i in range(11)], "Attach at most 10 files"),
    "type not allowed": ([lambda: _upload("run.exe", b"MZ\x90\x00")], "is not a type we accept"),
    "PNG named PDF": ([lambda: _upload("report.pdf", PNG_BYTES)], "is not really a PDF file"),
    "PDF named PNG": ([lambda: _upload("photo.png", PDF_BYTES)], "is not really a PNG file"),
    "zip named DOCX": ([lambda: _upload("letter.docx", _docx_bytes(with_document=False))], "not really a DOCX"),
    "binary named TXT": ([lambda: _upload("notes.txt", b"\x00\x01\x02binary")], "not really a TXT file"),
    "empty file": ([lambda: _upload("empty.txt", b"")], "is empty"),
}


@pytest.mark.parametrize("makers, message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file_is_explained_and_nothing_is_saved(cast, as_user, makers, message, settings):
    post = valid_post(cast.child_a)
    post["files"] = [make() for make in makers] + [_upload("fine.png", PNG_BYTES)][: 0 if len(makers) > 10 else 1]
    files_before = _stored_files()
    response = as_user(cast.staff).post(record_url(), post)
    assert response.status_code == 200
    assert message in response.text
    assert "choose them again" in response.text
    _assert_nothing_saved()
    # The bad file is stored nowhere; a good file chosen with it is kept with the draft, listed on
    # the form, so it need not be chosen again.
    kept = list(DraftAttachment.objects.all())
    assert [file.original_name for file in kept] == ([] if len(makers) > 10 else ["fine.png"])
    assert _stored_files() == files_before | {file.file.name for file in kept}
    for file in kept:
        assert file.original_name in response.text


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("scan.pdf", PDF_BYTES, "application/pdf"),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, "image/jpeg"),
        ("photo.png", PNG_BYTES, "image/png"),
        ("photo.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic"),
        ("letter.docx", _docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("notes.txt", "Said “not again” twice.\n".encode(), "text/plain"),
    ],
)
def test_every_allowed_type_is_accepted_with_its_sniffed_type(cast, as_user, name, content, content_type):
    post = valid_post(cast.child_a)
    post["files"] = [_upload(name, content)]
    response = as_user(cast.staff).post(record_url(), post)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == (name, content_type)


def test_a_child_from_another_school_is_refused(cast, as_user):
    response = as_user(cast.staff).post(record_url(), valid_post(cast.child_b))
    assert "Choose children from your school&#x27;s roll." in response.text
    _assert_nothing_saved()


def test_children_from_two_schools_in_one_concern_are_refused(cast, as_user):
    from tests.factories import MembershipFactory

    MembershipFactory(user=cast.staff, site=cast.site_b, role="staff")
    post = valid_post(cast.child_a, children=[str(cast.child_a.pk), str(cast.child_b.pk)])
    response = as_user(cast.staff).post(record_url(), post)
    assert "All the children in one concern must be at the same school." in response.text
    _assert_nothing_saved()


def test_naming_someone_outside_the_dsl_team_is_refused(cast, as_user):
    response = as_user(cast.staff).post(record_url(), valid_post(cast.child_a, named_recipients=[str(cast.staff2.pk)]))
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    _assert_nothing_saved()


def test_fields_the_form_does_not_offer_are_ignored(cast, as_user):
    post = valid_post(
        cast.child_a, status="closed", site=str(cast.site_b.pk), author=str(cast.dsl.pk), recorded_at="2020-01-01T00:00"
    )
    as_user(cast.staff).post(record_url(), post)
    concern = Concern.objects.get()
    assert (concern.status, concern.site, concern.author) == ("submitted", cast.site_a, cast.staff)
    assert concern.recorded_at > timezone.now() - datetime.timedelta(minutes=1)
