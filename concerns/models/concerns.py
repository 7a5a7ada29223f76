"""A concern as recorded: its children, addenda, files and body map, and the drafts before it."""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone

from accounts.models import Site
from concerns.choices import BodySide, ChildRole, ConcernStatus, Priority
from concerns.models.children import Category, Child


def concern_reference(pk: int) -> str:
    """How a concern is referred to everywhere: "VC-000042"."""
    return f"VC-{pk:06d}"


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

    # The review loop (DESIGN.md section 3). The deadline is computed once, at submission, from the
    # site's working hours (and again only if they change); the queue and the escalation sweep read
    # these columns through partial indexes and never recompute anything per row.
    review_deadline = models.DateTimeField("to be reviewed by")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the sweep next escalates it if still unreviewed: the deadline, then one working hour
    # later; empty once the last level has fired.
    escalates_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The member of the DSL team who carries the case.",
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(fields=["author", "-recorded_at"]),
            models.Index(fields=["site", "status"]),
            # The dashboard's period figures: a site's concerns recorded between two dates (without
            # it each figure read all 200,000 of the large site's concerns: 245-296 ms).
            models.Index(fields=["site", "recorded_at"], name="concern_site_recorded"),
            # The review queue: a site's few unreviewed concerns, urgent first, then by deadline.
            models.Index(
                fields=["site", "-immediate_danger", "review_deadline"],
                name="concern_awaiting_review",
                condition=models.Q(reviewed_at__isnull=True),
            ),
            # The escalation sweep: what falls due next, among the unreviewed.
            models.Index(
                fields=["escalates_at"],
                name="concern_escalation_due",
                condition=models.Q(reviewed_at__isnull=True, escalates_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return concern_reference(self.pk)

    @property
    def recording_delay(self):
        return self.recorded_at - self.occurred_at

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None


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
    # A file of a case entry (a meeting's papers) is still the concern's, and read as the concern is.
    entry = models.ForeignKey(
        "concerns.CaseEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
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
