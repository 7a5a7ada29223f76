"""MIS imports of the roll and the staff list, run in the background."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Site


class ImportJob(models.Model):
    """One CSV import from the school's MIS (children or staff) for one site: previewed, then run in a worker.

    The database holds the job's state, so a restarted worker carries on where it stopped; the
    parsed rows wait here between the preview and the confirmation.
    """

    class Kind(models.TextChoices):
        CHILDREN = "children", "Children"
        STAFF = "staff", "Staff"

    class Status(models.TextChoices):
        PREVIEW = "preview", "Waiting for confirmation"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="import_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    file_name = models.CharField(max_length=255, blank=True)
    is_full = models.BooleanField(
        default=True, help_text="The file is the whole roll: children missing from it are marked left."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEW)
    rows = models.JSONField(default=list, blank=True, help_text="The valid rows, parsed, waiting to be imported.")
    seen_keys = models.JSONField(default=list, blank=True, help_text="Every well-formed UPN or email in the file.")
    errors = models.JSONField(default=list, blank=True, help_text="Rows not imported: row number and message.")
    preview = models.JSONField(default=dict, blank=True, help_text="What the preview expected to happen.")
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The running worker's last sign of life: another worker takes the job over only once it is old.
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    left_child_ids = models.JSONField(
        default=list, blank=True, help_text="The children this import marked as left, so its page can put them back."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} import {self.pk} for site {self.site_id} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.processed * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
