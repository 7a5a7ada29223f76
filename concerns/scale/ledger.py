"""The generated organisation's ledger: what three years of use would have written, hashed in chain order.

The ledger is written oldest first, each entry sealed as it is written (chain_seq, prev_hash and
entry_hash exactly as audit.sealing would set them), carrying on from any chain already there,
so `manage.py audit_verify` passes on it. Its entries are the kinds real requests write:
field changes recorded by auditlog when people, children and concerns are created; the
submission of each concern; and reads (concerns and children viewed, searches that listed
children, sign-ins, the ledger itself), spread over the same years as the concerns.
"""

import datetime
import itertools
import random

from django.contrib.contenttypes.models import ContentType

from accounts.models import Membership, Site, User
from audit.chain import CONTENT_COLUMNS, GENESIS_HASH, canonical_form, content_type_labels, entry_hash
from audit.models import AuditEntry
from audit.sealing import audit_seal
from concerns.models import Child, Concern, ConcernChild
from concerns.scale.organisation import Generated, SiteRoster
from concerns.scale.writer import Table

CREATE, UPDATE, ACCESS = AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE, AuditEntry.Action.ACCESS
# Reads, by how often a day's use writes them.
READS = {
    "concern.viewed": 30,
    "child.searched": 20,
    "child.viewed": 12,
    "account.login": 9,
    "account.mfa_verified": 9,
    "account.logout": 5,
    "concern.list_viewed": 5,
    "ledger.viewed": 4,
    "access.denied": 2,
    "share.form_viewed": 1,
}
# Addresses from the documentation ranges (RFC 5737): no real client.
ADDRESSES = [f"{prefix}.{host}" for prefix in ("192.0.2", "198.51.100", "203.0.113") for host in range(1, 81)]
SUBMITTED_FIELDS = ["location", "observations"]


class LedgerGenerator:
    """Writes exactly `total` entries: field changes at set-up, each concern's submission, and reads."""

    def __init__(self, org: Generated, *, total: int, seed: int):
        self.org, self.total = org, total
        self.rng = random.Random(seed + 1)
        self.table = Table(AuditEntry, [*CONTENT_COLUMNS, "chain_seq", "prev_hash", "entry_hash"])
        self.next_id = self.table.next_id()
        self.labels = content_type_labels()
        self.types = {
            model: ContentType.objects.get_for_model(model).pk
            for model in (Site, User, Membership, Child, Concern, ConcernChild)
        }
        head = AuditEntry.objects.filter(chain_seq__isnull=False).order_by("-chain_seq")
        self.seq, self.prev_hash = head.values_list("chain_seq", "entry_hash").first() or (0, GENESIS_HASH)
        self.first_id = self.next_id
        self.read_kinds = list(READS)
        self.read_weights = list(itertools.accumulate(READS.values()))
        self.site_weights = list(itertools.accumulate(site.weight for site in org.sites))
        self.seen = {site.id: 0 for site in org.sites}  # concerns recorded so far, per site

    def write(self) -> int:
        return self.table.write(self._entries())

    @classmethod
    def after_sealing(cls, org: Generated, *, total: int, seed: int) -> "LedgerGenerator":
        """A generator that carries on from the chain's head once everything already written is sealed
        (creating the organisation's settings row wrote a field change)."""
        audit_seal()
        return cls(org, total=total, seed=seed)

    # The plan: how many of each -----------------------------------------------------------------

    def _plan(self) -> tuple[int, int]:
        """(set-up entries, index of the first concern whose submission is on the ledger)."""
        setup = min(len(self.org.sites) + 2 * len(self.org.user_ids) + self.org.children[1], self.total // 10)
        budget, first_bundled = self.total // 2, len(self.org.concern_site)
        while first_bundled > 0 and budget >= 3 + len(self.org.concern_children[first_bundled - 1]):
            first_bundled -= 1
            budget -= 3 + len(self.org.concern_children[first_bundled])
        return setup, first_bundled

    def _entries(self):
        setup, first_bundled = self._plan()
        yield from itertools.islice(self._setup(), setup)
        bundled = sum(3 + len(self.org.concern_children[i]) for i in range(first_bundled, len(self.org.concern_site)))
        reads = self.total - setup - bundled
        concerns = len(self.org.concern_site)
        start, written = self.org.start.timestamp(), 0
        for index in range(concerns):
            due = (index + 1) * reads // concerns
            previous = self.org.concern_time[index - 1] if index else start
            for _ in range(due - written):
                yield self._read(self.rng.uniform(previous, self.org.concern_time[index]))
            written = due
            self.seen[self.org.concern_site[index]] += 1
            if index >= first_bundled:
                yield from self._submission(index)
        for _ in range(reads - written):  # no concerns at all: reads only
            yield self._read(self.rng.uniform(start, start + 86400))

    # One entry ------------------------------------------------------------------------------------

    def _entry(
        self,
        when: float,
        *,
        actor: int | None,
        model,
        object_id=None,
        site_id=None,
        event="",
        action=ACCESS,
        changes=None,
        object_ids=(),
        fields=(),
        counts=None,
        role=True,
        cid=None,
    ) -> tuple:
        entry_id, self.next_id = self.next_id, self.next_id + 1
        person = self.org.people.get(actor) if actor is not None else None
        type_id = self.types[model]
        object_pk = "" if object_id is None else str(object_id)
        extra = {}
        if object_ids:
            extra["object_ids"] = sorted(set(object_ids))
        if fields:
            extra["fields"] = sorted(fields)
        if counts:
            extra["counts"] = counts
        content = (
            entry_id,
            datetime.datetime.fromtimestamp(when, datetime.UTC),
            actor,
            person.email if person else None,
            person.full_name if person else "",
            person.roles if person and role else "",
            site_id,
            event,
            action,
            type_id,
            object_pk,
            object_id,
            f"{self.labels[type_id]}#{object_pk}",
            changes,
            "",
            None,
            extra or None,
            cid or f"{self.rng.getrandbits(128):032x}",
            self.rng.choice(ADDRESSES),
            None,
        )
        self.seq += 1
        previous, self.prev_hash = self.prev_hash, entry_hash(self.prev_hash, canonical_form(content, self.labels))
        return (*content, self.seq, previous, self.prev_hash)

    # Set-up: auditlog's field changes as sites, people and children are created ---------------------

    def _setup(self):
        when = self.org.start.timestamp() - 86400
        admin = self.org.sites[0].admin
        for site in self.org.sites:
            yield self._entry(
                when,
                actor=None,
                model=Site,
                object_id=site.id,
                action=CREATE,
                changes={"code": ["None", site.code]},
                role=False,
            )
        for (membership_id, site_id), user_id in zip(self.org.membership_ids, self.org.user_ids, strict=True):
            when += 0.5
            yield self._entry(
                when,
                actor=admin,
                model=User,
                object_id=user_id,
                action=CREATE,
                changes={"is_active": ["None", "True"]},
                role=False,
            )
            yield self._entry(
                when,
                actor=admin,
                model=Membership,
                object_id=membership_id,
                action=CREATE,
                changes={"site": ["None", str(site_id)], "user": ["None", str(user_id)]},
                role=False,
            )
        for site in self.org.sites:
            for child_id in range(site.first_child, site.first_child + site.child_count):
                when += 0.01
                yield self._entry(
                    when,
                    actor=site.admin,
                    model=Child,
                    object_id=child_id,
                    action=CREATE,
                    changes={"site": ["None", str(site.id)]},
                    role=False,
                )

    # A concern's submission: auditlog's creations, then Vigil's own event, in one request ------------

    def _submission(self, index: int):
        org = self.org
        concern_id, author = org.first_concern + index, org.concern_author[index]
        site_id, children, when = org.concern_site[index], org.concern_children[index], org.concern_time[index]
        cid = f"{self.rng.getrandbits(128):032x}"
        yield self._entry(
            when,
            actor=author,
            model=Concern,
            object_id=concern_id,
            action=CREATE,
            cid=cid,
            role=False,
            changes={"site": ["None", str(site_id)], "status": ["None", "submitted"]},
        )
        for offset, child_id in enumerate(children):
            yield self._entry(
                when,
                actor=author,
                model=ConcernChild,
                object_id=org.concern_links[index] + offset,
                action=CREATE,
                cid=cid,
                role=False,
                changes={"concern": ["None", str(concern_id)], "child": ["None", str(child_id)]},
            )
        categories = {
            "categories": {
                "type": "m2m",
                "operation": "add",
                "objects": [org.category_names[pk] for pk in org.concern_categories[index]],
            }
        }
        yield self._entry(
            when,
            actor=author,
            model=Concern,
            object_id=concern_id,
            action=UPDATE,
            cid=cid,
            changes=categories,
            role=False,
        )
        yield self._entry(
            when + 0.002,
            actor=author,
            model=Concern,
            object_id=concern_id,
            site_id=site_id,
            event="concern.submitted",
            action=CREATE,
            object_ids=children,
            fields=SUBMITTED_FIELDS,
            cid=cid,
        )

    # Reads ----------------------------------------------------------------------------------------

    def _read(self, when: float) -> tuple:
        site = self.rng.choices(self.org.sites, cum_weights=self.site_weights)[0]
        kind = self.rng.choices(self.read_kinds, cum_weights=self.read_weights)[0]
        seen = self.seen[site.id]
        if kind in ("concern.viewed", "share.form_viewed", "concern.list_viewed") and seen:
            index = site.concerns[seen - 1 - int(seen * self.rng.random() ** 3)] - self.org.first_concern
            return self._concern_read(when, kind, site, index)
        if kind in ("account.login", "account.mfa_verified", "account.logout", "access.denied"):
            user = self.rng.choice(site.recorders)
            counts = {"status": 404} if kind == "access.denied" else None
            fields = ["url:concerns:detail"] if kind == "access.denied" else ()
            return self._entry(when, actor=user, model=User, object_id=user, event=kind, counts=counts, fields=fields)
        if kind == "ledger.viewed":
            reader = self.rng.choice((site.dsl, site.auditor))
            return self._entry(
                when, actor=reader, model=User, object_id=reader, site_id=site.id, event=kind, counts={"entries": 50}
            )
        if kind == "child.viewed":
            child = self._child(site)
            return self._entry(
                when,
                actor=self.rng.choice(site.dsl_team),
                model=Child,
                object_id=child,
                site_id=site.id,
                event=kind,
                object_ids=[child],
                counts={"concerns": 1},
            )
        shown = {self._child(site) for _ in range(self.rng.randint(1, 12))}
        return self._entry(
            when, actor=self.rng.choice(site.recorders), model=Child, event="child.searched", object_ids=shown
        )

    def _concern_read(self, when: float, kind: str, site: SiteRoster, index: int) -> tuple:
        concern_id, children = self.org.first_concern + index, self.org.concern_children[index]
        if kind == "concern.list_viewed":
            author = self.org.concern_author[index]
            return self._entry(when, actor=author, model=Child, event=kind, object_ids=children)
        reader = self.rng.choice([*site.dsl_team, site.dsl, site.auditor, self.org.concern_author[index]])
        return self._entry(
            when, actor=reader, model=Concern, object_id=concern_id, site_id=site.id, event=kind, object_ids=children
        )

    def _child(self, site: SiteRoster) -> int:
        return site.first_child + int(site.child_count * self.rng.random() ** 1.5)
