"""The audit ledger: one append-only table of who read or changed what, and when."""

from auditlog.models import AbstractLogEntry
from django.db import models


class AuditEntry(AbstractLogEntry):
    """One line of the ledger: a field change recorded by auditlog, or an event recorded by Vigil.

    The ledger records ids and the names of fields, never free text: a child's words or an
    account of what happened are recorded as read or written, not copied here.
    """

    event = models.CharField(max_length=64, db_index=True, blank=True)
    actor_role = models.CharField(max_length=64, blank=True)
    site_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        ordering = ["-id"]

    def save(self, *args, **kwargs) -> None:
        # The ledger is not a place for names: auditlog would copy str(instance) (a child's
        # name, say) into object_repr, so every entry describes its object by type and id.
        if self._state.adding:
            self.object_repr = f"{self.content_type.app_label}.{self.content_type.model}#{self.object_pk}"
        super().save(*args, **kwargs)
