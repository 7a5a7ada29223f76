"""The ledger's hash chain: one canonical form of an entry, its hash, and the walk that checks it.

Each sealed entry stores the hash of the entry before it (`prev_hash`) and its own hash over
`prev_hash` + its canonical form. Editing, removing or inserting a sealed entry breaks a link that
`chain_verify` reports; rewriting the whole chain from some point on is caught by an anchor (the
head, kept outside the system) that no longer matches.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

from django.contrib.contenttypes.models import ContentType

GENESIS_HASH = "0" * 64
CANONICAL_VERSION = "vigil-ledger-v1"

# The columns that make up an entry's content, in canonical order: everything except the chain
# fields (chain_seq, prev_hash, entry_hash) themselves. content_type_id is replaced by
# "app_label.model" so the hash survives a dump and reload that renumbers content types.
CONTENT_COLUMNS = (
    "id",
    "timestamp",
    "actor_id",
    "actor_email",
    "actor_name",
    "actor_role",
    "site_id",
    "event",
    "action",
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "changes",
    "changes_text",
    "serialized_data",
    "additional_data",
    "cid",
    "remote_addr",
    "remote_port",
)
_CONTENT_TYPE_INDEX = CONTENT_COLUMNS.index("content_type_id")
_TIMESTAMP_INDEX = CONTENT_COLUMNS.index("timestamp")
_ADDITIONAL_DATA_INDEX = CONTENT_COLUMNS.index("additional_data")
# The largest ids the database's trigger copies into AuditEntryObject (18 digits; see migration 0004).
_NAMED_ID_LIMIT = 10**18


def content_type_labels() -> dict[int, str]:
    """content_type_id -> "app_label.model", read once per walk (the table is small)."""
    return {pk: f"{app}.{model}" for pk, app, model in ContentType.objects.values_list("pk", "app_label", "model")}


# One encoder, built once: json.dumps with options builds a new one per call, which the walk feels.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def canonical_form(row: tuple, labels: dict[int, str]) -> str:
    """The deterministic text of an entry's content (a row of CONTENT_COLUMNS, JSON already parsed).

    A JSON array in a fixed order with sorted object keys and the time in UTC to the microsecond:
    the same content gives the same text on PostgreSQL and SQLite, whatever order the database
    returns a JSON object's keys in.
    """
    values = list(row)
    values[_TIMESTAMP_INDEX] = values[_TIMESTAMP_INDEX].astimezone(datetime.UTC).isoformat(timespec="microseconds")
    values[_CONTENT_TYPE_INDEX] = labels.get(values[_CONTENT_TYPE_INDEX], f"?{values[_CONTENT_TYPE_INDEX]}")
    values.insert(0, CANONICAL_VERSION)
    return _ENCODER.encode(values)


def entry_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


@dataclass
class Anchor:
    """The head of the sealed chain, to be kept outside the system and checked against later."""

    count: int
    chain_seq: int
    id: int | None
    hash: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Anchor":
        data = json.loads(text)
        return cls(count=int(data["count"]), chain_seq=int(data["chain_seq"]), id=data.get("id"), hash=data["hash"])


@dataclass
class Verification:
    """What a walk of the chain found: how many links held, and the first that did not."""

    checked: int = 0
    broken_id: int | None = None
    broken_seq: int | None = None
    problem: str = ""
    anchor_seen: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.broken_id is None and not self.problem


# A sealed row as the walk reads it: chain_seq, prev_hash, entry_hash, then CONTENT_COLUMNS.
SealedRow = tuple


def chain_walk(rows: Iterable[SealedRow], labels: dict[int, str], anchor: Anchor | None = None) -> Verification:
    """Check every link of the sealed chain, in chain_seq order, and stop at the first broken one."""
    result = Verification()
    expected_seq, expected_prev, prev_id = 1, GENESIS_HASH, None
    for seq, prev_hash, stored_hash, *content in rows:
        entry_id = content[0]
        problem = _link_problem(seq, prev_hash, stored_hash, content, labels, expected_seq, expected_prev, prev_id)
        if problem is None and anchor is not None and seq == anchor.chain_seq:
            problem = _anchor_problem(anchor, entry_id, stored_hash)
            result.anchor_seen = True
        if problem is not None:
            result.broken_id, result.broken_seq, result.problem = entry_id, seq, problem
            return result
        result.checked += 1
        expected_seq, expected_prev, prev_id = seq + 1, stored_hash, entry_id
    if anchor is not None and not result.anchor_seen and anchor.count > 0:
        result.problem = (
            f"the chain ends at chain_seq {expected_seq - 1} (id {prev_id}), before the anchor's chain_seq "
            f"{anchor.chain_seq} (id {anchor.id}): entries sealed before the anchor was taken are gone "
            f"(truncated)"
        )
    return result


def _link_problem(seq, prev_hash, stored_hash, content, labels, expected_seq, expected_prev, prev_id) -> str | None:
    entry_id = content[0]
    if seq != expected_seq:
        return (
            f"chain_seq jumps from {expected_seq - 1} to {seq}: "
            f"{seq - expected_seq} sealed entr{'y' if seq - expected_seq == 1 else 'ies'} before entry id {entry_id} "
            f"{'is' if seq - expected_seq == 1 else 'are'} missing (removed)"
        )
    if prev_hash != expected_prev:
        after = f"entry id {prev_id}" if prev_id is not None else "the start of the chain"
        return (
            f"its prev_hash does not match the hash of {after}: an entry between them was inserted, removed or replaced"
        )
    if entry_hash(prev_hash, canonical_form(tuple(content), labels)) != stored_hash:
        return "its content no longer matches its hash: the entry was changed after it was sealed"
    return None


def _anchor_problem(anchor: Anchor, entry_id: int, stored_hash: str) -> str | None:
    if entry_id != anchor.id or stored_hash != anchor.hash:
        return (
            f"the entry at the anchor's chain_seq {anchor.chain_seq} is not the one anchored "
            f"(anchor: id {anchor.id}, hash {anchor.hash[:16]}…; now: id {entry_id}, hash {stored_hash[:16]}…): "
            f"the chain was rewritten since the anchor was taken"
        )
    return None


def named_object_ids(additional_data) -> set[int]:
    """The ids an entry names in additional_data["object_ids"], as the ledger's trigger indexes them
    in AuditEntryObject: integers, each once."""
    ids = additional_data.get("object_ids") if isinstance(additional_data, dict) else None
    if not isinstance(ids, list):
        return set()
    return {number for number in ids if type(number) is int and abs(number) < _NAMED_ID_LIMIT}


class _NamedObjectCount:
    """Counts, as the walk streams past, how many index rows the sealed entries' content calls for."""

    def __init__(self) -> None:
        self.expected = 0

    def counting(self, rows: Iterable[SealedRow]) -> Iterator[SealedRow]:
        offset = 3 + _ADDITIONAL_DATA_INDEX  # after chain_seq, prev_hash, entry_hash
        for row in rows:
            extra = row[offset]
            if extra:
                self.expected += len(named_object_ids(extra))
            yield row


def _named_objects_problem(expected: int) -> str:
    """Whether the index of named objects holds exactly what the sealed entries name (it is written
    by a trigger and refuses changes, so a difference means someone went around the database's rules)."""
    from audit.models import AuditEntryObject

    indexed = AuditEntryObject.objects.filter(entry__chain_seq__isnull=False).count()
    if indexed == expected:
        return ""
    return (
        f"the index of the objects that entries name holds {indexed} rows for sealed entries, where their "
        f"content names {expected}: rows were {'removed from' if indexed < expected else 'added to'} "
        f"audit_auditentryobject outside the application, so a search by child would miss or invent entries"
    )


def sealed_rows(queryset, chunk_size: int = 10_000) -> Iterator[SealedRow]:
    """Stream sealed entries in chain order with a server-side cursor (constant memory)."""
    columns = ("chain_seq", "prev_hash", "entry_hash", *CONTENT_COLUMNS)
    return queryset.filter(chain_seq__isnull=False).order_by("chain_seq").values_list(*columns).iterator(chunk_size)


def chain_anchor() -> Anchor:
    """The head of the sealed chain now: what audit_anchor prints."""
    from audit.models import AuditEntry

    head = AuditEntry.objects.filter(chain_seq__isnull=False).order_by("-chain_seq")
    last = head.values_list("chain_seq", "id", "entry_hash").first()
    if last is None:
        return Anchor(count=0, chain_seq=0, id=None, hash=GENESIS_HASH)
    return Anchor(count=head.count(), chain_seq=last[0], id=last[1], hash=last[2])


def chain_verify(*, anchor: Anchor | None = None, chunk_size: int = 10_000) -> Verification:
    """Walk the whole sealed chain (sealing nothing) and report the first broken link, if any."""
    from audit.models import AuditEntry

    named = _NamedObjectCount()
    rows = named.counting(sealed_rows(AuditEntry.objects.all(), chunk_size))
    result = chain_walk(rows, content_type_labels(), anchor)
    if result.ok and anchor is not None and result.checked < anchor.count:
        result.problem = (
            f"the chain holds {result.checked} sealed entries, fewer than the anchor's {anchor.count}: "
            f"entries were removed since the anchor was taken"
        )
    if result.ok:
        # A hash with no place in the chain is not something the sealer writes: the walk above
        # would never reach such a row, and the sealer would never take it, so name it here.
        stray = AuditEntry.objects.filter(chain_seq__isnull=True).exclude(entry_hash="").order_by("id")
        stray_id = stray.values_list("id", flat=True).first()
        if stray_id is not None:
            result.broken_id = stray_id
            result.problem = "it carries a hash but no place in the chain: it was inserted with a forged seal"
    if result.ok:
        result.problem = _named_objects_problem(named.expected)
    result.extra["unsealed"] = AuditEntry.objects.filter(entry_hash="").count()
    return result
