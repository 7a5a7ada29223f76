"""A person's alerts: the list, marking them read, and opening one.

Every email and in-app alert links to /alerts/<id>/, which opens the concern for someone who may
read it and, for an escalation contact who may not, a notice of the facts without the child's data.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import dsl_team_at
from concerns import policy
from concerns.choices import EscalationLevel
from concerns.selectors import alerts as selectors
from concerns.services import alerts

MAX_PAGE = 10_000


def alerts_in_header(request: HttpRequest) -> dict:
    """A context processor: the signed-in person's unread-alert count for the page header (accounts'
    `navigation` cannot know of alerts: accounts never imports concerns). Read only if a template
    shows it, then once a page (one query over the partial index of unread alerts); never for a
    signed-out visitor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"alerts_unread": SimpleLazyObject(lambda: selectors.alerts_unread_count(user))}


def _page_number(raw: str | None) -> int:
    # isdecimal, not isdigit: "²" is a digit int() refuses; and a huge number is refused too.
    if not raw or not raw.isdecimal() or len(raw) > len(str(MAX_PAGE)):
        return 1
    return min(int(raw), MAX_PAGE) if int(raw) > 0 else 1


def _back_to_list(request: HttpRequest) -> HttpResponse:
    number = _page_number(request.POST.get("page"))
    url = reverse("alerts:list")
    return redirect(f"{url}?page={number}" if number > 1 else url)


def _own_alert(request: HttpRequest, pk: int):
    notification = selectors.alert_of(request.user, pk)
    if notification is None:
        raise Http404
    return notification


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    """Unread first, urgent ones said so in words; no child's data, so no ledger entry."""
    page = selectors.alerts_page_for(request.user, number=_page_number(request.GET.get("page")))
    return render(request, "concerns/alerts/list.html", {"page": page})


@login_required
@require_POST
def alert_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    alerts.notification_mark_read(notification=_own_alert(request, pk))
    return _back_to_list(request)


@login_required
@require_POST
def alerts_mark_all_read(request: HttpRequest) -> HttpResponse:
    marked = alerts.notifications_mark_all_read(recipient=request.user)
    messages.success(request, f"{marked} alert{'' if marked == 1 else 's'} marked as read.")
    return _back_to_list(request)


@login_required
@require_GET
def alert_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the concern the alert is about if the person may read it, otherwise its notice; an
    alert that leads them nowhere any more (their access ended) is a 404 and stays as it was."""
    notification = _own_alert(request, pk)
    readable = policy.can_read(request.user, notification.concern)
    if not readable and not policy.may_see_alert_notice(request.user, notification):
        raise Http404
    alerts.notification_open(recipient=request.user, notification=notification, shows_notice=not readable)
    if readable:
        return redirect("concerns:detail", pk=notification.concern_id)
    concern = notification.concern
    overdue = timezone.now() - concern.review_deadline if concern.reviewed_at is None else None
    context = {
        "notification": notification,
        "concern": concern,
        "overdue_by": overdue if overdue is not None and overdue.total_seconds() > 0 else None,
        "escalation": EscalationLevel(concern.escalation_level).label if concern.escalation_level else "",
        "dsl_team": dsl_team_at([concern.site_id]).order_by("full_name").only("full_name"),
    }
    return render(request, "concerns/alerts/notice.html", context)
