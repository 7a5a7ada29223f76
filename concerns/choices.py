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


class Priority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class ReviewDecisionKind(models.TextChoices):
    """What the DSL team decided on first reviewing a concern (DESIGN.md section 2, triage)."""

    NO_FURTHER_ACTION = "no_further_action", "No further action"
    MONITOR = "monitor", "Monitor"
    EARLY_HELP = "early_help", "Early help"
    REFER = "refer", "Refer to another agency"
    SPEAK_TO_CHILD = "speak_to_child", "Speak to the child"


class Outcome(models.TextChoices):
    """Why a concern is closed."""

    NO_FURTHER_ACTION = "no_further_action", "No further action needed"
    RESOLVED_IN_SCHOOL = "resolved_in_school", "Resolved within the school"
    EARLY_HELP = "early_help", "Passed to early help"
    SOCIAL_CARE = "social_care", "Passed to children's social care"
    POLICE = "police", "Passed to the police"
    CHILD_LEFT = "child_left", "The child has left the setting"


class EscalationLevel(models.IntegerChoices):
    """How far an overdue concern has escalated (DESIGN.md section 3)."""

    OVERDUE = 1, "Level 1: the DSL team re-alerted"
    SENIOR = 2, "Level 2: the escalation contact and organisation DSLs alerted"


class NotificationKind(models.TextChoices):
    CONCERN_SUBMITTED = "concern_submitted", "New concern to review"
    OVERDUE = "overdue", "Overdue for review"
    OVERDUE_SENIOR = "overdue_senior", "Overdue for review: escalated to you"
