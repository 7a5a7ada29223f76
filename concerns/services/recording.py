"""Recording a concern: drafts while the person types, one transaction at submission, addenda after."""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from accounts.models import User
from audit.models import AuditEntry
from audit.services import audit_record
from concerns import policy
from concerns.models import (
    Addendum,
    Attachment,
    BodyMapMark,
    Category,
    Child,
    Concern,
    ConcernChild,
    ConcernDraft,
)
from concerns.services.alerts import alerts_raise_for_submission
from concerns.services.shares import shares_grant_to_named_recipients
from concerns.uploads import validate_upload

# A draft holds what a form would post; more than this is not a draft someone is typing.
DRAFT_MAX_FIELDS = 200
DRAFT_MAX_CHARS = 200_000


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


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _store_attachment(*, concern: Concern, upload: UploadedFile, uploaded_by: User) -> Attachment:
    kind = validate_upload(upload)
    attachment = Attachment(
        concern=concern,
        original_name=upload.name[:255],
        content_type=kind.content_type,
        size=upload.size,
        sha256=_sha256(upload),
        uploaded_by=uploaded_by,
    )
    attachment.file.save("upload", upload, save=False)
    attachment.full_clean()
    attachment.save()
    return attachment


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
) -> tuple[Concern, bool]:
    """Submit a concern to the DSL team; the same submission key always yields the same one concern.

    Returns the concern and whether this call created it (False for a double click or a retry).
    """
    existing = Concern.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return _same_author_or_deny(existing, author), False
    if not children:
        raise ValidationError("A concern names at least one child.")
    sites = {link.child.site_id for link in children}
    if len(sites) != 1 or not policy.children_recordable_by(author).filter(
        id__in=[link.child.id for link in children]
    ).count() == len(children):
        raise PermissionDenied("The user may not record about these children.")
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
            concern.full_clean()
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
    ConcernDraft.objects.filter(key=submission_key, author=author).delete()
    audit_record(
        actor=author,
        event="concern.submitted",
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
        event="concern.addendum_added",
        target=concern,
        action=AuditEntry.Action.UPDATE,
        fields=["addendum.text"],
        site_id=concern.site_id,
    )
    return addendum


@transaction.atomic
def draft_save(*, author: User, key: uuid.UUID, data: dict[str, list[str]]) -> ConcernDraft:
    """Keep what the person has typed so far. A key already used for a concern saves nothing new."""
    if Concern.objects.filter(submission_key=key).exists():
        raise ValidationError("This concern has already been submitted.")
    if len(data) > DRAFT_MAX_FIELDS or sum(len(v) for values in data.values() for v in values) > DRAFT_MAX_CHARS:
        raise ValidationError("This draft is too large to save.")
    draft, created = ConcernDraft.objects.select_for_update().get_or_create(
        key=key, defaults={"author": author, "data": data}
    )
    if draft.author_id != author.pk:
        raise PermissionDenied("Drafts are private to their author.")
    if not created:
        draft.data = data
        draft.save(update_fields=["data", "updated_at"])
    return draft


@transaction.atomic
def draft_discard(*, author: User, key: uuid.UUID) -> None:
    ConcernDraft.objects.filter(key=key, author=author).delete()
