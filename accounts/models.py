"""Who people are and where they work: users, sites and the memberships that join them."""

import datetime

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.choices import Role, TrainingKind


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Never deleted: deactivated, so the record of what they did stays whole."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Urgent alerts and escalations are always emailed; routine ones only if the person wants them.
    emails_routine_alerts = models.BooleanField(
        "email me about routine alerts", default=True, help_text="Urgent alerts and escalations are always emailed."
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


def default_working_days() -> list[int]:
    return [0, 1, 2, 3, 4]  # Monday to Friday (Python's weekday numbers)


class Organisation(models.Model):
    """The organisation's own settings: one row, made on first use."""

    name = models.CharField(max_length=200, default="Vigil")
    mfa_required_for_staff = models.BooleanField(
        default=True,
        help_text="Staff must use an authenticator app too (DSLs, deputies, admins and auditors always do).",
    )
    induction_required_to_record = models.BooleanField(
        default=False, help_text="Staff cannot record a concern until their induction training is recorded."
    )
    safeguarding_leads = models.ManyToManyField(
        "User",
        blank=True,
        related_name="+",
        help_text="Organisation-wide DSLs, alerted when any site's concern reaches the second level of escalation.",
    )

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> "Organisation":
        organisation, _ = cls.objects.get_or_create(pk=1)
        return organisation


class Site(models.Model):
    """A school or centre of the organisation: the unit that access is granted for."""

    name = models.CharField(max_length=200, unique=True)
    code = models.SlugField(max_length=12, unique=True, help_text="Short code used in concern references.")
    is_active = models.BooleanField(default=True)
    working_days = models.JSONField(default=default_working_days, help_text="Weekday numbers, Monday = 0.")
    day_starts = models.TimeField(default=datetime.time(8, 0))
    day_ends = models.TimeField(default=datetime.time(17, 0))
    review_cutoff = models.TimeField(
        default=datetime.time(15, 0), help_text="Concerns submitted after this are due by 10:00 the next working day."
    )
    holidays = models.JSONField(default=list, blank=True, help_text="Dates (YYYY-MM-DD) that are not working days.")
    escalation_contact = models.ForeignKey(
        "User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The head or other senior leader alerted when a concern is overdue for review.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self, on=None) -> "MembershipQuerySet":
        """Memberships that grant anything today: started, not past their end date, user active."""
        today = on or timezone.localdate()
        return self.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today),
            starts_on__lte=today,
            user__is_active=True,
            site__is_active=True,
        )


class Membership(models.Model):
    """A user's role at one site, optionally until an end date. Access comes only from these."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True, help_text="Last day this membership grants access.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "site", "role"], name="membership_unique_role_per_site"),
            models.CheckConstraint(
                condition=~Q(role=Role.AUDITOR) | Q(ends_on__isnull=False),
                name="membership_auditor_has_end_date",
            ),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.site}"


class TrainingRecord(models.Model):
    """Safeguarding training a person has completed: induction, then regular refreshers."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="training_records")
    kind = models.CharField(max_length=20, choices=TrainingKind.choices)
    completed_on = models.DateField()
    due_on = models.DateField(null=True, blank=True, help_text="When the next refresher is due.")
    notes = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on", "-id"]
        indexes = [models.Index(fields=["user", "-completed_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for user {self.user_id} on {self.completed_on}"


class PasswordResetRequest(models.Model):
    """Someone asked for a password-reset link: the outbox row the worker sends from, and what the
    rate limits count (per address and per client, whether or not the address has an account).

    The request writes this row and nothing else, so its response time does not tell whether the
    account exists; the worker looks the address up and sends the link, then forgets the address
    (only its keyed digest stays, for counting, until the row is deleted after a day).
    """

    email = models.CharField(max_length=254, blank=True, help_text="Cleared once the request is dealt with.")
    email_digest = models.CharField(max_length=64)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["email_digest", "requested_at"], name="password_reset_by_address"),
            models.Index(fields=["client_ip", "requested_at"], name="password_reset_by_client"),
            models.Index(
                fields=["requested_at"], name="password_reset_pending", condition=Q(processed_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"Password reset request {self.pk} at {self.requested_at:%Y-%m-%d %H:%M}"
