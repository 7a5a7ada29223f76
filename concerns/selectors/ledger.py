"""Reads for the ledger pages and the child page, from what the reader's roles let them see.

The audit app knows no domain model: these functions turn sites into the plain id subqueries
(by content type) that audit.selectors filters the ledger with.
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from accounts.models import Membership, Site, User
from audit import selectors as ledger
from audit.models import AuditEntry, AuditEntryObject
from concerns import policy
from concerns.models import Addendum, Attachment, BodyMapMark, Child, Concern, ConcernChild

# What a child's name is made of: the page reads no more of their record than that.
CHILD_NAME_FIELDS = ("id", "first_name", "last_name", "preferred_name")


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


@dataclass(frozen=True)
class LedgerNames:
    """What the ledger may call the people, children, concerns and sites on some of its entries,
    for one reader, read from the records now: the ledger itself stores only ids.

    children: the names of the children the reader may see (anyone else stays a number);
    concerns: the concerns among those named that the reader may open.
    """

    children: dict[int, str] = field(default_factory=dict)
    concerns: frozenset[int] = frozenset()
    people: dict[int, str] = field(default_factory=dict)
    sites: dict[int, str] = field(default_factory=dict)
    site_codes: dict[str, str] = field(default_factory=dict)


def children_named_by(entry: AuditEntry) -> list[int]:
    """The children an entry is about: the child itself, or those an entry about children or concerns lists."""
    named = list((entry.additional_data or {}).get("object_ids", [])) if _lists_children(entry) else []
    if entry.content_type_id == type_id(Child) and entry.object_id is not None:
        named.insert(0, entry.object_id)
    return named


def _lists_children(entry: AuditEntry) -> bool:
    return entry.content_type_id in child_list_type_ids()


def _objects_of(entries: list[AuditEntry], model) -> set[int]:
    wanted = type_id(model)
    return {entry.object_id for entry in entries if entry.content_type_id == wanted and entry.object_id is not None}


def ledger_names_for(user, sight: policy.LedgerSight, entries: list[AuditEntry]) -> LedgerNames:
    """Names for a page of entries in a few queries whatever its length: one each for the children,
    the concerns, the people and the sites (DESIGN.md section 6: never a query per row)."""
    # Whose names and links the reader gets is the policy's to say: an administrator's or a deputy's
    # sight holds no child, and their concerns are only those they may read.
    child_ids = {pk for entry in entries for pk in children_named_by(entry)}
    concern_ids = _objects_of(entries, Concern)
    people_ids = {entry.actor_id for entry in entries if entry.actor_id} | _objects_of(entries, User)
    children = policy.children_named_on_ledger_for(sight).filter(id__in=sorted(child_ids)) if child_ids else None
    concerns = policy.concerns_visible_to(user).filter(id__in=sorted(concern_ids)) if concern_ids else None
    people = User.objects.filter(id__in=sorted(people_ids)).values_list("id", "full_name") if people_ids else []
    sites = list(Site.objects.values_list("id", "code", "name"))
    return LedgerNames(
        children={child.id: child.display_name for child in children.only(*CHILD_NAME_FIELDS)} if children else {},
        concerns=frozenset(concerns.values_list("id", flat=True)) if concerns else frozenset(),
        people={pk: name for pk, name in people if name},
        sites={pk: name for pk, _, name in sites},
        site_codes={code: name for _, code, name in sites},
    )


def children_named_among(sight: policy.LedgerSight, entries: QuerySet[AuditEntry]) -> list[int]:
    """Every child the reader may see that any of these entries names: whose names an export gives.

    One query over the entries (as the export's own count is), through AuditEntryObject's index."""
    if not sight.reads_children:
        return []
    itself = entries.filter(content_type_id=type_id(Child)).order_by().values("object_id")
    listed = AuditEntryObject.objects.filter(
        entry_type_id__in=list(child_list_type_ids()), entry_id__in=entries.order_by().values("id")
    ).values("object_id")
    named = policy.children_named_on_ledger_for(sight).filter(id__in=itself.union(listed))
    return list(named.order_by("id").values_list("id", flat=True))
