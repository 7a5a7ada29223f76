"""Recording a concern: drafts while the person types, one transaction at submission, addenda after."""

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.selectors import dsl_team_at
from audit import events
from audit.models import AuditEntry
from audit.services import audit_record
from concerns import policy
from concerns.choices import BodySide
from concerns.models import (
    Addendum,
    Attachment,
    BodyMapMark,
    Category,
    Child,
    Concern,
    ConcernChild,
    ConcernDraft,
    DraftAttachment,
    attachment_storage,
)
from concerns.services.alerts import alerts_raise_for_submission
from concerns.services.review import review_clock_start
from concerns.services.shares import shares_grant_to_named_recipients
from concerns.uploads import validate_upload

# A draft holds what a form would post; more than this is not a draft someone is typing.
DRAFT_MAX_FIELDS = 200
DRAFT_MAX_CHARS = 200_000
# Clocks drift: a time a few minutes ahead of the server is not "in the future".
FUTURE_TOLERANCE = timedelta(minutes=5)
MARK_NOTE_MAX = 500
NUL = "\x00"


@dataclass(frozen=True)
class ChildInConcern:
    child: Child
    role: str


@dataclass(frozen=True)
class Mark:
    side: str
    x: Decimal
    y: Decimal
    note: str


# ---- The rules of recording. The form asks these too, so each problem is keyed by its field name.


def concern_problems(
    *,
    children: list[ChildInConcern] | None = None,
    categories: list[Category] | None = None,
    occurred_at: datetime | None = None,
    is_disclosure: bool | None = None,
    child_words: str | None = None,
    observations: str | None = None,
    location: str | None = None,
    immediate_danger: bool | None = None,
    called_999: bool | None = None,
    delay_reason: str | None = None,
    body_marks: list[Mark] | None = None,
    named_recipients: list[User] | None = None,
) -> dict[str, str]:
    """What stops these details being a concern, one message per field; a detail given as None is not judged."""
    problems = {
        **_text_problems(
            child_words=child_words, observations=observations, location=location, delay_reason=delay_reason
        ),
        **_time_problems(occurred_at, delay_reason, children or []),
        **_account_problems(is_disclosure, child_words, observations),
        **_category_problems(categories),
        **_recipient_problems(named_recipients, children or []),
        **_mark_problems(body_marks or []),
    }
    if children is not None and not children:
        problems["children"] = "Choose the child this concern is about."
    if immediate_danger and called_999 is None:
        problems["called_999"] = "Say whether 999 has been called."
    return problems


_NUL_MESSAGE = "Remove the unreadable character (a null byte) from this text."


def _text_problems(**texts: str | None) -> dict[str, str]:
    return {name: _NUL_MESSAGE for name, text in texts.items() if text is not None and NUL in text}


def _time_problems(
    occurred_at: datetime | None, delay_reason: str | None, children: list[ChildInConcern]
) -> dict[str, str]:
    if occurred_at is None:
        return {}
    if occurred_at > timezone.now() + FUTURE_TOLERANCE:
        return {"occurred_at": "The time it happened cannot be in the future."}
    day = timezone.localdate(occurred_at)
    for link in children:
        if day < link.child.date_of_birth:
            return {"occurred_at": f"That is before {link.child.display_name} was born."}
    if delay_reason is not None and day < timezone.localdate() and not delay_reason.strip():
        return {"delay_reason": "Say why this is being recorded on a later day than it happened."}
    return {}


def _account_problems(is_disclosure: bool | None, child_words: str | None, observations: str | None) -> dict[str, str]:
    problems = {}
    if is_disclosure and child_words is not None and not child_words.strip():
        problems["child_words"] = "Write down the child's exact words: they disclosed something."
    if observations is not None and not observations.strip():
        problems["observations"] = "Describe what happened."
    return problems


def _category_problems(categories: list[Category] | None) -> dict[str, str]:
    if categories is None:
        return {}
    if not categories:
        return {"categories": "Choose at least one category."}
    ids = {category.pk for category in categories}
    if Category.objects.filter(pk__in=ids, is_active=True).count() != len(ids):
        return {"categories": "Choose only categories that are in use: one you chose has been retired."}
    return {}


def _recipient_problems(named_recipients: list[User] | None, children: list[ChildInConcern]) -> dict[str, str]:
    if not named_recipients or not children:
        return {}
    team = set(dsl_team_at([children[0].child.site_id]).values_list("id", flat=True))
    if any(member.pk not in team for member in named_recipients):
        return {"named_recipients": "Name only members of the DSL team of the child's school."}
    return {}


def _mark_problems(marks: list[Mark]) -> dict[str, str]:
    for mark in marks:
        if mark.side not in BodySide.values or not (0 <= mark.x <= 100 and 0 <= mark.y <= 100):
            return {"body_map": "A body-map mark is off the outline; remove it and place it again."}
        if len(mark.note) > MARK_NOTE_MAX:
            return {"body_map": f"A body-map note can be at most {MARK_NOTE_MAX} characters."}
        if NUL in mark.note:
            return {"body_map": "A body-map note holds an unreadable character (a null byte): remove it."}
    return {}


def _file_problems(files: Sequence[UploadedFile], kept_count: int) -> dict[str, list[str]]:
    if len(files) + kept_count > settings.ATTACHMENT_MAX_FILES:
        return {"files": [f"Attach at most {settings.ATTACHMENT_MAX_FILES} files to one concern."]}
    messages = []
    for upload in files:
        try:
            validate_upload(upload)
        except ValidationError as error:
            messages.extend(error.messages)
    return {"files": messages} if messages else {}


# ---- Files.


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


StoredFile = TypeVar("StoredFile", Attachment, DraftAttachment)


def _stored(record: StoredFile, upload: UploadedFile) -> StoredFile:
    """Fill in what is known of an upload (its sniffed type from the allow-list, size, checksum),
    store its file under a random name, check and save the row."""
    kind = validate_upload(upload)
    record.original_name = (upload.name or "upload")[:255]
    record.content_type = kind.content_type
    record.size = upload.size or 0
    record.sha256 = _sha256(upload)
    record.file.save("upload", upload, save=False)
    record.full_clean()
    record.save()
    return record


def _store_attachment(*, concern: Concern, upload: UploadedFile, uploaded_by: User) -> Attachment:
    return _stored(Attachment(concern=concern, uploaded_by=uploaded_by), upload)


def _store_draft_attachment(*, draft: ConcernDraft, upload: UploadedFile) -> DraftAttachment:
    return _stored(DraftAttachment(draft=draft), upload)


def _move_to_concern(*, concern: Concern, kept: DraftAttachment) -> Attachment:
    # The stored file itself becomes the concern's: it is not copied, and not deleted with the draft.
    attachment = Attachment(
        concern=concern,
        file=kept.file.name,
        original_name=kept.original_name,
        content_type=kept.content_type,
        size=kept.size,
        sha256=kept.sha256,
        uploaded_by=concern.author,
    )
    attachment.full_clean()
    attachment.save()
    kept.delete()
    return attachment


def _delete_files_on_commit(names: list[str]) -> None:
    """Stored files go only once the rows that named them are gone for good (not on a rollback)."""

    def delete() -> None:
        storage = attachment_storage()
        for name in names:
            storage.delete(name)

    if names:
        transaction.on_commit(delete)


def _draft_delete(*, author: User, key: uuid.UUID) -> None:
    drafts = ConcernDraft.objects.filter(key=key, author=author)
    names = list(DraftAttachment.objects.filter(draft__in=drafts).values_list("file", flat=True))
    drafts.delete()
    _delete_files_on_commit(names)


# ---- Submission.


@transaction.atomic
def concern_submit(
    *,
    author: User,
    submission_key: uuid.UUID,
    children: list[ChildInConcern],
    categories: list[Category],
    occurred_at: datetime,
    is_disclosure: bool,
    child_words: str,
    observations: str,
    location: str,
    immediate_danger: bool,
    called_999: bool | None,
    delay_reason: str,
    body_marks: list[Mark],
    named_recipients: list[User],
    files: list[UploadedFile],
    kept_files: Sequence[DraftAttachment] = (),
) -> tuple[Concern, bool]:
    """Submit a concern to the DSL team; the same submission key always yields the same one concern.

    kept_files are files already kept with this key's draft, which become the concern's too.
    Returns the concern and whether this call created it (False for a double click or a retry).
    Raises ValidationError, keyed by the recording form's field names, when a rule is broken.
    """
    existing = Concern.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return _same_author_or_deny(existing, author), False
    if not children:
        raise ValidationError({"children": "Choose the child this concern is about."})
    sites = {link.child.site_id for link in children}
    if len(sites) != 1 or not policy.children_recordable_by(author).filter(
        id__in=[link.child.id for link in children]
    ).count() == len(children):
        raise PermissionDenied("The user may not record about these children.")
    kept = list(
        DraftAttachment.objects.filter(
            draft__key=submission_key, draft__author=author, uid__in=[file.uid for file in kept_files]
        )
    )
    problems = {
        **concern_problems(
            children=children,
            categories=categories,
            occurred_at=occurred_at,
            is_disclosure=is_disclosure,
            child_words=child_words,
            observations=observations,
            location=location,
            immediate_danger=immediate_danger,
            called_999=called_999,
            delay_reason=delay_reason,
            body_marks=body_marks,
            named_recipients=named_recipients,
        ),
        **_file_problems(files, len(kept)),
    }
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            concern = Concern(
                submission_key=submission_key,
                site_id=sites.pop(),
                author=author,
                is_restricted=any(category.is_restricted for category in categories),
                occurred_at=occurred_at,
                is_disclosure=is_disclosure,
                child_words=child_words,
                observations=observations,
                location=location,
                immediate_danger=immediate_danger,
                called_999=called_999 if immediate_danger else None,
                delay_reason=delay_reason,
            )
            review_clock_start(concern=concern, site=children[0].child.site)
            # The key's uniqueness is the database's to enforce, below: a check here races with a
            # concurrent resubmission and would fail as a ValidationError instead of finding its concern.
            concern.full_clean(validate_unique=False)
            concern.save()
    except IntegrityError:
        # A concurrent request with the same key committed first: that one is the concern.
        return _same_author_or_deny(Concern.objects.get(submission_key=submission_key), author), False
    _attach_details(
        concern=concern,
        children=children,
        categories=categories,
        body_marks=body_marks,
        named_recipients=named_recipients,
        files=files,
    )
    for file in kept:
        _move_to_concern(concern=concern, kept=file)
    _draft_delete(author=author, key=submission_key)
    audit_record(
        actor=author,
        event=events.CONCERN_SUBMITTED,
        target=concern,
        action=AuditEntry.Action.CREATE,
        object_ids=[link.child.id for link in children],
        fields=[name for name in ("child_words", "observations", "location", "delay_reason") if getattr(concern, name)],
        site_id=concern.site_id,
    )
    shares_grant_to_named_recipients(concern=concern)
    alerts_raise_for_submission(concern=concern)
    return concern, True


def _same_author_or_deny(concern: Concern, author: User) -> Concern:
    if concern.author_id != author.pk:
        raise PermissionDenied("That submission belongs to someone else.")
    return concern


def _attach_details(*, concern, children, categories, body_marks, named_recipients, files) -> None:
    ConcernChild.objects.bulk_create(
        [ConcernChild(concern=concern, child=link.child, role=link.role) for link in children]
    )
    concern.categories.set(categories)
    for mark in body_marks:
        body_mark = BodyMapMark(concern=concern, side=mark.side, x=mark.x, y=mark.y, note=mark.note)
        body_mark.full_clean()
        body_mark.save()
    concern.named_recipients.set(named_recipients)
    for upload in files:
        _store_attachment(concern=concern, upload=upload, uploaded_by=concern.author)


@transaction.atomic
def addendum_add(*, author: User, concern: Concern, text: str) -> Addendum:
    """Add a correction or later information to one's own concern; the original is untouched."""
    if not policy.can_add_addendum(author, concern):
        raise PermissionDenied("Only the author adds addenda to a concern.")
    addendum = Addendum(concern=concern, author=author, text=text.strip())
    addendum.full_clean()
    addendum.save()
    audit_record(
        actor=author,
        event=events.CONCERN_ADDENDUM_ADDED,
        target=concern,
        action=AuditEntry.Action.UPDATE,
        fields=["addendum.text"],
        site_id=concern.site_id,
    )
    return addendum


# ---- Drafts.


def _without_nul(data: dict[str, list[str]]) -> dict[str, list[str]]:
    # A null byte is never something a person typed (it comes with pasted binary), and the
    # database cannot store one in text: drop it and keep everything else.
    return {name.replace(NUL, ""): [str(value).replace(NUL, "") for value in values] for name, values in data.items()}


@transaction.atomic
def draft_save(
    *,
    author: User,
    key: uuid.UUID,
    data: dict[str, list[str]],
    uploads: Sequence[UploadedFile] = (),
    remove_files: Sequence[uuid.UUID | str] = (),
) -> ConcernDraft:
    """Keep what the person has typed so far, and the files they chose. A key already used for a concern
    saves nothing new."""
    if Concern.objects.filter(submission_key=key).exists():
        raise ValidationError("This concern has already been submitted.")
    if len(data) > DRAFT_MAX_FIELDS or sum(len(v) for values in data.values() for v in values) > DRAFT_MAX_CHARS:
        raise ValidationError("This draft is too large to save.")
    draft, created = ConcernDraft.objects.select_for_update().get_or_create(
        key=key, defaults={"author": author, "data": _without_nul(data)}
    )
    if draft.author_id != author.pk:
        raise PermissionDenied("Drafts are private to their author.")
    if not created:
        draft.data = _without_nul(data)
        draft.save(update_fields=["data", "updated_at"])
    _draft_files_remove(draft=draft, uids=remove_files)
    if uploads:
        problems = _file_problems(uploads, draft.attachments.count())
        if problems:
            raise ValidationError(problems)
        for upload in uploads:
            _store_draft_attachment(draft=draft, upload=upload)
    return draft


def _draft_files_remove(*, draft: ConcernDraft, uids: Sequence[uuid.UUID | str]) -> None:
    if not uids:
        return
    removed = draft.attachments.filter(uid__in=list(uids))
    names = list(removed.values_list("file", flat=True))
    removed.delete()
    _delete_files_on_commit(names)


@transaction.atomic
def draft_discard(*, author: User, key: uuid.UUID) -> None:
    """Throw away a draft and every file kept with it."""
    _draft_delete(author=author, key=key)
