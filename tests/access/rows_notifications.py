"""Access-matrix rows for a person's alerts (/alerts/...) and their choice of alert emails.

An alert is its recipient's alone: anyone else asking about it is told it does not exist (404),
and a refused mark-as-read changes nothing. The escalation contact's alert about a restricted
concern they may not read opens a notice (200), never the concern.

Named after rows_concerns alphabetically, so its objects reuse the concerns recorded there.
"""

from django.urls import reverse

from concerns.choices import NotificationKind
from concerns.models import Concern, Notification
from concerns.services.alerts import alerts_raise
from tests.access.common import SIGNED_IN, SIGNED_IN_ONLY, WHO
from tests.factories import ConcernFactory, restricted_category

RECIPIENT_ONLY = {who: 404 for who in WHO if who != "anonymous"}

ROWS = {
    "alerts:list": ("get", lambda o: reverse("alerts:list"), SIGNED_IN_ONLY),
    # Everyone's own alerts (none, for most of the cast): always allowed, only ever theirs.
    "alerts:mark_all_read": ("post", lambda o: reverse("alerts:mark_all_read"), {who: 302 for who in SIGNED_IN}),
    "alerts:open": ("get", lambda o: reverse("alerts:open", args=[o["dsl_alert"].pk]), {**RECIPIENT_ONLY, "dsl": 302}),
    "alerts:open#notice": (
        "get",
        lambda o: reverse("alerts:open", args=[o["head_alert"].pk]),
        {**RECIPIENT_ONLY, "staff2": 200},
    ),
    "alerts:mark_read": (
        "post",
        lambda o: reverse("alerts:mark_read", args=[o["dsl_alert"].pk]),
        {**RECIPIENT_ONLY, "dsl": 302},
    ),
    "accounts:alert_preferences": ("get", lambda o: reverse("accounts:alert_preferences"), SIGNED_IN_ONLY),
    "accounts:alert_preferences#post": (
        "post",
        lambda o: reverse("accounts:alert_preferences"),
        {who: 302 for who in SIGNED_IN},
    ),
}

POST_DATA = {"accounts:alert_preferences#post": {"emails_routine_alerts": "no"}}


def objects(cast) -> dict:
    """Site A's DSL's alert about the concern staff recorded there; and a level-2 escalation of a
    restricted concern to the site's escalation contact, a member of staff who may not read it."""
    concern = Concern.objects.filter(site=cast.site_a, author=cast.staff, is_restricted=False).order_by("pk").first()
    concern = concern or ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a])
    dsl_alert, _ = Notification.objects.get_or_create(
        recipient=cast.dsl, concern=concern, kind=NotificationKind.CONCERN_SUBMITTED
    )
    restricted = Concern.objects.filter(site=cast.site_a, author=cast.staff, is_restricted=True).first()
    restricted = restricted or ConcernFactory(
        site=cast.site_a, author=cast.staff, about=[cast.child_a], categories=[restricted_category()]
    )
    cast.site_a.escalation_contact = cast.staff2
    cast.site_a.save()
    alerts_raise(concern=restricted, recipients=[cast.staff2], kind=NotificationKind.OVERDUE_SENIOR, urgent=True)
    head_alert = Notification.objects.get(recipient=cast.staff2, concern=restricted)
    return {"dsl_alert": dsl_alert, "head_alert": head_alert}
