"""What is recorded about a child: concerns, their addenda, files and body-map marks."""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from guardian.models import UserObjectPermissionBase

from accounts.models import Site
from concerns.choices import BodySide, ChildRole, ConcernStatus, NotificationKind


class Child(models.Model):
    """A child on (or once on) the roll of a site. Children who leave are marked left, never deleted."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="children")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    upn = models.CharField("UPN", max_length=13, help_text="Unique pupil number from the school's MIS.")
    year_group = models.CharField(max_length=30, blank=True)
    left_on = models.DateField(null=True, blank=True, help_text="Left the roll on this day.")

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [models.UniqueConstraint(fields=["upn"], name="child_unique_upn")]
        indexes = [models.Index(fields=["site", "last_name"])]
        verbose_name_plural = "children"

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name}"

    @property
    def legal_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def on_roll(self) -> bool:
        return self.left_on is None


class Category(models.Model):
    """A kind of concern (KCSIE-aligned). Retired, never deleted, once in use."""

    name = models.CharField(max_length=120, unique=True)
    guidance = models.CharField(max_length=300, help_text="One line shown on the recording form.")
    is_restricted = models.BooleanField(
        default=False, help_text="Visible only to DSLs, auditors and the author, unless shared."
    )
    is_low_level = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Concern(models.Model):
    """A member of staff's record of a worry about a child. Once submitted its text never changes."""

    submission_key = models.UUIDField(unique=True, editable=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="concerns")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concerns")
    children = models.ManyToManyField(Child, through="ConcernChild", related_name="concerns")
    categories = models.ManyToManyField(Category, related_name="concerns")
    is_restricted = models.BooleanField(default=False, help_text="Set from the categories at submission.")
    occurred_at = models.DateTimeField("when it happened")
    recorded_at = models.DateTimeField("when it was recorded", default=timezone.now, editable=False)
    is_disclosure = models.BooleanField("the child disclosed something")
    child_words = models.TextField("the child's exact words", blank=True)
    observations = models.TextField("context and observations")
    location = models.CharField(max_length=200, blank=True)
    immediate_danger = models.BooleanField(default=False)
    called_999 = models.BooleanField(null=True, blank=True)
    delay_reason = models.TextField("why it was not recorded the same day", blank=True)
    named_recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", help_text="Members of the DSL team named by the author."
    )
    status = models.CharField(max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.SUBMITTED)
    # A DSL's recorded decision that the site's deputies may read this restricted concern.
    restriction_lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    restriction_lifted_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(fields=["author", "-recorded_at"]),
            models.Index(fields=["site", "status"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"VC-{self.pk:06d}"

    @property
    def recording_delay(self):
        return self.recorded_at - self.occurred_at


class ConcernChild(models.Model):
    """A child named in a concern, and their part in it."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="child_links")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="concern_links")
    role = models.CharField(max_length=20, choices=ChildRole.choices, default=ChildRole.SUBJECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["concern", "child"], name="concernchild_unique")]

    def __str__(self) -> str:
        return f"Child {self.child_id} in concern {self.concern_id} ({self.role})"


class Addendum(models.Model):
    """A correction or later information added to a concern by its author; the original stays as it was."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    text = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum {self.pk} to concern {self.concern_id}"


def attachment_storage():
    return storages["attachments"]


def attachment_path(instance: "Attachment", filename: str) -> str:
    # A random name with no extension: the original name is kept only in the database.
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file on a concern: type sniffed from an allow-list, checksummed, never at a public URL."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(storage=attachment_storage, upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"Attachment {self.uid}"


class BodyMapMark(models.Model):
    """A mark on the front or back body outline: where, as a percentage of the outline, and a note."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="body_marks")
    side = models.CharField(max_length=5, choices=BodySide.choices)
    x = models.DecimalField(max_digits=5, decimal_places=2)
    y = models.DecimalField(max_digits=5, decimal_places=2)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Body-map mark {self.pk} ({self.side}) on concern {self.concern_id}"


class ConcernDraft(models.Model):
    """An unsubmitted concern, saved as its author types; only its author ever sees it."""

    key = models.UUIDField(unique=True, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="concern_drafts")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"Draft {self.key}"


class DraftAttachment(models.Model):
    """A file chosen for a concern not yet submitted, kept with its draft so it need not be chosen again.

    Stored like an Attachment (private storage, a random name); at submission the file itself
    becomes the concern's attachment, and it is deleted with a discarded draft.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    draft = models.ForeignKey(ConcernDraft, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=attachment_storage, upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"Draft attachment {self.uid}"


class Notification(models.Model):
    """Something a person must attend to, shown in the app and sent by email (the email outbox).

    Emails carry no child names or concern text, only that something needs attention and a link.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    # The email's delivery: each one is tried on its own and retried with back-off, so one bad
    # address never holds back the alerts behind it; one that keeps failing is shown to administrators.
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_next_attempt_at = models.DateTimeField(default=timezone.now)
    email_failed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "concern", "kind"], name="notification_once_per_kind")
        ]
        indexes = [
            models.Index(
                fields=["email_next_attempt_at", "id"],
                name="notification_email_pending",
                condition=models.Q(email_sent_at__isnull=True, email_failed_at__isnull=True),
            ),
            models.Index(
                fields=["-email_failed_at"],
                name="notification_email_failed",
                condition=models.Q(email_sent_at__isnull=True, email_failed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.recipient_id} about concern {self.concern_id}"


class Share(models.Model):
    """A DSL's grant to one named user of one concern or one child's chronology, for a reason, until a date.

    The grant itself is a django-guardian object permission (the tables below); this row is its
    record: who, what, why, until when, and when it was revoked.
    """

    grantee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shares_received")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    concern = models.ForeignKey(Concern, null=True, blank=True, on_delete=models.PROTECT, related_name="shares")
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.PROTECT, related_name="shares")
    reason = models.TextField()
    ends_on = models.DateField(help_text="The last day the share grants access.")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(concern__isnull=False, child__isnull=True)
                | models.Q(concern__isnull=True, child__isnull=False),
                name="share_one_concern_or_one_child",
            )
        ]
        indexes = [
            models.Index(fields=["ends_on"], name="share_live_by_end", condition=models.Q(revoked_at__isnull=True))
        ]

    def __str__(self) -> str:
        target = f"concern {self.concern_id}" if self.concern_id else f"child {self.child_id}"
        return f"Share of {target} with user {self.grantee_id}"


class ConcernUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's direct-foreign-key grant table for concerns (indexed joins, not generic ids)."""

    content_object = models.ForeignKey(Concern, on_delete=models.CASCADE)


class ChildUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's direct-foreign-key grant table for children (a shared chronology)."""

    content_object = models.ForeignKey(Child, on_delete=models.CASCADE)


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
