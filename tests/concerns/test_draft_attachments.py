"""Files chosen for a concern are kept with its draft: a problem on the form never asks for them again."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concerns.models import Attachment, Concern, ConcernDraft, DraftAttachment
from tests.concerns.helpers import PDF_BYTES, PNG_BYTES, record_url, valid_post
from tests.conftest import client_for


def _stored(name: str) -> bool:
    return DraftAttachment.file.field.storage.exists(name)


def _with_files(post: dict, *files: tuple[str, bytes]) -> dict:
    return {**post, "files": [SimpleUploadedFile(name, content) for name, content in files]}


@pytest.fixture
def failed_with_two_files(cast):
    """Sam chose two files, then submitted without a category."""
    key, client = uuid.uuid4(), client_for(cast.staff)
    post = _with_files(valid_post(cast.child_a, categories=None), ("bruise.png", PNG_BYTES), ("letter.pdf", PDF_BYTES))
    response = client.post(record_url(key), post)
    assert response.status_code == 200 and "Choose at least one category." in response.text
    return key, client, response


def test_a_problem_keeps_the_chosen_files_and_lists_them_with_a_way_to_remove_each(cast, failed_with_two_files):
    key, _client, response = failed_with_two_files
    kept = list(DraftAttachment.objects.filter(draft__key=key, draft__author=cast.staff))
    assert [file.original_name for file in kept] == ["bruise.png", "letter.pdf"]
    assert all(_stored(file.file.name) for file in kept)
    assert "choose them again" not in response.text
    for file in kept:
        assert file.original_name in response.text
        assert f'name="remove_files" value="{file.uid}"' in response.text
    assert f'Remove<span class="visually-hidden"> {kept[0].original_name}</span>' in response.text
    assert not Concern.objects.exists() and not Attachment.objects.exists()


def test_the_kept_files_are_attached_at_submission_without_choosing_them_again(cast, failed_with_two_files):
    key, client, _response = failed_with_two_files
    kept_names = set(DraftAttachment.objects.values_list("file", flat=True))
    response = client.post(record_url(key), _with_files(valid_post(cast.child_a), ("notes.txt", b"Said twice.\n")))
    assert response.status_code == 302
    concern = Concern.objects.get()
    attachments = {attachment.original_name: attachment for attachment in concern.attachments.all()}
    assert set(attachments) == {"bruise.png", "letter.pdf", "notes.txt"}
    assert (attachments["bruise.png"].content_type, attachments["bruise.png"].size) == ("image/png", len(PNG_BYTES))
    assert attachments["bruise.png"].uploaded_by == cast.staff
    with attachments["letter.pdf"].file.open("rb") as stored:
        assert stored.read() == PDF_BYTES
    # The very files kept with the draft became the concern's; nothing of the draft is left.
    assert kept_names <= {attachment.file.name for attachment in attachments.values()}
    assert not DraftAttachment.objects.exists() and not ConcernDraft.objects.exists()


def test_a_kept_file_ticked_remove_is_not_attached_and_is_deleted(
    cast, failed_with_two_files, django_capture_on_commit_callbacks
):
    key, client, _response = failed_with_two_files
    bruise = DraftAttachment.objects.get(original_name="bruise.png")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(record_url(key), {**valid_post(cast.child_a), "remove_files": [str(bruise.uid)]})
    assert response.status_code == 302
    assert [attachment.original_name for attachment in Concern.objects.get().attachments.all()] == ["letter.pdf"]
    assert not _stored(bruise.file.name)


def test_removing_a_kept_file_on_a_second_try_takes_it_off_the_list(
    cast, failed_with_two_files, django_capture_on_commit_callbacks
):
    key, client, _response = failed_with_two_files
    letter = DraftAttachment.objects.get(original_name="letter.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            record_url(key), {**valid_post(cast.child_a, categories=None), "remove_files": [str(letter.uid)]}
        )
    assert response.status_code == 200
    assert "letter.pdf" not in response.text and "bruise.png" in response.text
    assert list(DraftAttachment.objects.values_list("original_name", flat=True)) == ["bruise.png"]
    assert not _stored(letter.file.name)


def test_the_kept_files_come_back_with_the_draft_in_a_new_session(cast, failed_with_two_files):
    key, _client, _response = failed_with_two_files
    page = client_for(cast.staff).get(record_url(key))
    assert "bruise.png" in page.text and "letter.pdf" in page.text
    assert client_for(cast.staff2).get(record_url(key)).status_code == 404


def test_kept_files_count_towards_the_limit(cast, failed_with_two_files, settings):
    key, client, _response = failed_with_two_files
    more = [(f"page{i}.txt", b"note\n") for i in range(settings.ATTACHMENT_MAX_FILES - 1)]
    response = client.post(record_url(key), _with_files(valid_post(cast.child_a), *more))
    assert response.status_code == 200
    assert f"Attach at most {settings.ATTACHMENT_MAX_FILES} files to one concern." in response.text
    assert DraftAttachment.objects.count() == 2 and not Concern.objects.exists()


def test_discarding_the_draft_deletes_its_files(cast, failed_with_two_files, django_capture_on_commit_callbacks):
    key, client, _response = failed_with_two_files
    names = list(DraftAttachment.objects.values_list("file", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("concerns:draft_discard", args=[key]))
    assert not ConcernDraft.objects.exists() and not DraftAttachment.objects.exists()
    assert not any(_stored(name) for name in names)


def test_the_error_summary_takes_the_focus(cast, failed_with_two_files):
    _key, _client, response = failed_with_two_files
    assert 'id="error-summary" aria-labelledby="error-summary-title" autofocus' in response.text
