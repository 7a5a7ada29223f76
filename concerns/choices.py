from django.db import models


class ConcernStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    OPEN = "open", "Open (actions under way)"
    CLOSED = "closed", "Closed"


class ChildRole(models.TextChoices):
    SUBJECT = "subject", "Subject of the concern"
    INVOLVED = "involved", "Involved"
    WITNESS = "witness", "Witness"


class BodySide(models.TextChoices):
    FRONT = "front", "Front"
    BACK = "back", "Back"


class NotificationKind(models.TextChoices):
    CONCERN_SUBMITTED = "concern_submitted", "New concern to review"
