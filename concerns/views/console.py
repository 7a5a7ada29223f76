"""The administrator's records console: the roll and staff from the MIS, and the categories.

Only people with an active administrator membership use it, and only for the sites they
administer: anyone else signed in gets 403, and a site or import outside theirs is 404.
Administrators see the roll they import (names, year groups, UPNs), never concern content.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import recent_mfa_required
from accounts.models import Site
from audit import events
from audit.services import audit_record
from concerns import policy
from concerns.forms.console import CategoryForm, ChildrenImportForm, LeaversRestoreForm, StaffImportForm
from concerns.models import Category, ImportJob
from concerns.services import categories as category_services
from concerns.services import email_delivery
from concerns.services.imports import jobs as imports

ERRORS_SHOWN = 1000
# A full import that would take more than this share of the roll off it gets a warning first.
LEAVERS_WARNING_SHARE = 0.1


def _administered_site(request: HttpRequest, site_id: int) -> Site:
    site = policy.administered_sites(request.user).filter(pk=site_id).first()
    if site is None:
        raise Http404
    return site


def _job(request: HttpRequest, pk: int) -> ImportJob:
    job = imports.import_jobs_for(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


@policy.admin_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/records_index.html",
        {
            "sites": policy.administered_sites(request.user).order_by("name"),
            "jobs": imports.import_jobs_for(request.user)[:10],
        },
    )


def _import_page(request: HttpRequest, site_id: int, kind: str, form_class) -> HttpResponse:
    site = _administered_site(request, site_id)
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_preview(
                admin=request.user,
                site=site,
                kind=kind,
                upload=form.cleaned_data["file"],
                is_full=form.cleaned_data.get("is_full", False),
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("records_console:import_detail", pk=job.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "site": site, "kind": kind}
    return render(request, "console/records_import_form.html", context, status=status)


@never_cache
@policy.admin_required
@require_http_methods(["GET", "POST"])
def children_import(request: HttpRequest, site_id: int) -> HttpResponse:
    return _import_page(request, site_id, ImportJob.Kind.CHILDREN, ChildrenImportForm)


@never_cache
@policy.admin_required
@require_http_methods(["GET", "POST"])
def staff_import(request: HttpRequest, site_id: int) -> HttpResponse:
    return _import_page(request, site_id, ImportJob.Kind.STAFF, StaffImportForm)


def _leavers_warning(job: ImportJob) -> bool:
    leaving, on_roll = job.preview.get("left", 0), job.preview.get("on_roll", 0)
    return leaving > 5 and leaving > on_roll * LEAVERS_WARNING_SHARE


@never_cache
@policy.admin_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview before confirmation, the progress bar while it runs, the summary after."""
    job = _job(request, pk)
    # Error messages quote UPNs from the roll: the read is on the ledger, by job and site.
    audit_record(actor=request.user, event=events.import_event(job.kind, "viewed"), target=job, site_id=job.site_id)
    context = {
        "job": job,
        "errors": job.errors[:ERRORS_SHOWN],
        "errors_hidden": max(0, len(job.errors) - ERRORS_SHOWN),
        "leavers_warning": _leavers_warning(job),
        "leavers_to_confirm": imports.leavers_to_confirm(job) if job.status == ImportJob.Status.PREVIEW else 0,
        "still_left": len(imports.import_left_still_off_roll(job)) if job.status == ImportJob.Status.DONE else 0,
    }
    return render(request, "console/records_import_job.html", context)


@policy.admin_required
@recent_mfa_required  # a staff import grants and changes roles; a roll import rewrites the roll
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    typed = request.POST.get("leavers", "").strip()
    try:
        imports.import_confirm(admin=request.user, job=job, leavers_confirmed=int(typed) if typed.isdigit() else None)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("records_console:import_detail", pk=job.pk)


@policy.admin_required
@recent_mfa_required  # it changes who is on the roll, as the import did
@require_POST
def import_leavers_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Put back on the roll the children an import marked as left, once the person has ticked to confirm."""
    job = _job(request, pk)
    if not LeaversRestoreForm(request.POST).is_valid():
        messages.error(request, "Tick the box to confirm that these children are still on the roll.")
        return redirect("records_console:import_detail", pk=job.pk)
    try:
        restored = imports.import_leavers_restore(admin=request.user, job=job)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{restored} child{'ren' if restored != 1 else ''} put back on the roll.")
    return redirect("records_console:import_detail", pk=job.pk)


@never_cache
@policy.admin_required
@require_GET
def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the progress bar polls: counts only, never a name."""
    job = _job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "finished": job.is_finished,
            "total": job.total,
            "processed": job.processed,
            "percent": job.percent,
            "created": job.created,
            "updated": job.updated,
            "unchanged": job.unchanged,
            "left": job.left,
            "errors": len(job.errors),
        }
    )


@policy.admin_required
@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "console/records_categories.html", {"categories": category_services.categories_for_console()}
    )


def _category(pk: int) -> Category:
    category = category_services.category_for_console(pk)
    if category is None:
        raise Http404
    return category


@policy.admin_required
@require_http_methods(["GET", "POST"])
def category_add(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        category = category_services.category_create(admin=request.user, **form.cleaned_data)
        messages.success(request, f"The category “{category.name}” was added to the recording form.")
        return redirect("records_console:categories")
    context = {"form": form, "category": None}
    return render(request, "console/records_category_form.html", context, status=400 if form.errors else 200)


@policy.admin_required
@recent_mfa_required  # "restricted" decides who reads concerns: changing a category is a role-widening action
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = _category(pk)
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        changed = category_services.category_update(admin=request.user, category=category, **form.cleaned_data)
        messages.success(request, "The category was saved." if changed else "Nothing was changed.")
        return redirect("records_console:categories")
    category = _category(pk)  # the form's checks change its instance in memory; show what is saved
    context = {"form": form, "category": category, "in_use": category.concerns.exists()}
    return render(request, "console/records_category_form.html", context, status=400 if form.errors else 200)


@policy.admin_required
@require_POST
def category_retire(request: HttpRequest, pk: int) -> HttpResponse:
    category = category_services.category_retire(admin=request.user, category=_category(pk))
    messages.success(request, f"“{category.name}” is retired: it no longer appears on the recording form.")
    return redirect("records_console:categories")


@policy.admin_required
@require_POST
def category_reinstate(request: HttpRequest, pk: int) -> HttpResponse:
    category = category_services.category_reinstate(admin=request.user, category=_category(pk))
    messages.success(request, f"“{category.name}” is back on the recording form.")
    return redirect("records_console:categories")


# The alert emails that failed for good, and sending one again: who was not emailed, when and why
# (to mend an address or the mail server), and nothing about the child or the concern.

FAILURES_SHOWN = 200


@policy.admin_required
@require_GET
def email_failures(request: HttpRequest) -> HttpResponse:
    failures = email_delivery.failed_alert_emails_for(request.user)
    return render(
        request,
        "console/records_email_failures.html",
        {"failures": failures[:FAILURES_SHOWN], "total": failures.count(), "shown": FAILURES_SHOWN},
    )


@policy.admin_required
@require_POST
def email_retry(request: HttpRequest, pk: int) -> HttpResponse:
    notification = email_delivery.failed_alert_emails_for(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    email_delivery.notification_email_retry(admin=request.user, notification=notification)
    messages.success(request, f"The alert email to {notification.recipient.email} will be sent again now.")
    return redirect("records_console:email_failures")
