"""Reads of concerns and children, each starting from what the user may see."""

import uuid

from django.db.models import Q, QuerySet

from concerns import policy
from concerns.choices import ChildRole
from concerns.models import Child, Concern, ConcernDraft, Notification, Share

SEARCH_LIMIT = 25


def children_matching(user, query: str, *, recordable_only: bool = False) -> QuerySet[Child]:
    """Children on the roll of the user's sites whose name, preferred name or UPN matches."""
    query = query.strip()
    if not query:
        return Child.objects.none()
    roll = policy.children_recordable_by(user) if recordable_only else policy.children_on_roll_for(user)
    return children_named(roll, query)[:SEARCH_LIMIT]


def children_named(children: QuerySet[Child], query: str) -> QuerySet[Child]:
    """Those of `children` whose first, last or preferred name holds every word typed (up to four),
    or whose UPN is the word; by surname. The trigram index child_names_trgm serves it."""
    for word in query.split()[:4]:
        children = children.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
            | Q(upn__iexact=word)
        )
    return children.select_related("site").order_by("last_name", "first_name", "id")


def concerns_written_by(user) -> QuerySet[Concern]:
    """'My concerns': what the user wrote and may still see, newest first."""
    return policy.concerns_visible_to(user).filter(author=user.pk).order_by("-recorded_at", "-id")


def concern_for_reading(user, pk: int) -> Concern | None:
    return (
        policy.concerns_visible_to(user)
        .select_related("site", "author", "restriction_lifted_by", "reviewed_by", "claimed_by", "owner")
        .prefetch_related("child_links__child", "categories", "addenda__author", "attachments", "body_marks")
        .filter(pk=pk)
        .first()
    )


def drafts_of(user) -> QuerySet[ConcernDraft]:
    return ConcernDraft.objects.filter(author=user.pk).order_by("-updated_at")


def draft_of(user, key: uuid.UUID) -> ConcernDraft | None:
    return ConcernDraft.objects.filter(author=user.pk, key=key).first()


def children_chosen(user, ids_and_roles: list[tuple[int, str]]) -> list[tuple[Child, str]]:
    """The recordable children among those a form or draft names, in the order named."""
    found = policy.children_recordable_by(user).in_bulk([child_id for child_id, _ in ids_and_roles])
    return [
        (found[child_id], role if role in ChildRole.values else ChildRole.SUBJECT)
        for child_id, role in ids_and_roles
        if child_id in found
    ]


def submitted_concern_id(user, key: uuid.UUID) -> int | None:
    """The concern this recording key became, if the user submitted it."""
    return Concern.objects.filter(submission_key=key, author=user.pk).values_list("id", flat=True).first()


def key_belongs_to_someone_else(user, key: uuid.UUID) -> bool:
    """A recording key already used by another person, for a draft or a concern."""
    return (
        ConcernDraft.objects.filter(key=key).exclude(author=user.pk).exists()
        or Concern.objects.filter(submission_key=key).exclude(author=user.pk).exists()
    )


UNREAD_SHOWN = 20


def notifications_unread_for(user, *, limit: int = UNREAD_SHOWN) -> list[Notification]:
    """The newest unread alerts about concerns the user may still open (access can end after an
    alert was raised), at most `limit`.

    Read from the person's own unread alerts (a partial index), a few more than are shown at a
    time, then only those few concerns are checked against the policy: filtering by every concern
    the user may see walks a whole site (measured: 440 ms at 1,000,000 concerns). An alert whose
    concern is no longer open to them is rare, so the first batch nearly always fills the list.
    """
    unread = (
        Notification.objects.filter(recipient=user.pk, read_at__isnull=True)
        .select_related("concern__site")
        .only("concern_id", "kind", "created_at", "is_urgent", "concern__site__name")  # not the concerns' text
        .order_by("-created_at", "-id")
    )
    batch = limit + 5
    shown: list[Notification] = []
    for start in range(0, batch * 20, batch):
        candidates = list(unread[start : start + batch])
        openable = set(
            policy.concerns_visible_to(user)
            .filter(id__in=[notification.concern_id for notification in candidates])
            .values_list("id", flat=True)
        )
        shown += [notification for notification in candidates if notification.concern_id in openable]
        if len(shown) >= limit or len(candidates) < batch:
            break
    return shown[:limit]


def child_for_sharing(user, pk: int) -> Child | None:
    """A child whose record the user may share."""
    child = Child.objects.filter(pk=pk).first()
    return child if child is not None and policy.can_share_child(user, child) else None


def share_managed_by(user, pk: int, *, lock: bool = False) -> Share | None:
    """A share the user may list, name or end: they must be able to see what was shared.

    With lock, the share's row is locked for the rest of the transaction, so two clicks on
    "end share" end it once.
    """
    shares = Share.objects.select_for_update(of=("self",)) if lock else Share.objects
    share = shares.select_related("grantee", "concern", "child").filter(pk=pk).first()
    return share if share is not None and policy.can_manage_share(user, share) else None


def shares_live_on(concern: Concern) -> QuerySet[Share]:
    """Shares of this concern, or of its children, still granting access."""
    child_ids = concern.child_links.values("child_id")
    live = policy.shares_live()
    return (
        live.filter(
            id__in=live.filter(concern=concern)
            .order_by()
            .values("id")
            .union(live.filter(child_id__in=child_ids).order_by().values("id"))
        )
        .select_related("grantee", "granted_by", "child")
        .order_by("ends_on")
    )


def shares_received_by(user) -> QuerySet[Share]:
    """The shares giving this user access today."""
    return policy.shares_granting(user).select_related("granted_by", "child", "concern").order_by("ends_on")


def concerns_shared_with(user) -> QuerySet[Concern]:
    """The concerns a user reads only because they were shared with them."""
    shared_ids = policy.concern_ids_shared_with(user)
    return (
        policy.concerns_visible_to(user)
        .filter(id__in=shared_ids)
        .prefetch_related("child_links__child", "categories")
        .order_by("-recorded_at")
    )
