"""Sharing pages: the DSL team shares one concern or one child's record with one named person."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import recent_mfa_required
from accounts.selectors import share_candidates_at
from audit import events
from audit.services import audit_record
from concerns import policy, selectors
from concerns.forms.recording import ShareForm
from concerns.models import Child
from concerns.services.shares import share_grant, share_revoke

DEFAULT_SHARE_DAYS = 30


def _share_page(request: HttpRequest, *, site_id: int, concern=None, child=None) -> HttpResponse:
    candidates = share_candidates_at(site_id).exclude(pk=request.user.pk)
    if request.method == "POST":
        form = ShareForm(request.POST, candidates=candidates)
        if form.is_valid():
            try:
                share_grant(granted_by=request.user, concern=concern, child=child, **form.cleaned_data)
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_errors)
            else:
                messages.success(request, f"Shared with {form.cleaned_data['grantee'].full_name}.")
                return redirect("concerns:detail", pk=concern.pk) if concern else redirect("concerns:shared")
    else:
        form = ShareForm(
            candidates=candidates,
            initial={"ends_on": timezone.localdate() + datetime.timedelta(days=DEFAULT_SHARE_DAYS)},
        )
    child_ids = [child.pk] if child else [link.child_id for link in concern.child_links.all()]
    audit_record(
        actor=request.user,
        event=events.SHARE_FORM_VIEWED,
        target=concern or child,
        object_ids=child_ids,
        site_id=site_id,
    )
    return render(
        request,
        "concerns/share.html",
        {"form": form, "concern": concern, "child": child},
        status=400 if form.errors else 200,
    )


@login_required
@recent_mfa_required
@require_http_methods(["GET", "POST"])
def concern_share(request: HttpRequest, pk: int) -> HttpResponse:
    concern = selectors.concern_for_reading(request.user, pk)
    if concern is None:
        raise Http404
    if not policy.can_share(request.user, concern):
        raise PermissionDenied
    return _share_page(request, site_id=concern.site_id, concern=concern)


@login_required
@recent_mfa_required
@require_http_methods(["GET", "POST"])
def child_share(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_for_sharing(request.user, pk)
    if child is None:
        if policy.children_on_roll_for(request.user).filter(pk=pk).exists():
            raise PermissionDenied  # they can find the child, but sharing is for the DSL team
        raise Http404
    return _share_page(request, site_id=child.site_id, child=child)


@login_required
@require_POST
def share_end(request: HttpRequest, pk: int) -> HttpResponse:
    share = selectors.share_managed_by(request.user, pk)
    if share is None:
        raise Http404
    share_revoke(revoked_by=request.user, share=share)
    messages.success(request, f"The share with {share.grantee.full_name} has ended.")
    return redirect("concerns:detail", pk=share.concern_id) if share.concern_id else redirect("concerns:home")


@login_required
@require_GET
def shared_with_me(request: HttpRequest) -> HttpResponse:
    shares = list(selectors.shares_received_by(request.user))
    concerns = list(selectors.concerns_shared_with(request.user))
    audit_record(
        actor=request.user,
        event=events.SHARE_LIST_VIEWED,
        model=Child,
        object_ids=[link.child_id for concern in concerns for link in concern.child_links.all()],
    )
    return render(request, "concerns/shared.html", {"shares": shares, "concerns": concerns})
