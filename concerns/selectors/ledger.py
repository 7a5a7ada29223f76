"""Reads for the ledger pages and the child page, from what the reader's roles let them see.

The audit app knows no domain model: these functions turn sites into the plain id subqueries
(by content type) that audit.selectors filters the ledger with.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from accounts.models import Membership, User
from audit import selectors as ledger
from concerns import policy
from concerns.models import Addendum, Attachment, BodyMapMark, Child, Concern, ConcernChild


def type_id(model) -> int:
    return ContentType.objects.get_for_model(model).id


def child_list_type_ids() -> tuple[int, ...]:
    """Entries of these types list the children they are about in object_ids."""
    return (type_id(Child), type_id(Concern))


def whole_sites_scope(sites: list[int]) -> ledger.LedgerScope:
    """Everything on the ledger about these sites: theirs, and unsited entries about their objects."""
    # The reader's few sites as literal ids: each row's check is then an index lookup by site the
    # planner can estimate, not a subquery of memberships (DESIGN.md section 6).
    concern_ids = Concern.objects.filter(site_id__in=sites).values("id")
    return ledger.LedgerScope(
        site_ids=sites,
        objects={
            type_id(Child): Child.objects.filter(site_id__in=sites).values("id"),
            type_id(Concern): concern_ids,
            type_id(ConcernChild): ConcernChild.objects.filter(concern_id__in=concern_ids).values("id"),
            type_id(Addendum): Addendum.objects.filter(concern_id__in=concern_ids).values("id"),
            type_id(Attachment): Attachment.objects.filter(concern_id__in=concern_ids).values("id"),
            type_id(BodyMapMark): BodyMapMark.objects.filter(concern_id__in=concern_ids).values("id"),
            **_account_objects(sites),
        },
        child_ids=Child.objects.filter(site_id__in=sites).values("id"),
        child_list_type_ids=child_list_type_ids(),
    )


def _account_objects(site_ids: list[int]) -> dict[int, QuerySet]:
    memberships = Membership.objects.filter(site_id__in=site_ids)
    return {type_id(User): memberships.values("user_id"), type_id(Membership): memberships.values("id")}


def account_events_scope(site_ids: list[int]) -> ledger.LedgerScope:
    return ledger.LedgerScope(
        site_ids=site_ids,
        objects=_account_objects(site_ids),
        event_prefixes=ledger.ACCOUNT_EVENT_PREFIXES,
        unattributed_events=ledger.SIGN_IN_FAILURE_EVENTS,
    )


def members_of(sites: list[int]) -> QuerySet[User]:
    """People with a membership at these sites: who the ledger can be filtered by."""
    return User.objects.filter(id__in=Membership.objects.filter(site_id__in=sites).values("user_id"))


def child_for_record_page(user, pk: int) -> Child | None:
    """A child whose page the user may open: on the roll of a site where they are DSL team or auditor."""
    return policy.children_with_record_page_for(user).select_related("site").filter(pk=pk).first()


def concerns_about(user, child: Child) -> QuerySet[Concern]:
    """The concerns naming this child that the user may read, newest first."""
    return (
        policy.concerns_visible_to(user)
        .filter(id__in=ConcernChild.objects.filter(child=child).values("concern_id"))
        .order_by("-recorded_at", "-id")
    )


def about_concerns_not_among(concern_ids: set[int]) -> Q:
    """Ledger entries about a concern (or a file on one) outside these ids: what a page must not
    list to a reader who may see only these concerns."""
    attachments = Attachment.objects.filter(concern_id__in=concern_ids).values("id")
    return (Q(content_type_id=type_id(Concern)) & ~Q(object_id__in=concern_ids)) | (
        Q(content_type_id=type_id(Attachment)) & ~Q(object_id__in=attachments)
    )
