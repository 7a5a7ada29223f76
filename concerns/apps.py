from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "concerns"
    verbose_name = "Concerns"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from concerns import models

        # Free text is never copied into the ledger: auditlog records that these fields were
        # written (their names), the audit service records reads.
        text_fields = ["child_words", "observations", "location", "delay_reason"]
        auditlog.register(models.Concern, exclude_fields=text_fields, m2m_fields={"categories"})
        auditlog.register(models.ConcernChild)
        auditlog.register(models.Addendum, exclude_fields=["text"])
        auditlog.register(models.Attachment, exclude_fields=["original_name"])
        auditlog.register(models.BodyMapMark, exclude_fields=["note"])
        auditlog.register(models.Child, exclude_fields=["first_name", "last_name", "preferred_name"])
        auditlog.register(models.Category)
        auditlog.register(models.Share, exclude_fields=["reason"])
        # An import's rows, leavers and errors hold names and dates of birth: counts only.
        auditlog.register(models.ImportJob, exclude_fields=["rows", "seen_keys", "errors", "preview", "file_name"])
        # Not registered: drafts (private to their author until submitted, saved as they type) and
        # notifications (delivery bookkeeping; the submission itself is on the ledger).
