"""The children on a site's roll, and the categories a concern is recorded under."""

from django.db import models

from accounts.models import Site


def display_name_of(preferred_name: str, first_name: str, last_name: str) -> str:
    """The name a child is known by: their preferred first name if they have one."""
    return f"{preferred_name or first_name} {last_name}"


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
        return display_name_of(self.preferred_name, self.first_name, self.last_name)

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
