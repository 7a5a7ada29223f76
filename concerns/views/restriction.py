"""A DSL lifts the restriction of one concern: a confirmation page with a reason, then the service."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.decorators import recent_mfa_required
from concerns import policy, selectors
from concerns.services.restriction import concern_restriction_lift


class RestrictionLiftForm(forms.Form):
    reason = forms.CharField(
        label="Why may the deputies now read this concern?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say why the deputies may now read this concern."},
    )
    confirm = forms.BooleanField(
        label="I understand every deputy DSL at this school will be able to read this concern from now on.",
        error_messages={"required": "Tick the box to confirm you mean to lift the restriction."},
    )


@login_required
@recent_mfa_required
@require_http_methods(["GET", "POST"])
def restriction_lift(request: HttpRequest, pk: int) -> HttpResponse:
    concern = selectors.concern_for_reading(request.user, pk)
    if concern is None:
        raise Http404
    if not policy.can_lift_restriction(request.user, concern):
        raise PermissionDenied("Only a DSL of the school lifts a restricted concern's restriction.")
    form = RestrictionLiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern_restriction_lift(dsl=request.user, concern=concern, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason" if hasattr(error, "error_dict") else None, error)
        else:
            messages.success(request, f"{concern.reference} is no longer restricted: the deputies can read it.")
            return redirect("concerns:detail", pk=concern.pk)
    return render(
        request,
        "concerns/restriction_lift.html",
        {"concern": concern, "form": form},
        status=400 if form.errors else 200,
    )
