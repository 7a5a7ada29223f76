from django.apps import AppConfig

# Everything a Child row says about the child (all but its id and site), and auditlog's masking
# callable that writes a placeholder in place of each value.
CHILD_PERSONAL_FIELDS = ("first_name", "last_name", "preferred_name", "date_of_birth", "upn", "year_group", "left_on")
NOT_RECORDED = "audit.redaction.value_not_recorded"


class ConcernsConfig(AppConfig):
    name = "concerns"
    verbose_name = "Concerns"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from accounts.signals import site_hours_changed
        from concerns import models
        from concerns.services.review import review_deadlines_on_new_hours

        site_hours_changed.connect(review_deadlines_on_new_hours, dispatch_uid="review_deadlines_on_new_hours")

        # Free text is never copied into the ledger: auditlog records that these fields were
        # written (their names), the audit service records reads.
        text_fields = ["child_words", "observations", "location", "delay_reason", "restriction_lifted_reason"]
        auditlog.register(models.Concern, exclude_fields=text_fields, m2m_fields={"categories"})
        auditlog.register(models.ConcernChild)
        auditlog.register(models.Addendum, exclude_fields=["text"])
        auditlog.register(models.Attachment, exclude_fields=["original_name"])
        auditlog.register(models.BodyMapMark, exclude_fields=["note"])
        # A child's personal data is recorded as changed (the field's name), never copied: the ledger
        # is kept for ever, and retention could not take a date of birth back out of it.
        auditlog.register(models.Child, mask_fields=list(CHILD_PERSONAL_FIELDS), mask_callable=NOT_RECORDED)
        auditlog.register(models.Category)
        auditlog.register(models.Share, exclude_fields=["reason"])
        auditlog.register(models.ReviewDecision, exclude_fields=["rationale"])
        auditlog.register(models.Closure, exclude_fields=["reason"])
        auditlog.register(models.Escalation)
        # An import's rows, leavers and errors hold names and dates of birth: counts only.
        # The children it marked left are on the ledger as their own entries; the heartbeat is bookkeeping.
        auditlog.register(
            models.ImportJob,
            exclude_fields=["rows", "seen_keys", "errors", "preview", "file_name", "left_child_ids", "heartbeat_at"],
        )
        # Not registered: case entries, which are never changed (a trigger refuses it) and whose
        # every write is a named ledger event about the concern, with the entry's id and field names.
        # Not registered: drafts (private to their author until submitted, saved as they type) and
        # notifications (delivery bookkeeping; the submission itself is on the ledger).
