"""Access-matrix rows for the records console's failed alert emails: administrators only.

What a refused retry changes (nothing) is checked in tests/concerns/test_email_delivery.py, and
another site's administrator is told the failure does not exist (404) there too.
"""

from django.urls import reverse
from django.utils import timezone

from concerns.choices import NotificationKind
from concerns.models import Concern, Notification
from tests.access.common import SIGNED_IN
from tests.factories import ConcernFactory


def admin_only(status: int) -> dict[str, int]:
    return {**{who: 403 for who in SIGNED_IN}, "admin": status}


ROWS = {
    "records_console:email_failures": (
        "get",
        lambda o: reverse("records_console:email_failures"),
        admin_only(200),
    ),
    "records_console:email_retry": (
        "post",
        lambda o: reverse("records_console:email_retry", args=[o["failed_email"].pk]),
        admin_only(302),
    ),
}


def objects(cast) -> dict:
    """An alert email to site A's DSL that failed for good, about a concern staff wrote there (the
    one rows_concerns records, when it has run: no extra concern or child for the other rows)."""
    concern = Concern.objects.filter(site=cast.site_a, author=cast.staff).order_by("pk").first()
    concern = concern or ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a])
    failed, _ = Notification.objects.update_or_create(
        recipient=cast.dsl,
        concern=concern,
        kind=NotificationKind.CONCERN_SUBMITTED,
        defaults={
            "email_attempts": 1,
            "email_failed_at": timezone.now(),
            "email_error": "Recipient refused: 550 5.1.1 No such user here",
        },
    )
    return {"failed_email": failed}
