"""The audit ledger: one append-only table of who read or changed what, and when."""

from auditlog.models import AbstractLogEntry
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
