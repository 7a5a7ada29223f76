"""Opening an alert: everyone alerted about a concern can open what the alert points to
(DESIGN.md section 1).

The DSL team and named recipients are alerted only about what they may read, so their alert opens
the concern. Level 2 of escalation alerts the site's escalation contact and the organisation-wide
DSLs, who may hold no role that reads it (a head on a restricted concern): theirs opens a notice of
the facts (reference, site, times, who has it) and nothing of the child or what was recorded. Once
someone is neither, their alert leads nowhere: it is not listed, and opening it is a 404.
"""

from collections.abc import Iterable

from accounts.models import Organisation, Site
from concerns.choices import NotificationKind
from concerns.models import Notification
from concerns.policy.reading import concerns_visible_to

# The alerts whose recipients were chosen for their position, not for what they may read.
NOTICE_KINDS = frozenset({NotificationKind.OVERDUE_SENIOR})


def _escalation_sites_of(user) -> set[int] | None:
    """The sites whose level-2 escalations this person receives; None when it is every site."""
    if not user.is_active:
        return set()
    if Organisation.current().safeguarding_leads.filter(pk=user.pk).exists():
        return None
    return set(Site.objects.filter(escalation_contact=user.pk).values_list("id", flat=True))


def may_see_alert_notice(user, notification: Notification) -> bool:
    """Whether the recipient of an alert, who may not read its concern, is shown its notice."""
    if notification.recipient_id != user.pk or notification.kind not in NOTICE_KINDS:
        return False
    sites = _escalation_sites_of(user)
    return sites is None or notification.concern.site_id in sites


def alerts_openable(user, notifications: Iterable[Notification]) -> dict[int, bool]:
    """For each of the user's own alerts (a page of them), whether it opens, and whether to the
    concern (True) or to its notice (False); an alert that opens nothing is left out. Two or three
    small queries whatever the page holds: the page's concerns against what the user may see,
    then, only if some are escalations they cannot read, the sites they are escalation contact for."""
    mine = [notification for notification in notifications if notification.recipient_id == user.pk]
    concern_ids = {notification.concern_id for notification in mine}
    readable = set(concerns_visible_to(user).filter(id__in=concern_ids).values_list("id", flat=True))
    opens: dict[int, bool] = {n.pk: True for n in mine if n.concern_id in readable}
    notices = [n for n in mine if n.pk not in opens and n.kind in NOTICE_KINDS]
    if notices:
        sites = _escalation_sites_of(user)
        opens.update({n.pk: False for n in notices if sites is None or n.concern.site_id in sites})
    return opens
