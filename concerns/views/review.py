"""The DSL team's review queue and triage: claim, release, priority, the review decision, the owner
and closing (DESIGN.md sections 1–3; the rules are in concerns.services.review).

Every triage action works as a plain form — post, then back to the page with a message — and with
htmx, which swaps only the queue's row or the concern page's triage panel (the request's HX-Target
says which). A concern the user may not read is a 404, one they may read but not triage a 403; a
second member of the team acting on a concern someone else holds is told who has it (409 to htmx);
a problem with what was typed shows the form again, as typed, with the message by the field.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from audit import events
from audit.services import audit_record
from concerns import policy
from concerns.choices import Priority
from concerns.forms.review import CloseForm, OwnerForm, PriorityForm, QueueFilterForm, ReviewDecisionForm, TriageForm
from concerns.models import Child, Concern
from concerns.selectors import review as queue
from concerns.services import review as triage
from concerns.services.review import ReviewConflict

ROW_TARGET_PREFIX = "queue-row-"
PANEL_TARGET = "triage-panel"


def _signed_in(view):
    """login_required, except that an htmx request whose session has ended is sent to sign in as
    a whole page, rather than given the sign-in page to swap into a row."""
    guarded = login_required(view)

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated and request.htmx:
            back = _current_page(request) or reverse("concerns:review_queue")
            return HttpResponseClientRedirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back})}")
        return guarded(request, *args, **kwargs)

    return wrapped


# --- the queue ------------------------------------------------------------------------------


def _site_in(url: str | None, site_ids: list[int]) -> int | None:
    """The site a queue page's address filters on, if it is one of the reader's."""
    try:  # the address comes from the browser's HX-Current-URL header: anything at all
        values = parse_qs(urlsplit(url or "").query).get("site", [])
    except ValueError:
        return None
    site = values[0] if values else ""
    if not site.isdecimal() or len(site) > 18:
        return None
    return int(site) if int(site) in site_ids else None


def review_queue_context(request: HttpRequest, data: QueryDict, *, on_home: bool = False) -> dict | None:
    """The queue as `data` (the query string) filters it, for its page or the DSL team's home page;
    the children it shows are on the ledger. None for someone not on the DSL team of any site."""
    sites = queue.review_sites_for(request.user)
    if not sites:
        return None
    form = QueueFilterForm(data, sites=sites, categories=queue.category_choices())
    filters = form.queue_filters() if form.is_valid() else None
    awaiting = queue.awaiting_review_for(request.user, site_id=filters["site_id"] if filters else None)
    counts = queue.review_queue_counts(request.user, awaiting=awaiting)
    # A filter that is not one of the choices shows its message and no rows, not the whole queue.
    concerns = queue.review_queue_for(request.user, **filters, awaiting=awaiting) if filters else awaiting.none()
    paginator = Paginator(concerns, queue.QUEUE_PAGE_SIZE)
    if filters and not any(value for name, value in filters.items() if name != "site_id"):
        paginator.count = counts.awaiting  # the same rows the counts were taken over: no second count
    page = paginator.get_page(data.get("page"))
    rows = queue.queue_rows(page.object_list)
    if rows:
        single_site = (
            filters["site_id"] if filters and filters["site_id"] else (sites[0][0] if len(sites) == 1 else None)
        )
        audit_record(
            actor=request.user,
            event=events.CONCERN_QUEUE_VIEWED,
            model=Child,
            object_ids=[child_id for row in rows for child_id in row.child_ids],
            counts={"concerns": len(rows)},
            site_id=single_site,
        )
    query = data.copy()
    query.pop("page", None)
    return {
        "form": form,
        "counts": counts,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "several_sites": len(sites) > 1,
        "filtered": bool(filters) and any(filters.values()),
        "back_to": request.get_full_path(),
        "on_home": on_home,
    }


@_signed_in
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    context = review_queue_context(request, request.GET)
    if context is None:
        raise PermissionDenied("The review queue is for the DSL team: DSLs and deputies.")
    context["can_record"] = policy.can_record(request.user)
    return render(request, "concerns/review/queue.html", context, status=400 if context["form"].errors else 200)


# --- triage ---------------------------------------------------------------------------------


def _concern_to_triage(request: HttpRequest, pk: int) -> Concern:
    concern = queue.concern_for_triage(request.user, pk)
    if concern is None:
        raise Http404
    if not policy.allows(request.user, policy.Action.TRIAGE, concern):
        raise PermissionDenied("Only the DSL team of the concern's site triages it.")
    return concern


def _back_to(request: HttpRequest, concern_id: int) -> str:
    """Where a plain form goes back to: the page it was posted from, if it is one of ours."""
    wanted = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse("concerns:detail", args=[concern_id])


def _current_page(request: HttpRequest) -> str | None:
    """The page htmx says the person is on, from its HX-Current-URL header; None for one that is
    not an address at all (the header is the browser's to send, and django-htmx raises on it)."""
    try:
        return request.htmx.current_url_abs_path
    except ValueError:
        return None


def _page_address(request: HttpRequest) -> str:
    """The address of the page a fragment is shown on, for the plain forms inside it."""
    return (request.htmx and _current_page(request)) or request.POST.get("next") or request.get_full_path()


def triage_panel_context(request: HttpRequest, concern: Concern, forms: dict[str, TriageForm] | None = None) -> dict:
    """What the concern page's triage panel shows this reader: the review facts to the DSL team and
    auditors, the forms to those who may triage, and to the author only when it was reviewed."""
    user = request.user
    can_triage = policy.allows(user, policy.Action.TRIAGE, concern)
    context: dict = {
        "can_triage": can_triage,
        "sees_review": can_triage or policy.can_read_triage(user, concern),
        "overdue": concern.reviewed_at is None and concern.review_deadline <= timezone.now(),
        "back_to": _page_address(request),
    }
    if context["sees_review"]:
        context["decisions"], context["closures"] = queue.review_history(concern)
    if can_triage:
        owners = queue.owner_candidates(concern)
        given = forms or {}
        context["priority_form"] = given.get("priority") or PriorityForm(
            concern_id=concern.pk, initial={"priority": concern.priority}
        )
        context["decision_form"] = given.get("decision") or ReviewDecisionForm(concern_id=concern.pk, owners=owners)
        context["owner_form"] = given.get("owner") or OwnerForm(
            concern_id=concern.pk, owners=owners, initial={"owner": concern.owner_id}
        )
        context["close_form"] = given.get("close") or CloseForm(concern_id=concern.pk)
    return context


def _counts_for_page(request: HttpRequest) -> queue.QueueCounts:
    site_id = _site_in(request.htmx.current_url, queue.review_site_ids(request.user))
    return queue.review_queue_counts(request.user, site_id=site_id)


def _fragment(
    request: HttpRequest,
    concern_id: int,
    *,
    message: str = "",
    level: str = "success",
    form: TriageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The part of the page htmx asked to swap, as it is now: the queue's row or the triage panel."""
    if (request.htmx.target or "").startswith(ROW_TARGET_PREFIX):
        row = queue.queue_row_for(request.user, concern_id)
        if row is None:
            raise Http404
        audit_record(
            actor=request.user,
            event=events.CONCERN_QUEUE_VIEWED,
            model=Child,
            object_ids=row.child_ids,
            counts={"concerns": 1},
        )
        if form is not None and not isinstance(form, ReviewDecisionForm):
            # A row shows only the decision form whole; another form's problem is said in words.
            message, level = " ".join(error for errors in form.errors.values() for error in errors), "error"
        back_to = _page_address(request)
        decision_html = ""
        if isinstance(form, ReviewDecisionForm):
            form_context = {"form": form, "concern_id": concern_id, "row_id": concern_id, "back_to": back_to}
            decision_html = render_to_string("concerns/review/decision_form.html", form_context, request=request)
        context = {
            "row": row,
            "counts": _counts_for_page(request),
            "decision_html": decision_html,
            "message": message,
            "message_level": level,
            "several_sites": len(queue.review_site_ids(request.user)) > 1,
            "back_to": back_to,
        }
        return render(request, "concerns/review/row_response.html", context, status=status)
    concern = queue.concern_for_triage(request.user, concern_id)
    if concern is None:
        raise Http404
    # The panel shows the review's rationale and any closure's reason: a read of the concern.
    audit_record(
        actor=request.user,
        event=events.CONCERN_VIEWED,
        target=concern,
        site_id=concern.site_id,
        object_ids=[link.child_id for link in concern.child_links.all()],
    )
    forms = {form.kind: form} if form is not None else None
    context = {
        "concern": concern,
        **triage_panel_context(request, concern, forms),
        "message": message,
        "message_level": level,
    }
    return render(request, "concerns/review/panel_response.html", context, status=status)


def _answer(request: HttpRequest, concern: Concern, message: str, *, level: str = "success", status: int = 200):
    if request.htmx:
        return _fragment(request, concern.pk, message=message, level=level, status=status)
    getattr(messages, level)(request, message)
    return redirect(_back_to(request, concern.pk))


def _form_again(request: HttpRequest, concern: Concern, form: TriageForm, *, status: int = 400) -> HttpResponse:
    """The form as the person filled it in, with the problems by the fields; nothing was saved."""
    if request.htmx:
        return _fragment(request, concern.pk, form=form, status=status)
    from concerns.selectors.recording import concern_for_reading as queue_concern_for_reading
    from concerns.views.recording import show_concern  # the concern page, which shows this panel

    whole = queue_concern_for_reading(request.user, concern.pk)
    if whole is None:
        raise Http404
    return show_concern(request, whole, triage_forms={form.kind: form}, status=status)


def _conflict(request: HttpRequest, concern: Concern, conflict: ReviewConflict, form: TriageForm | None):
    """Someone else got there first. What this person wrote (a rationale, a reason) is never
    thrown away: a queue row shows the decision form again as typed; elsewhere the message
    beside who holds the concern gives the words back."""
    typed = form.cleaned_data if form is not None and hasattr(form, "cleaned_data") else {}
    kept = " ".join(str(typed.get(name) or "") for name in ("rationale", "reason")).strip()
    if kept and isinstance(form, ReviewDecisionForm) and (request.htmx.target or "").startswith(ROW_TARGET_PREFIX):
        form.add_error(None, f"{conflict} Nothing of yours was saved; what you wrote is kept here.")
        return _fragment(request, concern.pk, form=form, message=str(conflict), level="warning", status=409)
    message = f"{conflict} Nothing of yours was saved. What you wrote: “{kept}”" if kept else str(conflict)
    return _answer(request, concern, message, level="warning", status=409)


def _carry_out(
    request: HttpRequest, concern: Concern, action: Callable[[], object], *, done: str, form: TriageForm | None = None
) -> HttpResponse:
    try:
        action()
    except ReviewConflict as conflict:
        return _conflict(request, concern, conflict, form)
    except ValidationError as error:
        if form is None:
            return _answer(request, concern, " ".join(error.messages), level="error", status=400)
        form.add_service_errors(error)
        return _form_again(request, concern, form)
    return _answer(request, concern, done)


@_signed_in
@require_POST
def review_claim(request: HttpRequest, pk: int) -> HttpResponse:
    concern = _concern_to_triage(request, pk)
    return _carry_out(
        request,
        concern,
        lambda: triage.concern_claim(user=request.user, concern=concern),
        done=f"You have claimed {concern.reference}: the rest of the team sees that you are reviewing it.",
    )


@_signed_in
@require_POST
def review_release(request: HttpRequest, pk: int) -> HttpResponse:
    concern = _concern_to_triage(request, pk)
    return _carry_out(
        request,
        concern,
        lambda: triage.concern_release(user=request.user, concern=concern),
        done=f"You have released {concern.reference} for someone else on the team to review.",
    )


@_signed_in
@require_POST
def review_priority(request: HttpRequest, pk: int) -> HttpResponse:
    concern = _concern_to_triage(request, pk)
    form = PriorityForm(request.POST, concern_id=concern.pk)
    if not form.is_valid():
        return _form_again(request, concern, form)
    priority = form.cleaned_data["priority"]
    return _carry_out(
        request,
        concern,
        lambda: triage.concern_priority_set(user=request.user, concern=concern, priority=priority),
        done=f"{concern.reference} is now {Priority(priority).label.lower()} priority.",
        form=form,
    )


@_signed_in
@require_http_methods(["GET", "POST"])
def review_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the decision form, for htmx to open in a queue row (a plain link goes to the concern's
    page, where the form is). POST: record the decision, which makes the concern reviewed."""
    concern = _concern_to_triage(request, pk)
    owners = queue.owner_candidates(concern)
    if request.method == "GET":
        if not request.htmx:
            return redirect(reverse("concerns:detail", args=[concern.pk]) + "#triage-panel")
        form = ReviewDecisionForm(concern_id=concern.pk, owners=owners)
        context = {"form": form, "concern_id": concern.pk, "row_id": concern.pk, "back_to": _page_address(request)}
        return render(request, "concerns/review/decision_form.html", context)
    form = ReviewDecisionForm(request.POST, concern_id=concern.pk, owners=owners)
    if not form.is_valid():
        return _form_again(request, concern, form)
    data = form.cleaned_data
    return _carry_out(
        request,
        concern,
        lambda: triage.concern_review(
            user=request.user,
            concern=concern,
            decision=data["decision"],
            rationale=data["rationale"],
            priority=data["priority"],
            owner=data["owner"],
        ),
        done=f"Your review of {concern.reference} is recorded.",
        form=form,
    )


@_signed_in
@require_POST
def review_owner(request: HttpRequest, pk: int) -> HttpResponse:
    concern = _concern_to_triage(request, pk)
    form = OwnerForm(request.POST, concern_id=concern.pk, owners=queue.owner_candidates(concern))
    if not form.is_valid():
        return _form_again(request, concern, form)
    owner = form.cleaned_data["owner"]
    return _carry_out(
        request,
        concern,
        lambda: triage.concern_owner_assign(user=request.user, concern=concern, owner=owner),
        done=f"{owner.full_name} now carries {concern.reference}.",
        form=form,
    )


@_signed_in
@require_POST
def review_close(request: HttpRequest, pk: int) -> HttpResponse:
    concern = _concern_to_triage(request, pk)
    form = CloseForm(request.POST, concern_id=concern.pk)
    if not form.is_valid():
        return _form_again(request, concern, form)
    data = form.cleaned_data
    return _carry_out(
        request,
        concern,
        lambda: triage.concern_close(
            user=request.user, concern=concern, outcome=data["outcome"], reason=data["reason"]
        ),
        done=f"{concern.reference} is closed.",
        form=form,
    )
