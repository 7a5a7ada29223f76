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


class EntryKind(models.TextChoices):
    """What the DSL team adds to a concern after its review (issue 9): each kind one row of CaseEntry."""

    ACTION = "action", "Action"
    ACTION_DONE = "action_done", "Action done"
    REFERRAL = "referral", "Referral"
    REFERRAL_RESPONSE = "referral_response", "Response to a referral"
    NO_REFERRAL = "no_referral", "Decision not to refer"
    COMMUNICATION = "communication", "Communication"
    MEETING = "meeting", "Meeting"
    NOTE = "note", "Note"
    OUTCOME = "outcome", "Outcome"
    INFORMATION_REQUEST = "information_request", "More information asked of the author"
    REOPENED = "reopened", "Reopened"
    OWNER_CHANGED = "owner_changed", "Owner changed"


class ReferralAgency(models.TextChoices):
    SOCIAL_CARE = "social_care", "Children's social care / MASH"
    POLICE = "police", "Police"
    EARLY_HELP = "early_help", "Early help"
    LADO = "lado", "LADO"
    HEALTH = "health", "Health"
    OTHER = "other", "Another agency"


class CommunicationMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"
    LETTER = "letter", "Letter"
    SECURE_PORTAL = "secure_portal", "Secure portal"
    OTHER = "other", "Other"


class LawfulBasis(models.TextChoices):
    """UK GDPR Article 6(1): why personal data could be shared."""

    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (Article 6(1)(c))"
    PUBLIC_TASK = "public_task", "Public task (Article 6(1)(e))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (Article 6(1)(d))"
    CONSENT = "consent", "Consent (Article 6(1)(a))"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (Article 6(1)(f))"
    OTHER = "other", "Other (say which)"


class SpecialCategoryCondition(models.TextChoices):
    """UK GDPR Article 9(2), for special category data (health, say), with the DPA 2018's conditions."""

    SAFEGUARDING = (
        "safeguarding",
        "Safeguarding children (Article 9(2)(g), DPA 2018 Sch. 1 para. 18)",
    )
    VITAL_INTERESTS = "vital_interests", "Vital interests (Article 9(2)(c))"
    HEALTH_SOCIAL_CARE = "health_social_care", "Health or social care (Article 9(2)(h))"
    EXPLICIT_CONSENT = "explicit_consent", "Explicit consent (Article 9(2)(a))"
    SOCIAL_PROTECTION = "social_protection", "Employment and social protection law (Article 9(2)(b))"
    OTHER = "other", "Other (say which)"


class MeetingKind(models.TextChoices):
    STRATEGY = "strategy", "Strategy meeting"
    CP_CONFERENCE = "cp_conference", "Child protection conference"
    CORE_GROUP = "core_group", "Core group"
    TAC_TAF = "tac_taf", "Team around the child / family (TAC/TAF)"
    OTHER = "other", "Other meeting"
