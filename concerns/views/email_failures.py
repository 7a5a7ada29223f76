"""The records console's list of alert emails that failed for good, and sending one again.

An administrator sees who was not emailed, when and why (to mend an address or the mail server),
and nothing about the child or the concern: administrators read no concern content.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from concerns.policy import admin_required
from concerns.services import email_delivery

FAILURES_SHOWN = 200


@admin_required
@require_GET
def email_failures(request: HttpRequest) -> HttpResponse:
    failures = email_delivery.failed_alert_emails_for(request.user)
    return render(
        request,
        "console/records_email_failures.html",
        {"failures": failures[:FAILURES_SHOWN], "total": failures.count(), "shown": FAILURES_SHOWN},
    )


@admin_required
@require_POST
def email_retry(request: HttpRequest, pk: int) -> HttpResponse:
    notification = email_delivery.failed_alert_emails_for(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    email_delivery.notification_email_retry(admin=request.user, notification=notification)
    messages.success(request, f"The alert email to {notification.recipient.email} will be sent again now.")
    return redirect("records_console:email_failures")
