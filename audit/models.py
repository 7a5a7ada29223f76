"""The audit ledger: one append-only table of who read or changed what, and when."""

from auditlog.models import AbstractLogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AuditEntry(AbstractLogEntry):
    """One line of the ledger: a field change recorded by auditlog, or an event recorded by Vigil.

    The ledger records ids and the names of fields, never free text: a child's words or an
    account of what happened are recorded as read or written, not copied here.

    Rows are only ever inserted. Database triggers (migration 0003) refuse DELETE, TRUNCATE and
    any UPDATE except the sealer's one-time setting of the chain fields, which audit.sealing
    fills in shortly after the entry commits (see audit/chain.py for the hash chain).
    """

    event = models.CharField(max_length=64, db_index=True, blank=True)
    actor_role = models.CharField(max_length=64, blank=True)
    site_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # Who acted, as they were named then: the ledger answers "who looked" years later, after
    # a change of name; actor_email (from auditlog) is the other half of the snapshot.
    actor_name = models.CharField(max_length=150, blank=True, default="")
    # The hash chain. Empty until the sealer sets them, once, in chain order (not id order:
    # a transaction that commits late is sealed late).
    chain_seq = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    entry_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        ordering = ["-id"]
        indexes = [
            # The sealer's queue: a few rows at most, found in a millisecond however long the ledger.
            models.Index(fields=["id"], condition=models.Q(entry_hash=""), name="audit_entry_unsealed"),
            # One person's entries newest first: the ledger filtered by who acted walks this backwards
            # and stops at a page, where auditlog's index on the actor alone sorts all their entries.
            models.Index(fields=["actor", "id"], name="audit_entry_actor_newest"),
        ]

    def save(self, *args, **kwargs) -> None:
        # The ledger is not a place for names: auditlog would copy str(instance) (a child's
        # name, say) into object_repr, so every entry describes its object by type and id.
        if self._state.adding:
            self.object_repr = f"{self.content_type.app_label}.{self.content_type.model}#{self.object_pk}"
            if self.actor is not None:
                self.actor_email = self.actor_email or getattr(self.actor, "email", None)
                self.actor_name = self.actor_name or _display_name(self.actor)
        super().save(*args, **kwargs)


def _display_name(actor) -> str:
    name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return (name or "")[:150]


class AuditEntryObject(models.Model):
    """One id that a ledger entry names in additional_data["object_ids"], as an indexed row.

    Entries about children (a search that listed them, a concern that names them) keep those
    children's ids in a JSON array, which no index serves: "who has looked at child 68" scanned
    the whole ledger. These rows are that array, one id a row, with the entry's content type (which
    says what the ids are: for entries about children and concerns, children), so the question is
    an index range. The rows are written by the database itself, by a trigger on the ledger in the
    same INSERT as the entry (migration 0004), whatever wrote the entry; like the ledger they are
    never updated or deleted. They hold nothing the entry's hashed content does not: audit_verify
    checks that every sealed entry's ids are here.
    """

    pk = models.CompositePrimaryKey("entry_id", "object_id")
    # No database foreign key: entries are never deleted, and a constraint would stop the ledger's own
    # TRUNCATE and DELETE from reaching its append-only triggers, which say why they are refused.
    entry = models.ForeignKey(
        AuditEntry, on_delete=models.DO_NOTHING, related_name="named_objects", db_constraint=False, db_index=False
    )
    entry_type = models.ForeignKey(
        ContentType, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    object_id = models.BigIntegerField()

    class Meta:
        verbose_name = "object named by an audit entry"
        indexes = [models.Index(fields=["entry_type", "object_id", "entry"], name="audit_named_object")]

    def __str__(self) -> str:
        return f"entry {self.entry_id} names {self.entry_type_id}:{self.object_id}"
