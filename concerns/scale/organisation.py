"""The fictional organisation: sites, people, children, concerns, their review, shares and alerts.

Names come from the short invented word lists below. One site is large (a fifth of the children
and concerns once there are ten sites or more); the rest share the remainder. Each site has a DSL,
deputies, staff (about one for twenty children), an administrator and an auditor. How far each
concern has come through the review loop by now is concerns/scale/review.py's.
"""

import datetime
import itertools
import random
import uuid
from array import array
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership, Organisation, Site, User
from concerns.choices import ChildRole, NotificationKind
from concerns.models import (
    Addendum,
    Category,
    Child,
    ChildUserObjectPermission,
    Closure,
    Concern,
    ConcernChild,
    ConcernUserObjectPermission,
    Escalation,
    Notification,
    ReviewDecision,
    Share,
)
from concerns.scale.review import REVIEW_COLUMNS, ReviewSimulator
from concerns.scale.writer import Table

# Invented word lists: common first names, made-up surnames and places.
FIRST_NAMES = (
    "Ada",
    "Alfie",
    "Amara",
    "Arlo",
    "Bea",
    "Bram",
    "Cleo",
    "Dara",
    "Eli",
    "Esme",
    "Finn",
    "Freya",
    "Gus",
    "Hana",
    "Ivo",
    "Isla",
    "Jude",
    "Kit",
    "Lark",
    "Leo",
    "Mae",
    "Milo",
    "Nell",
    "Noor",
    "Ola",
    "Otis",
    "Pia",
    "Remy",
    "Rosa",
    "Sami",
    "Tess",
    "Theo",
    "Una",
    "Vito",
    "Wren",
    "Zara",
    "Ezra",
    "Iris",
    "Jonah",
    "Ruby",
)
SURNAME_STARTS = (
    "Fern",
    "Marrow",
    "Ash",
    "Bram",
    "Cress",
    "Dun",
    "Elder",
    "Gorse",
    "Hazel",
    "Ivy",
    "Kestrel",
    "Lark",
    "Moss",
    "Nettle",
    "Oak",
    "Reed",
    "Sedge",
    "Thorn",
    "Wold",
)
SURNAME_ENDS = ("sby", "field", "wick", "combe", "ley", "stead", "worth", "ridge", "hurst", "dale", "brook", "ford")
PLACES = (
    "Ashcombe",
    "Birchley",
    "Cressford",
    "Dunmere",
    "Elderwick",
    "Fennow",
    "Gorseby",
    "Hollin",
    "Ivybridge",
    "Kestle",
    "Larkmoor",
)
SITE_KINDS = ("Primary School", "Academy", "Junior School", "Infant School", "High School")
YEAR_GROUPS = ["Reception"] + [f"Year {n}" for n in range(1, 12)]
LOCATIONS = ("Classroom", "Playground", "Corridor", "Lunch hall", "School gate", "Library", "Sports hall", "")
OBSERVATIONS = (
    "Arrived without a coat in the rain and said they had not eaten breakfast.",
    "Was quiet and withdrawn all morning and did not want to go home at the end of the day.",
    "A bruise on the forearm, noticed when sleeves were rolled up for art.",
    "Mentioned an older friend met online who asked for photographs.",
    "Fell asleep twice in lessons and said they had been up late looking after a sibling.",
    "Talked about arguments at home and a door being broken.",
)
CHILD_WORDS = ("I don't want to go home today.", "He said not to tell anyone.", "Mum was crying again.", "")
ADDENDUM_TEXT = "Correction: this happened on the way in, not at break."
# Relative frequency of each category by name (restricted categories are rarer); others 1.
CATEGORY_WEIGHTS = {
    "Neglect": 14,
    "Low-level welfare concern": 14,
    "Emotional abuse": 8,
    "Mental health": 8,
    "Domestic abuse": 6,
    "Online safety": 6,
    "Physical abuse": 5,
    "Child-on-child abuse": 5,
    "Self-harm": 4,
    "Children missing education": 3,
    "Other": 3,
}
SPAN_DAYS = 3 * 365
IMMEDIATE_DANGER = 0.01


@dataclass
class SiteRoster:
    """Who works at one site and which children are on its roll (ids only)."""

    id: int
    code: str
    weight: float
    dsl: int = 0
    deputies: list[int] = field(default_factory=list)
    staff: list[int] = field(default_factory=list)
    admin: int = 0
    auditor: int = 0
    first_child: int = 0
    child_count: int = 0
    concerns: array = field(default_factory=lambda: array("q"))

    @property
    def dsl_team(self) -> list[int]:
        return [self.dsl, *self.deputies]

    @property
    def recorders(self) -> list[int]:
        return [*self.staff, *self.deputies, self.dsl]


@dataclass
class Person:
    email: str
    full_name: str
    roles: str  # as the ledger records them: "dsl@ashco1"


@dataclass
class Generated:
    """The generated organisation as the ledger generator needs it: ids and times, in memory."""

    sites: list[SiteRoster]
    people: dict[int, Person]
    start: datetime.datetime
    concern_site: array = field(default_factory=lambda: array("l"))  # index: concern id - first
    concern_author: array = field(default_factory=lambda: array("q"))
    concern_time: array = field(default_factory=lambda: array("d"))
    concern_danger: array = field(default_factory=lambda: array("b"))  # 1: the child is in immediate danger
    concern_children: list[tuple[int, ...]] = field(default_factory=list)
    concern_links: array = field(default_factory=lambda: array("q"))  # first ConcernChild id
    concern_categories: list[tuple[int, ...]] = field(default_factory=list)  # category ids
    category_names: dict[int, str] = field(default_factory=dict)
    first_concern: int = 1
    user_ids: list[int] = field(default_factory=list)
    membership_ids: list[tuple[int, int]] = field(default_factory=list)  # (membership id, site id)
    children: tuple[int, int] = (1, 0)  # first id, count

    def site(self, site_id: int) -> SiteRoster:
        return self.sites_by_id[site_id]

    def __post_init__(self) -> None:
        self.sites_by_id = {site.id: site for site in self.sites}


def site_weights(count: int) -> list[float]:
    """One large site (a fifth once there are ten or more, else twice a normal share), the rest equal."""
    if count == 1:
        return [1.0]
    large = max(0.2, 2 / (count + 1))
    return [large] + [(1 - large) / (count - 1)] * (count - 1)


def spread(total: int, weights: list[float]) -> list[int]:
    """`total` split by weight into whole numbers that add up to it."""
    shares = [int(total * weight) for weight in weights]
    for index in range(total - sum(shares)):
        shares[index % len(shares)] += 1
    return shares


class OrganisationBuilder:
    """Writes the organisation's tables and returns what the ledger needs to know of it."""

    def __init__(self, *, sites: int, children: int, concerns: int, seed: int, log, days: int = SPAN_DAYS):
        self.seed = seed
        self.rng = random.Random(seed)
        self.site_count, self.child_total, self.concern_total = sites, children, concerns
        self.log = log
        self.now = timezone.now().replace(microsecond=0)
        self.span_days = days
        self.start = self.now - datetime.timedelta(days=days)
        self.today = timezone.localdate()
        self.tables: list[Table] = []
        self.review: ReviewSimulator

    def table(self, model, columns) -> Table:
        table = Table(model, columns)
        self.tables.append(table)
        return table

    def build(self) -> Generated:
        Organisation.current()
        org = Generated(sites=self._sites(), people={}, start=self.start)
        self.review = ReviewSimulator(seed=self.seed, now=self.now, site_ids=[site.id for site in org.sites])
        self._people(org)
        self._children(org)
        self._concerns(org)
        self._shares(org)
        return org

    # Sites and people -------------------------------------------------------------------------

    def _sites(self) -> list[SiteRoster]:
        table = self.table(Site, ["id", "name", "code"])
        first = table.next_id()
        rosters, rows = [], []
        for number, weight in enumerate(site_weights(self.site_count)):
            place, kind = PLACES[number % len(PLACES)], SITE_KINDS[(number // len(PLACES)) % len(SITE_KINDS)]
            code = f"{place[:5].lower()}{first + number}"
            rows.append((first + number, f"{place} {kind} {first + number}", code))
            rosters.append(SiteRoster(id=first + number, code=code, weight=weight))
        table.write(rows)
        self.log(f"sites: {len(rows)}")
        return rosters

    def _people(self, org: Generated) -> None:
        users = self.table(User, ["id", "password", "email", "full_name", "date_joined"])
        memberships = self.table(Membership, ["id", "user_id", "site_id", "role", "starts_on", "ends_on"])
        next_user, next_membership = users.next_id(), memberships.next_id()
        password = make_password(None)  # unusable: these people never sign in with a password
        user_rows, membership_rows = [], []
        child_counts = spread(self.child_total, [site.weight for site in org.sites])
        for site, child_count in zip(org.sites, child_counts, strict=True):
            roles = [Role.DSL, Role.ADMIN, Role.AUDITOR] + [Role.DEPUTY_DSL] * (4 if site is org.sites[0] else 2)
            roles += [Role.STAFF] * max(3, child_count // 20)
            for role in roles:
                user_id = next_user
                next_user += 1
                first, last = self.rng.choice(FIRST_NAMES), self._surname()
                email = f"{first}.{last}.{user_id}@{site.code}.example.org".lower()
                user_rows.append((user_id, password, email, f"{first} {last}", self.start))
                ends_on = self.today + datetime.timedelta(days=365) if role == Role.AUDITOR else None
                membership_rows.append((next_membership, user_id, site.id, role, self.start.date(), ends_on))
                org.membership_ids.append((next_membership, site.id))
                next_membership += 1
                org.people[user_id] = Person(email, f"{first} {last}", f"{role}@{site.code}")
                org.user_ids.append(user_id)
                self._place(site, role, user_id)
        users.write(user_rows)
        memberships.write(membership_rows)
        self.log(f"people: {len(user_rows)}, memberships: {len(membership_rows)}")
        for site, child_count in zip(org.sites, child_counts, strict=True):
            site.child_count = child_count

    @staticmethod
    def _place(site: SiteRoster, role: str, user_id: int) -> None:
        if role == Role.DSL:
            site.dsl = user_id
        elif role == Role.DEPUTY_DSL:
            site.deputies.append(user_id)
        elif role == Role.ADMIN:
            site.admin = user_id
        elif role == Role.AUDITOR:
            site.auditor = user_id
        else:
            site.staff.append(user_id)

    def _surname(self) -> str:
        return self.rng.choice(SURNAME_STARTS) + self.rng.choice(SURNAME_ENDS)

    # Children -----------------------------------------------------------------------------------

    def _children(self, org: Generated) -> None:
        table = self.table(
            Child, ["id", "site_id", "first_name", "last_name", "preferred_name", "date_of_birth", "upn", "year_group"]
        )
        first = next_id = table.next_id()
        rng = self.rng

        def rows():
            nonlocal next_id
            for site in org.sites:
                site.first_child = next_id
                for _ in range(site.child_count):
                    year = rng.randrange(len(YEAR_GROUPS))
                    born = datetime.date(self.today.year - 5 - year, rng.randint(1, 12), rng.randint(1, 28))
                    preferred = rng.choice(FIRST_NAMES) if rng.random() < 0.05 else ""
                    # UPNs with local-authority code 999, which no authority holds.
                    upn = f"Z999{next_id:09d}"
                    yield (
                        next_id,
                        site.id,
                        rng.choice(FIRST_NAMES),
                        self._surname(),
                        preferred,
                        born,
                        upn,
                        YEAR_GROUPS[year],
                    )
                    next_id += 1

        table.write(rows())
        org.children = (first, next_id - first)
        self.log(f"children: {next_id - first}")

    # Concerns -----------------------------------------------------------------------------------

    def _categories(self) -> tuple[list[Category], list[int]]:
        categories = list(Category.objects.filter(is_active=True).order_by("position", "id"))
        return categories, [CATEGORY_WEIGHTS.get(category.name, 1) for category in categories]

    def _concerns(self, org: Generated) -> None:
        """Plan every concern (site, author, time, children, categories), then write each table in turn."""
        categories, weights = self._categories()
        org.category_names = {category.pk: category.name for category in categories}
        restricted = {category.pk for category in categories if category.is_restricted}
        concern_table = self.table(
            Concern,
            [
                "id",
                "submission_key",
                "site_id",
                "author_id",
                "is_restricted",
                "occurred_at",
                "recorded_at",
                "is_disclosure",
                "child_words",
                "observations",
                "location",
                "immediate_danger",
                "called_999",
                "delay_reason",
                *REVIEW_COLUMNS,
            ],
        )
        links = self.table(ConcernChild, ["id", "concern_id", "child_id", "role"])
        chosen_categories = self.table(Concern.categories.through, ["id", "concern_id", "category_id"])
        org.first_concern, first_link = concern_table.next_id(), links.next_id()
        self._plan_concerns(org, first_link, categories, weights)
        concern_table.write(self._concern_row(org, index, restricted) for index in range(self.concern_total))
        links.write(self._link_rows(org))
        first_category = chosen_categories.next_id()
        chosen_categories.write(
            (first_category + number, concern_id, category_id)
            for number, (concern_id, category_id) in enumerate(
                (org.first_concern + index, category_id)
                for index, ids in enumerate(org.concern_categories)
                for category_id in ids
            )
        )
        self.log(f"concerns: {self.concern_total}, children named: {links.written}")
        self._review_rows(org)
        self._notifications(org)
        self._addenda(org)

    def _plan_concerns(self, org: Generated, first_link: int, categories, weights) -> None:
        rng, sites = self.rng, list(org.sites)
        cum_weights = list(itertools.accumulate(site.weight for site in sites))
        step = self.span_days * 86400 / max(self.concern_total, 1)
        start, next_link = self.start.timestamp(), first_link
        for number in range(self.concern_total):
            site = rng.choices(sites, cum_weights=cum_weights)[0]
            children = self._children_named(site)
            org.concern_site.append(site.id)
            org.concern_author.append(rng.choice(site.staff) if rng.random() < 0.85 else rng.choice(site.recorders))
            org.concern_time.append(start + (number + rng.random()) * step)
            org.concern_danger.append(rng.random() < IMMEDIATE_DANGER)
            org.concern_children.append(children)
            org.concern_links.append(next_link)
            next_link += len(children)
            picked = rng.choices(categories, weights, k=rng.choice((1, 1, 1, 2)))
            org.concern_categories.append(tuple(dict.fromkeys(category.pk for category in picked)))
            site.concerns.append(org.first_concern + number)
        self._danger_awaiting(org)

    def _danger_awaiting(self, org: Generated) -> None:
        """A few concerns in immediate danger at each site that nobody has picked up yet: rare in life,
        but the queue must be measured with them at its top."""
        for site in org.sites:
            recent = []
            for concern_id in reversed(site.concerns):
                index = concern_id - org.first_concern
                if not self.review.is_recent(site.id, org.concern_time[index]):
                    break
                recent.append(index)
            for index in self.review.danger_to_force(recent):
                org.concern_danger[index] = True

    def _link_rows(self, org: Generated):
        for index, children in enumerate(org.concern_children):
            for position, child_id in enumerate(children):
                role = ChildRole.SUBJECT if position == 0 else self.rng.choice((ChildRole.INVOLVED, ChildRole.WITNESS))
                yield (org.concern_links[index] + position, org.first_concern + index, child_id, role)

    def _concern_row(self, org: Generated, index: int, restricted: set[int]) -> tuple:
        rng = self.rng
        recorded_at = datetime.datetime.fromtimestamp(org.concern_time[index], datetime.UTC)
        late = rng.random() < 0.1
        occurred_at = recorded_at - datetime.timedelta(minutes=rng.randint(5, 240) + (1440 if late else 0))
        danger, disclosure = bool(org.concern_danger[index]), rng.random() < 0.15
        site = org.site(org.concern_site[index])
        review = self.review.columns(index, site_id=site.id, team=site.dsl_team, recorded=recorded_at, danger=danger)
        return (
            org.first_concern + index,
            uuid.UUID(int=rng.getrandbits(128), version=4),
            org.concern_site[index],
            org.concern_author[index],
            not restricted.isdisjoint(org.concern_categories[index]),
            occurred_at,
            recorded_at,
            disclosure,
            rng.choice(CHILD_WORDS) if disclosure else "",
            rng.choice(OBSERVATIONS),
            rng.choice(LOCATIONS),
            danger,
            True if danger else None,
            "Recorded the next morning after a school trip." if late else "",
            *review,
        )

    def _review_rows(self, org: Generated) -> None:
        """Each reviewed concern's decision, each closed one's closure, each escalation the sweep fired."""
        for model, columns, rows in (
            (ReviewDecision, ["decided_by_id", "decided_at", "decision", "rationale"], self.review.decision_rows),
            (Closure, ["closed_by_id", "closed_at", "outcome", "reason"], self.review.closure_rows),
            (Escalation, ["level", "due_at", "escalated_at"], self.review.escalation_rows),
        ):
            table = self.table(model, ["id", "concern_id", *columns])
            table.write(rows(table.next_id(), org.first_concern))
            self.log(f"{model._meta.verbose_name_plural}: {table.written}")

    def _children_named(self, site: SiteRoster) -> tuple[int, ...]:
        # A few children are named in many concerns, most in few or none (a skew, not uniform).
        rng, count = self.rng, site.child_count
        draw = rng.random()
        how_many = 1 if draw < 0.85 else 2 if draw < 0.97 else 3
        named: list[int] = []
        while len(named) < min(how_many, count):
            child = site.first_child + int(count * rng.random() ** 1.5)
            if child not in named:
                named.append(child)
        return tuple(named)

    def _notifications(self, org: Generated) -> None:
        """Every concern alerts its site's DSL team, and alerts them again (urgently) if it reached the
        first escalation; the review clears a concern's alerts, a claim the claimer's."""
        table = self.table(
            Notification,
            ["id", "recipient_id", "concern_id", "kind", "created_at", "read_at", "is_urgent", "email_sent_at"],
        )
        next_id = table.next_id()
        emailed_after = datetime.timedelta(seconds=30)

        def rows():
            nonlocal next_id
            for index, site_id in enumerate(org.concern_site):
                recorded = datetime.datetime.fromtimestamp(org.concern_time[index], datetime.UTC)
                alerts = [(recorded, NotificationKind.CONCERN_SUBMITTED, bool(org.concern_danger[index]))]
                if overdue_at := self.review.overdue_at(index):
                    alerts.append((overdue_at, NotificationKind.OVERDUE, True))
                for at, kind, urgent in alerts:
                    for recipient in org.site(site_id).dsl_team:
                        read_at = self.review.alerts_read_at(index, recipient, created=at)
                        emailed = min(at + emailed_after, self.now)
                        yield (next_id, recipient, org.first_concern + index, kind, at, read_at, urgent, emailed)
                        next_id += 1

        table.write(rows())
        self.log(f"notifications: {table.written}")

    def _addenda(self, org: Generated) -> None:
        table = self.table(Addendum, ["id", "concern_id", "author_id", "created_at", "text"])
        next_id = table.next_id()
        rows = []
        for index in range(0, len(org.concern_site)):
            if self.rng.random() < 0.03:
                at = datetime.datetime.fromtimestamp(org.concern_time[index], datetime.UTC)
                rows.append(
                    (
                        next_id,
                        org.first_concern + index,
                        org.concern_author[index],
                        at + datetime.timedelta(hours=3),
                        ADDENDUM_TEXT,
                    )
                )
                next_id += 1
        table.write(rows)

    # Shares -------------------------------------------------------------------------------------

    def _shares(self, org: Generated) -> None:
        """A few concerns and children shared with a member of staff, some still live, some ended."""
        shares = self.table(
            Share,
            [
                "id",
                "grantee_id",
                "granted_by_id",
                "concern_id",
                "child_id",
                "reason",
                "ends_on",
                "created_at",
                "revoked_at",
                "revoked_by_id",
            ],
        )
        concern_grants = self.table(
            ConcernUserObjectPermission, ["id", "permission_id", "user_id", "content_object_id"]
        )
        child_grants = self.table(ChildUserObjectPermission, ["id", "permission_id", "user_id", "content_object_id"])
        view_concern = Permission.objects.get(codename="view_concern", content_type__app_label="concerns").pk
        view_child = Permission.objects.get(codename="view_child", content_type__app_label="concerns").pk
        ids = {"share": shares.next_id(), "concern": concern_grants.next_id(), "child": child_grants.next_id()}
        share_rows, concern_rows, child_rows = [], [], []
        picks = [("concern", index) for index in range(len(org.concern_site)) if self.rng.random() < 0.002]
        first_child, child_count = org.children
        picks += [("child", first_child + n) for n in range(child_count) if self.rng.random() < 0.0005]
        for kind, value in picks:
            site = org.site(org.concern_site[value]) if kind == "concern" else self._site_of_child(org, value)
            grantee = self.rng.choice(site.staff)
            created = self.now - datetime.timedelta(days=self.rng.randint(1, 400))
            ends_on = created.date() + datetime.timedelta(days=self.rng.choice((30, 60, 90, 365)))
            revoked = created + datetime.timedelta(days=7) if self.rng.random() < 0.1 else None
            concern_id = org.first_concern + value if kind == "concern" else None
            child_id = value if kind == "child" else None
            share_rows.append(
                (
                    ids["share"],
                    grantee,
                    site.dsl,
                    concern_id,
                    child_id,
                    "Form tutor supporting the plan.",
                    ends_on,
                    created,
                    revoked,
                    site.dsl if revoked else None,
                )
            )
            ids["share"] += 1
            if revoked is None and ends_on >= self.today:
                rows, permission = (concern_rows, view_concern) if kind == "concern" else (child_rows, view_child)
                rows.append((ids[kind], permission, grantee, concern_id or child_id))
                ids[kind] += 1
        shares.write(share_rows)
        concern_grants.write(concern_rows)
        child_grants.write(child_rows)
        self.log(f"shares: {len(share_rows)} ({len(concern_rows) + len(child_rows)} live)")

    @staticmethod
    def _site_of_child(org: Generated, child_id: int) -> SiteRoster:
        for site in org.sites:
            if site.first_child <= child_id < site.first_child + site.child_count:
                return site
        raise ValueError(child_id)
