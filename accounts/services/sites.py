"""Site working hours, holidays and escalation contact; the organisation's own settings.

The review deadlines and escalations of every concern at a site are computed from these, so a
change is checked whole, saved whole or not at all, and put on the ledger.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.console_selectors import escalation_candidates
from accounts.models import Organisation, Site, User
from accounts.policy import is_console_admin, require_admin_of_site
from accounts.signals import site_hours_changed
from audit import events
from audit.models import AuditEntry
from audit.services import audit_record

SITE_HOURS = ("working_days", "day_starts", "day_ends", "review_cutoff", "holidays")
SITE_SETTINGS = ("working_days", "day_starts", "day_ends", "review_cutoff", "holidays", "escalation_contact")
ORGANISATION_SETTINGS = ("mfa_required_for_staff", "induction_required_to_record")


def check_site_hours(
    *, working_days: list[int], day_starts: datetime.time, day_ends: datetime.time, review_cutoff: datetime.time
) -> None:
    """The working week must have a day, the day must end after it starts, and the cut-off lie within it."""
    errors: dict[str, str] = {}
    if not working_days or any(day not in range(7) for day in working_days):
        errors["working_days"] = "Choose at least one working day."
    if day_ends <= day_starts:
        errors["day_ends"] = "The working day must end after it starts."
    elif not day_starts <= review_cutoff <= day_ends:
        errors["review_cutoff"] = (
            f"The review cut-off must lie within the working day, between {day_starts:%H:%M} and {day_ends:%H:%M}."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def site_update(
    *,
    admin: User,
    site: Site,
    working_days: list[int],
    day_starts: datetime.time,
    day_ends: datetime.time,
    review_cutoff: datetime.time,
    holidays: list[datetime.date],
    escalation_contact: User | None,
) -> Site:
    """An administrator sets when a site works, which days it is closed, and who is alerted when a review is late."""
    require_admin_of_site(admin, site.pk)
    check_site_hours(working_days=working_days, day_starts=day_starts, day_ends=day_ends, review_cutoff=review_cutoff)
    if escalation_contact is not None and not escalation_candidates(site).filter(pk=escalation_contact.pk).exists():
        raise ValidationError({"escalation_contact": f"Choose someone who works at {site} now."})
    site = Site.objects.select_for_update().get(pk=site.pk)
    before = {name: getattr(site, name) for name in SITE_SETTINGS}
    site.working_days = sorted(set(working_days))
    site.day_starts = day_starts
    site.day_ends = day_ends
    site.review_cutoff = review_cutoff
    site.holidays = sorted({day.isoformat() for day in holidays})
    site.escalation_contact = escalation_contact
    site.full_clean()
    site.save()
    changed = [name for name in SITE_SETTINGS if getattr(site, name) != before[name]]
    if changed:
        audit_record(
            actor=admin,
            event=events.SITE_UPDATED,
            target=site,
            site_id=site.pk,
            fields=changed,
            action=AuditEntry.Action.UPDATE,
        )
    if set(changed) & set(SITE_HOURS):
        site_hours_changed.send(sender=Site, site=site, actor=admin)
    return site


@transaction.atomic
def organisation_update(
    *, admin: User, mfa_required_for_staff: bool, induction_required_to_record: bool
) -> Organisation:
    """An administrator decides whether staff need MFA and whether recording waits for induction training."""
    if not is_console_admin(admin):
        raise PermissionDenied("Only an administrator changes the organisation's settings.")
    organisation = Organisation.current()
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = {name: getattr(organisation, name) for name in ORGANISATION_SETTINGS}
    organisation.mfa_required_for_staff = mfa_required_for_staff
    organisation.induction_required_to_record = induction_required_to_record
    organisation.full_clean()
    organisation.save()
    changed = [name for name in ORGANISATION_SETTINGS if getattr(organisation, name) != before[name]]
    if changed:
        audit_record(
            actor=admin,
            event=events.ORGANISATION_UPDATED,
            target=organisation,
            fields=changed,
            action=AuditEntry.Action.UPDATE,
        )
    return organisation
