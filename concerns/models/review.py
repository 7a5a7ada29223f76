"""The review loop: the DSL team's triage decision on a concern, its closure, and escalations."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from concerns.choices import EscalationLevel, Outcome, ReviewDecisionKind
from concerns.models.concerns import Concern


class ReviewDecision(models.Model):
    """A DSL's or deputy's recorded triage decision, with its rationale: what makes a concern reviewed."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="review_decisions")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now, editable=False)
    decision = models.CharField(max_length=30, choices=ReviewDecisionKind.choices)
    rationale = models.TextField()

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"Review decision {self.pk} on concern {self.concern_id}"


class Closure(models.Model):
    """Why and by whom a concern was closed; a reopened concern keeps its earlier closures."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="closures")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(default=timezone.now, editable=False)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    reason = models.TextField()

    class Meta:
        ordering = ["closed_at", "id"]

    def __str__(self) -> str:
        return f"Closure {self.pk} of concern {self.concern_id}"


class Escalation(models.Model):
    """An overdue concern escalated to a level: at most once per level, whatever runs the sweep."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="escalations")
    level = models.PositiveSmallIntegerField(choices=EscalationLevel.choices)
    due_at = models.DateTimeField(help_text="When this level fell due.")
    escalated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["concern", "level"]
        constraints = [models.UniqueConstraint(fields=["concern", "level"], name="escalation_once_per_level")]

    def __str__(self) -> str:
        return f"Escalation of concern {self.concern_id} to level {self.level}"


class TaskHeartbeat(models.Model):
    """When a periodic task last finished, for /healthz and the console's warnings."""

    name = models.CharField(max_length=60, unique=True)
    completed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} last completed {self.completed_at:%Y-%m-%d %H:%M:%S}"
