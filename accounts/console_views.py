"""The administrator's console: users, memberships, training, sites and the organisation's settings.

Only people with an active admin membership get in (everyone else: 403). An administrator sees
the people and sites of the sites they administer; anything else does not exist for them (404).
Administrators manage accounts and read nothing about children or concerns.
"""

import datetime
import smtplib
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import console_selectors as selectors
from accounts import policy
from accounts.choices import Role
from accounts.console_forms import (
    MembershipAddForm,
    OrganisationForm,
    RoleChangeForm,
    SiteForm,
    TrainingForm,
    UserCreateForm,
)
from accounts.decorators import recent_mfa_required
from accounts.models import Membership, Organisation, User
from accounts.policy import console_admin_required
from accounts.services.mfa import mfa_reset
from accounts.services.sites import organisation_update, site_update
from accounts.services.training import refresher_due_after, training_record
from accounts.services.users import (
    membership_change,
    user_create,
    user_deactivate,
    user_invite,
    user_reactivate,
)

USERS_PER_PAGE = 50
MAIL_FAILED = "The invitation email could not be sent (the mail server did not answer). Nothing was saved: try again."


def _posted(request: HttpRequest):
    # Not `request.POST or None`: a form of unticked boxes posts nothing, and is still a submission.
    return request.POST if request.method == "POST" else None


def _saved(form: Form, request: HttpRequest, action: Callable[[], object]) -> object | None:
    """Run a service and return what it saved, or None: its ValidationError goes next to the
    fields it names, or to the top of the page. (Every service called this way returns an object.)"""
    try:
        return action()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            form.add_error(None, error)
        else:
            for message in error.messages:
                messages.error(request, message)
        return None


def _membership_rows(memberships, today: datetime.date) -> list[tuple[Membership, str]]:
    rows = []
    for membership in memberships:
        if membership.ends_on is not None and membership.ends_on < today:
            status = "ended"
        elif membership.starts_on > today:
            status = "future"
        else:
            status = "current"
        rows.append((membership, status))
    return rows


@console_admin_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html", {"sites": selectors.sites_managed_by(request.user)})


@console_admin_required
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "active")
    if status not in {"active", "inactive", "all"}:
        status = "active"
    found = selectors.users_for_console(request.user, query=query, status=status)
    page = Paginator(found, USERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "console/users.html",
        {"page": page, "query": query, "status": status, "today": timezone.localdate()},
    )


@console_admin_required
@require_http_methods(["GET", "POST"])
def user_new(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(_posted(request), admin=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = _saved(form, request, lambda: user_create(admin=request.user, **form.cleaned_data))
            if isinstance(user, User):
                invited = form.cleaned_data["invite"]
                messages.success(
                    request, f"Account created for {user.full_name}." + (" Invitation sent." if invited else "")
                )
                return redirect("console:user_detail", pk=user.pk)
        except (smtplib.SMTPException, OSError):
            messages.error(request, MAIL_FAILED)
    return render(request, "console/user_new.html", {"form": form})


@console_admin_required
@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.user_for_admin(request.user, pk)
    today = timezone.localdate()
    memberships = selectors.memberships_of_user_here(request.user, person)
    return render(
        request,
        "console/user_detail.html",
        {
            "person": person,
            "memberships": _membership_rows(memberships, today),
            "is_self": person.pk == request.user.pk,
            "works_elsewhere": policy.has_access_elsewhere(request.user, person),
            "mfa_enrolled": selectors.mfa_enrolled(person),
            "training": selectors.training_records_of(person)[:5],
        },
    )


@console_admin_required
@require_POST
def user_invite_send(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.user_for_admin(request.user, pk)
    try:
        user_invite(admin=request.user, user=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except (smtplib.SMTPException, OSError):
        messages.error(request, MAIL_FAILED)
    else:
        messages.success(request, f"Invitation sent to {person.email}.")
    return redirect("console:user_detail", pk=person.pk)


def _account_action(request: HttpRequest, pk: int, service: Callable, done: str) -> HttpResponse:
    person = selectors.user_for_admin(request.user, pk)
    try:
        service(admin=request.user, user=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done.format(name=person.full_name))
    return redirect("console:user_detail", pk=person.pk)


@console_admin_required
@recent_mfa_required
@require_POST
def user_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _account_action(request, pk, user_deactivate, "{name}'s account is deactivated: they can no longer sign in.")


@console_admin_required
@recent_mfa_required
@require_POST
def user_reactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _account_action(request, pk, user_reactivate, "{name}'s account is active again.")


@console_admin_required
@recent_mfa_required
@require_POST
def user_mfa_reset(request: HttpRequest, pk: int) -> HttpResponse:
    return _account_action(
        request,
        pk,
        mfa_reset,
        "{name}'s authenticator and recovery codes are removed: they set up MFA again at sign-in.",
    )


@console_admin_required
@recent_mfa_required
@require_http_methods(["GET", "POST"])
def membership_new(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.user_for_admin(request.user, pk)
    if person.pk == request.user.pk:
        raise PermissionDenied("Another administrator must change your own roles.")
    form = MembershipAddForm(_posted(request), admin=request.user)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(form, request, lambda: membership_change(admin=request.user, user=person, **form.cleaned_data))
    ):
        role = Role(form.cleaned_data["role"]).label
        messages.success(request, f"{person.full_name} is now {role} at {form.cleaned_data['site']}.")
        return redirect("console:user_detail", pk=person.pk)
    return render(request, "console/membership_new.html", {"form": form, "person": person})


@console_admin_required
@recent_mfa_required
@require_POST
def membership_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.membership_for_admin(request.user, pk)
    try:
        membership_change(admin=request.user, user=membership.user, site=membership.site, role=None, current=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{membership.user.full_name} is no longer {membership.get_role_display()} at {membership.site}.",
        )
    return redirect("console:user_detail", pk=membership.user_id)


@console_admin_required
@recent_mfa_required
@require_http_methods(["GET", "POST"])
def membership_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.membership_for_admin(request.user, pk)
    if membership.user_id == request.user.pk:
        raise PermissionDenied("Another administrator must change your own roles.")
    form = RoleChangeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        change = lambda: membership_change(  # noqa: E731
            admin=request.user, user=membership.user, site=membership.site, current=membership, **form.cleaned_data
        )
        if _saved(form, request, change):
            messages.success(request, f"{membership.user.full_name}'s role at {membership.site} is changed.")
            return redirect("console:user_detail", pk=membership.user_id)
    return render(request, "console/membership_role.html", {"form": form, "membership": membership})


@console_admin_required
@require_http_methods(["GET", "POST"])
def user_training(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.user_for_admin(request.user, pk)
    form = TrainingForm(_posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(form, request, lambda: training_record(admin=request.user, user=person, **form.cleaned_data))
    ):
        messages.success(request, "Training recorded.")
        return redirect("console:user_training", pk=person.pk)
    today = timezone.localdate()
    return render(
        request,
        "console/user_training.html",
        {
            "person": person,
            "form": form,
            "records": selectors.training_records_of(person),
            "today": today,
            "default_due": refresher_due_after(today),
        },
    )


@console_admin_required
@require_GET
def training_overdue(request: HttpRequest) -> HttpResponse:
    people = list(selectors.users_needing_training(request.user))
    return render(
        request,
        "console/training_overdue.html",
        {
            "untrained": [person for person in people if not person.has_induction],
            "overdue": [person for person in people if person.has_induction],
            "today": timezone.localdate(),
        },
    )


@console_admin_required
@recent_mfa_required
@require_http_methods(["GET", "POST"])
def organisation(request: HttpRequest) -> HttpResponse:
    current = Organisation.current()
    initial = {
        "mfa_required_for_staff": current.mfa_required_for_staff,
        "induction_required_to_record": current.induction_required_to_record,
    }
    form = OrganisationForm(_posted(request), initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(form, request, lambda: organisation_update(admin=request.user, **form.cleaned_data))
    ):
        messages.success(request, "The organisation's settings are saved.")
        return redirect("console:organisation")
    return render(request, "console/organisation.html", {"form": form})


@console_admin_required
@require_GET
def sites(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/sites.html",
        {"sites": selectors.sites_managed_by(request.user).select_related("escalation_contact")},
    )


@console_admin_required
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = selectors.site_for_admin(request.user, pk)
    form = SiteForm(_posted(request), site=site, initial=SiteForm.initial_for(site))
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(form, request, lambda: site_update(admin=request.user, site=site, **form.cleaned_data))
    ):
        messages.success(request, f"{site}'s settings are saved.")
        return redirect("console:sites")
    return render(
        request,
        "console/site_edit.html",
        {
            "site": site,
            "form": form,
            "contact_gone": site.escalation_contact_id is not None
            and not selectors.escalation_candidates(site).filter(pk=site.escalation_contact_id).exists(),
        },
    )
