"""Sharing: a DSL or deputy grants one named person one concern or one child's record, for a reason,
until a date. The grant is a django-guardian object permission; the Share row is its record."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import User
from audit import events
from audit.models import AuditEntry
from audit.services import audit_record
from concerns import policy
from concerns.models import Child, Concern, Share

LONGEST_SHARE = datetime.timedelta(days=366)


def _check_grant(*, granted_by: User, grantee: User, site_id: int, ends_on: datetime.date, reason: str) -> None:
    today = timezone.localdate()
    if grantee.pk == granted_by.pk:
        raise ValidationError({"grantee": "You cannot share with yourself."})
    if not grantee.is_active or not policy.may_hold_share(grantee, site_id):
        raise ValidationError(
            {
                "grantee": "Choose someone working at this school as staff or on the DSL team "
                "(not an administrator or auditor)."
            }
        )
    if ends_on < today:
        raise ValidationError({"ends_on": "The end date cannot be in the past."})
    if ends_on > today + LONGEST_SHARE:
        raise ValidationError({"ends_on": "A share can last at most a year; share again if it is still needed."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why this person needs to see it."})


@transaction.atomic
def share_grant(
    *,
    granted_by: User,
    grantee: User,
    reason: str,
    ends_on: datetime.date,
    concern: Concern | None = None,
    child: Child | None = None,
) -> Share:
    """Let one named person read one concern, or every unrestricted concern about one child, until ends_on."""
    if (concern is None) == (child is None):
        raise ValueError("Share one concern or one child")
    target: Concern | Child
    if concern is not None:
        target, allowed = concern, policy.can_share(granted_by, concern)
    else:
        assert child is not None
        target, allowed = child, policy.can_share_child(granted_by, child)
    if not allowed:
        raise PermissionDenied("Only the DSL team of the school shares its records.")
    _check_grant(granted_by=granted_by, grantee=grantee, site_id=target.site_id, ends_on=ends_on, reason=reason)
    share = Share(
        grantee=grantee, granted_by=granted_by, concern=concern, child=child, reason=reason.strip(), ends_on=ends_on
    )
    share.full_clean()
    share.save()
    assign_perm("view_concern" if concern else "view_child", grantee, target)
    audit_record(
        actor=granted_by,
        event=events.SHARE_GRANTED,
        target=share,
        action=AuditEntry.Action.CREATE,
        object_ids=[grantee.pk],
        site_id=target.site_id,
        fields=["reason"],
    )
    return share


def _shared_target(share: Share) -> Concern | Child:
    target = share.concern or share.child
    assert target is not None  # a share is of one concern or one child (a database constraint)
    return target


def _end(share: Share, *, ended_by: User | None, event: str) -> None:
    """Close the share's record, take the grant away unless another live share still gives it, and audit."""
    share.revoked_at = timezone.now()
    share.revoked_by = ended_by
    share.save(update_fields=["revoked_at", "revoked_by"])
    target = _shared_target(share)
    still_shared = Share.objects.filter(
        grantee=share.grantee,
        concern=share.concern,
        child=share.child,
        revoked_at__isnull=True,
        ends_on__gte=timezone.localdate(),
    ).exists()
    if not still_shared:
        remove_perm("view_concern" if share.concern_id else "view_child", share.grantee, target)
    audit_record(
        actor=ended_by,
        event=event,
        target=share,
        action=AuditEntry.Action.UPDATE,
        object_ids=[share.grantee_id],
        site_id=target.site_id,
    )


@transaction.atomic
def share_revoke(*, revoked_by: User, share: Share) -> Share:
    """End a share now. The record of it stays; the access goes.

    The share's row is locked first, so a double click or two DSLs at once end it once."""
    share = Share.objects.select_for_update(of=("self",)).select_related("concern", "child", "grantee").get(pk=share.pk)
    if not policy.can_manage_share(revoked_by, share):
        raise PermissionDenied("Only the DSL team of the school, who can see what was shared, ends its shares.")
    if share.revoked_at is None:
        _end(share, ended_by=revoked_by, event=events.SHARE_REVOKED)
    return share


NAMED_RECIPIENT_REASON = "Named by the author to be told of this restricted concern."


def shares_grant_to_named_recipients(*, concern: Concern) -> list[Share]:
    """Give each person the author named on a restricted concern a recorded share of it, so that
    everyone told of it can open it. Called in the submitting transaction; the author is the
    grantor of record. Recipients who can already read it (the site's DSLs) need none."""
    if not concern.is_restricted:
        return []
    granted = []
    for grantee in concern.named_recipients.filter(is_active=True):
        if grantee.pk == concern.author_id or policy.can_read(grantee, concern):
            continue
        if not policy.may_hold_share(grantee, concern.site_id):
            continue
        share = Share(
            grantee=grantee,
            granted_by=concern.author,
            concern=concern,
            reason=NAMED_RECIPIENT_REASON,
            ends_on=timezone.localdate() + LONGEST_SHARE,
        )
        share.full_clean()
        share.save()
        assign_perm("view_concern", grantee, concern)
        audit_record(
            actor=concern.author,
            event=events.SHARE_GRANTED_TO_NAMED_RECIPIENT,
            target=share,
            action=AuditEntry.Action.CREATE,
            object_ids=[grantee.pk],
            site_id=concern.site_id,
            fields=["reason"],
        )
        granted.append(share)
    return granted


def shares_expire() -> int:
    """End every share past its last day (the periodic sweep). Each is ended once, in its own step."""
    ended = 0
    due = Share.objects.filter(revoked_at__isnull=True, ends_on__lt=timezone.localdate())
    for share_id in list(due.values_list("id", flat=True)):
        with transaction.atomic():
            share = Share.objects.select_for_update(of=("self",)).select_related("concern", "child").get(pk=share_id)
            if share.revoked_at is not None:
                continue
            _end(share, ended_by=None, event=events.SHARE_EXPIRED)
            ended += 1
    return ended
