from django.db import models


class Role(models.TextChoices):
    STAFF = "staff", "Staff"
    DEPUTY_DSL = "deputy_dsl", "Deputy DSL"
    DSL = "dsl", "DSL"
    ADMIN = "admin", "Administrator"
    AUDITOR = "auditor", "Auditor"


# Roles that may record a concern and read what they wrote.
RECORDING_ROLES = frozenset({Role.STAFF, Role.DEPUTY_DSL, Role.DSL})
# The site's DSL team: alerted at submission, triage the queue.
DSL_TEAM_ROLES = frozenset({Role.DEPUTY_DSL, Role.DSL})


class TrainingKind(models.TextChoices):
    INDUCTION = "induction", "Induction (safeguarding and the recording system)"
    REFRESHER = "refresher", "Refresher"
