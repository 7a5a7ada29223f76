"""Accounts and memberships, as an administrator changes them in the console or by an MIS import.

Who may see children's records follows from these rows, so every change is checked against the
administrator's own sites, written in one transaction and put on the ledger. Both paths use the
same functions: `membership_change` for every membership, `require_whole_account` before any
change to the account itself.
"""

import datetime

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.choices import Role
from accounts.console_selectors import memberships_managed_by
from accounts.models import Membership, Site, User
from accounts.policy import require_admin_of_site, require_not_self, require_whole_account
from audit import events
from audit.models import AuditEntry
from audit.services import audit_record


def _account_site_ids(admin: User, user: User) -> list[int]:
    """The administrator's sites where this person has a membership: where an account event is shown."""
    return sorted(set(memberships_managed_by(admin).filter(user=user).values_list("site_id", flat=True)))


def _audit_account_event(admin: User, user: User, event: str, action: int, fields: tuple[str, ...] = ()) -> None:
    site_ids: list[int | None] = [*_account_site_ids(admin, user)] or [None]
    for site_id in site_ids:
        audit_record(actor=admin, event=event, target=user, site_id=site_id, fields=fields, action=action)


def _check_new_membership(*, role: str, ends_on: datetime.date | None) -> None:
    today = timezone.localdate()
    if role == Role.AUDITOR and ends_on is None:
        raise ValidationError(
            {"ends_on": "An auditor's access must have an end date: enter the last day they need access."}
        )
    if ends_on is not None and ends_on < today:
        raise ValidationError({"ends_on": "The end date is in the past: enter today or a later date."})


def _open_membership(*, admin: User, user: User, site: Site, role: str, ends_on: datetime.date | None) -> Membership:
    _check_new_membership(role=role, ends_on=ends_on)
    today = timezone.localdate()
    membership = Membership.objects.select_for_update().filter(user=user, site=site, role=role).first()
    if membership is None:
        membership = Membership(user=user, site=site, role=role)
    elif membership.ends_on is None or membership.ends_on >= today:
        raise ValidationError({"role": f"{user} already has the role {membership.get_role_display()} at {site}."})
    # One row per person, site and role (a database constraint): a role given again reopens the
    # ended row. The ledger keeps each earlier period (membership.ended, membership.added).
    membership.starts_on = today
    membership.ends_on = ends_on
    membership.full_clean()
    membership.save()
    audit_record(
        actor=admin,
        event=events.MEMBERSHIP_ADDED,
        target=membership,
        site_id=site.pk,
        fields=["role", "starts_on", "ends_on"],
        action=AuditEntry.Action.CREATE,
    )
    return membership


def _invitation_link(user: User) -> str:
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.VIGIL_BASE_URL.rstrip("/") + path


def _link_lifetime() -> str:
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    if hours % 24 == 0 and hours >= 48:
        return f"{hours // 24} days"
    return "1 hour" if hours == 1 else f"{hours} hours"


def _invitation_body(user: User, sites: list[str]) -> str:
    return (
        f"Hello {user.full_name},\n\n"
        f"An administrator has given you an account on Vigil, the safeguarding record system used at "
        f"{', '.join(sites) or 'your school'}.\n\n"
        f"Choose your password here (the link works once, for {_link_lifetime()}):\n"
        f"{_invitation_link(user)}\n\n"
        "When you first sign in you will also set up an authenticator app.\n"
        "If you were not expecting this email, ignore it and tell your school office.\n"
    )


@transaction.atomic
def user_create(
    *,
    admin: User,
    full_name: str,
    email: str,
    site: Site,
    role: str,
    ends_on: datetime.date | None = None,
    invite: bool = True,
) -> User:
    """An administrator gives a person an account and their first role at one of the administrator's sites."""
    require_admin_of_site(admin, site.pk)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": "An account with this email address already exists: find it in the list of users."}
        )
    _check_new_membership(role=role, ends_on=ends_on)
    user = User(email=email, full_name=full_name.strip())
    user.set_unusable_password()  # they choose their own through the invitation link
    user.full_clean()
    user.save()
    audit_record(
        actor=admin, event=events.ACCOUNT_CREATED, target=user, site_id=site.pk, action=AuditEntry.Action.CREATE
    )
    _open_membership(admin=admin, user=user, site=site, role=role, ends_on=ends_on)
    if invite:
        user_invite(admin=admin, user=user)
    return user


@transaction.atomic
def user_invite(*, admin: User, user: User) -> None:
    """Email a person a link to choose their password; until they use it, nothing changes for them."""
    if not user.is_active:
        raise ValidationError("This account is deactivated: reactivate it before sending an invitation.")
    sites = list(
        Site.objects.filter(id__in=_account_site_ids(admin, user)).order_by("name").values_list("name", flat=True)
    )
    _audit_account_event(admin, user, events.ACCOUNT_INVITED, AuditEntry.Action.ACCESS)
    # Sent inside the transaction: if the mail server refuses, the account is not left half-made.
    send_mail(
        subject="Your Vigil account: choose your password",
        message=_invitation_body(user, sites),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def user_deactivate(*, admin: User, user: User) -> User:
    """A person loses all access from their next request; their account and what they recorded stay whole."""
    require_whole_account(admin, user)
    if not user.is_active:
        raise ValidationError("This account is already deactivated.")
    user.is_active = False
    user.full_clean()
    user.save(update_fields=["is_active"])
    _audit_account_event(admin, user, events.ACCOUNT_DEACTIVATED, AuditEntry.Action.UPDATE)
    return user


@transaction.atomic
def user_reactivate(*, admin: User, user: User) -> User:
    """A deactivated person's account works again, with whatever memberships are still current."""
    require_whole_account(admin, user)
    if user.is_active:
        raise ValidationError("This account is already active.")
    user.is_active = True
    user.full_clean()
    user.save(update_fields=["is_active"])
    _audit_account_event(admin, user, events.ACCOUNT_REACTIVATED, AuditEntry.Action.UPDATE)
    return user


def _close_membership(*, admin: User, membership: Membership) -> Membership:
    today = timezone.localdate()
    if membership.ends_on is not None and membership.ends_on < today:
        raise ValidationError("This membership has already ended.")
    # ends_on is the last day with access, so yesterday: the person loses access at their next
    # request, not at midnight.
    membership.ends_on = today - datetime.timedelta(days=1)
    membership.full_clean()
    membership.save(update_fields=["ends_on"])
    audit_record(
        actor=admin,
        event=events.MEMBERSHIP_ENDED,
        target=membership,
        site_id=membership.site_id,
        fields=["ends_on"],
        action=AuditEntry.Action.UPDATE,
    )
    return membership


def _change_end_date(*, admin: User, membership: Membership, ends_on: datetime.date | None) -> Membership:
    if ends_on == membership.ends_on:
        raise ValidationError({"role": "Choose a role different from the current one."})
    _check_new_membership(role=membership.role, ends_on=ends_on)
    membership.ends_on = ends_on
    membership.full_clean()
    membership.save(update_fields=["ends_on"])
    audit_record(
        actor=admin,
        event=events.MEMBERSHIP_UPDATED,
        target=membership,
        site_id=membership.site_id,
        fields=["ends_on"],
        action=AuditEntry.Action.UPDATE,
    )
    return membership


@transaction.atomic
def user_rename(*, admin: User, user: User, full_name: str) -> User:
    """A person's name changes everywhere they work, so only an administrator of all their sites may change it."""
    require_whole_account(admin, user)
    user.full_name = " ".join(full_name.split())
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name"])
    _audit_account_event(admin, user, events.ACCOUNT_UPDATED, AuditEntry.Action.UPDATE, fields=("full_name",))
    return user


@transaction.atomic
def membership_change(
    *,
    admin: User,
    user: User,
    site: Site,
    role: str | None,
    ends_on: datetime.date | None = None,
    current: Membership | None = None,
) -> Membership:
    """The one door for every change to who holds which role where, from the console or an MIS import.

    Without `current`, the person gains `role` at `site` from today. With `current` and no role,
    that membership ends. With another role, it ends and a new one starts, so the ledger keeps both
    periods (membership.ended, membership.added); with the same role only its end date changes
    (membership.updated). Whatever the path, an administrator changes memberships only at sites
    they administer, and never their own.
    """
    require_not_self(admin, user)
    require_admin_of_site(admin, site.pk)
    if current is None:
        if role is None:
            raise ValueError("membership_change needs a role or a membership to end")
        return _open_membership(admin=admin, user=user, site=site, role=role, ends_on=ends_on)
    current = Membership.objects.select_for_update().get(pk=current.pk, user=user, site=site)
    if role is None:
        return _close_membership(admin=admin, membership=current)
    if role == current.role:
        return _change_end_date(admin=admin, membership=current, ends_on=ends_on)
    _check_new_membership(role=role, ends_on=ends_on)
    _close_membership(admin=admin, membership=current)
    return _open_membership(admin=admin, user=user, site=site, role=role, ends_on=ends_on)
