"""Staff pages: find a child, record a concern, see what you recorded."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import events
from audit.models import AuditEntry
from audit.services import audit_record
from concerns import policy, selectors
from concerns.choices import BodySide, ChildRole
from concerns.forms.date_input import DATE_PARTS, TIME_PARTS
from concerns.forms.recording import AddendumForm, ConcernForm
from concerns.language import rules_for_browser
from concerns.models import Child, Concern, DraftAttachment
from concerns.selectors.rows import concern_rows
from concerns.services.alerts import notifications_mark_read
from concerns.services.recording import addendum_add, concern_submit, draft_discard, draft_save
from concerns.uploads import ALLOWED_KINDS
from concerns.views.review import review_queue_context, triage_panel_context

DRAFT_FIELDS = (
    "children",
    "categories",
    "occurred_at",  # one ISO value, in drafts saved before the day, month and year boxes
    *(f"occurred_at_{part}" for part in DATE_PARTS + TIME_PARTS),
    "delay_reason",
    "is_disclosure",
    "child_words",
    "observations",
    "location",
    "immediate_danger",
    "called_999",
    "body_map",
    "named_recipients",
)


def _search_text(request: HttpRequest) -> str:
    # A null byte is never part of a name or UPN, and the database cannot compare text with one.
    return request.GET.get("q", "").replace("\x00", "")[:100]


def _audit_children_shown(request: HttpRequest, event: str, child_ids) -> None:
    ids = list(child_ids)
    if ids:
        audit_record(actor=request.user, event=event, model=Child, object_ids=ids)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role's own work first. For the DSL team, the review queue, their alerts being on the
    alerts page; for others alerted (an escalation contact), their newest unread alerts."""
    context = {"can_record": policy.can_record(request.user), "drafts": selectors.drafts_of(request.user)[:5]}
    queue = review_queue_context(request, QueryDict(), on_home=True)
    if queue is not None:
        context.update(queue, queue_shown=True)
    else:
        context["notifications"] = selectors.notifications_unread_for(request.user)
    return render(request, "concerns/home.html", context)


@login_required
@require_GET
def child_search(request: HttpRequest) -> HttpResponse:
    query = _search_text(request)
    children = list(selectors.children_matching(request.user, query))
    _audit_children_shown(request, events.CHILD_SEARCHED, [child.id for child in children])
    recordable = set(
        policy.children_recordable_by(request.user)
        .filter(id__in=[child.id for child in children])
        .values_list("id", flat=True)
    )
    return render(
        request,
        "concerns/child_search.html",
        {
            "query": query,
            "children": children,
            "recordable": recordable,
        },
    )


@login_required
@require_GET
def child_lookup(request: HttpRequest) -> JsonResponse:
    """The recording form's child picker: children the user may record about."""
    query = _search_text(request)
    children = list(selectors.children_matching(request.user, query, recordable_only=True))
    _audit_children_shown(request, events.CHILD_SEARCHED, [child.id for child in children])
    return JsonResponse(
        {
            "results": [
                {
                    "id": child.id,
                    "name": child.display_name,
                    "year_group": child.year_group,
                    "site": child.site.name,
                    "born": child.date_of_birth.isoformat(),
                    "born_on": dateformat.format(child.date_of_birth, "j M Y"),
                }
                for child in children
            ]
        }
    )


def _require_recorder(request: HttpRequest) -> None:
    if not policy.can_record(request.user):
        raise PermissionDenied("Your role does not record concerns.")


@login_required
@require_GET
def concern_new(request: HttpRequest) -> HttpResponse:
    _require_recorder(request)
    url = reverse("concerns:record", args=[uuid.uuid4()])
    child = request.GET.get("child", "")
    return redirect(f"{url}?child={child}" if child.isdigit() else url)


def _ids_and_roles(data) -> list[tuple[int, str]]:
    """The children a post or a draft (a dict of lists) names, and the part of each."""
    # A QueryDict is a dict too, whose get() gives one string: read both as lists of values.
    values = data if isinstance(data, MultiValueDict) else MultiValueDict(data)
    pairs: list[tuple[int, str]] = []
    for raw in values.getlist("children"):
        if str(raw).isdigit() and int(raw) not in [child_id for child_id, _ in pairs]:
            pairs.append((int(raw), values.get(f"role_{raw}") or ChildRole.SUBJECT))
    return pairs


def _initial_from_draft(data: dict[str, list[str]]) -> dict:
    initial = {name: values[-1] for name, values in data.items() if name in DRAFT_FIELDS and values}
    occurred_widget = ConcernForm.base_fields["occurred_at"].widget
    initial["occurred_at"] = occurred_widget.value_from_datadict(MultiValueDict(data), None, "occurred_at")
    initial["categories"] = data.get("categories", [])
    initial["named_recipients"] = data.get("named_recipients", [])
    initial["immediate_danger"] = bool(data.get("immediate_danger"))
    initial.pop("children", None)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def concern_record(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    _require_recorder(request)
    if selectors.key_belongs_to_someone_else(request.user, key):
        raise Http404  # drafts and concerns are private to their author
    submitted_id = selectors.submitted_concern_id(request.user, key)
    if submitted_id is not None:
        return redirect("concerns:receipt", pk=submitted_id)
    draft = selectors.draft_of(request.user, key)
    kept = list(draft.attachments.all()) if draft is not None else []
    if request.method == "POST":
        form = ConcernForm(request.POST, request.FILES, user=request.user, kept=kept)
        concern = _submitted(request, key, form)
        if concern is not None:
            return redirect("concerns:receipt", pk=concern.pk)
        form.kept = _keep_as_draft(request, key, form)
        chosen = selectors.children_chosen(request.user, _ids_and_roles(request.POST))
    else:
        if draft is not None:
            form = ConcernForm(initial=_initial_from_draft(draft.data), user=request.user, kept=kept)
            pairs = _ids_and_roles(draft.data)
        else:
            form = ConcernForm(user=request.user)
            child = request.GET.get("child", "")
            pairs = [(int(child), ChildRole.SUBJECT)] if child.isdigit() else []
        chosen = selectors.children_chosen(request.user, pairs)
    _audit_children_shown(request, events.CHILD_VIEWED, [child.id for child, _ in chosen])
    return render(
        request,
        "concerns/record.html",
        {
            "form": form,
            "key": key,
            "chosen": chosen,
            "roles": ChildRole.choices,
            "advice_rules": rules_for_browser(),
            "accept": ",".join("." + ext for kind in ALLOWED_KINDS for ext in kind.extensions),
        },
    )


def _submitted(request: HttpRequest, key: uuid.UUID, form: ConcernForm) -> Concern | None:
    """The concern this post became, or None with the problems shown on the form."""
    if not form.is_valid():
        return None
    try:
        concern, _created = concern_submit(author=request.user, submission_key=key, **form.submission_kwargs())
    except ValidationError as error:
        form.add_problems(error.message_dict if hasattr(error, "error_dict") else {None: error.messages})
        return None
    return concern


def _draft_data(post) -> dict[str, list[str]]:
    return {name: post.getlist(name) for name in post if name in DRAFT_FIELDS or name.startswith("role_")}


def _keep_as_draft(request: HttpRequest, key: uuid.UUID, form: ConcernForm) -> list[DraftAttachment]:
    """Keep a post that had a problem as the draft, with the files that were fine, so none is chosen again."""
    chosen_files = request.FILES.getlist("files")
    remove = form.cleaned_data.get("remove_files") or []
    try:
        draft = draft_save(
            author=request.user,
            key=key,
            data=_draft_data(request.POST),
            uploads=form.accepted_uploads,
            remove_files=remove,
        )
    except ValidationError:
        try:
            draft = draft_save(author=request.user, key=key, data=_draft_data(request.POST), remove_files=remove)
        except ValidationError:
            form.files_lost = bool(chosen_files)
            return form.kept
        form.accepted_uploads = []
    form.files_lost = len(chosen_files) > len(form.accepted_uploads)
    return list(draft.attachments.all())


def _login_required_json(view):
    """Autosave answers 401 rather than a login redirect, so the page can tell the person."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"error": "signed_out"}, status=401)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_login_required_json
@require_POST
def draft_autosave(request: HttpRequest, key: uuid.UUID) -> JsonResponse:
    _require_recorder(request)
    try:
        draft = draft_save(author=request.user, key=key, data=_draft_data(request.POST))
    except ValidationError as error:
        return JsonResponse({"error": error.messages[0]}, status=409)
    except PermissionDenied as exc:
        raise Http404 from exc
    return JsonResponse({"saved_at": draft.updated_at.isoformat()})


@login_required
@require_GET
def draft_list(request: HttpRequest) -> HttpResponse:
    drafts = list(selectors.drafts_of(request.user))
    # One query for every draft's children, not one a draft.
    named = {draft.key: _ids_and_roles(draft.data) for draft in drafts}
    found = dict(
        (child.pk, child)
        for child, _ in selectors.children_chosen(request.user, [pair for pairs in named.values() for pair in pairs])
    )
    names = {
        key: ", ".join(found[child_id].display_name for child_id, _ in pairs if child_id in found)
        for key, pairs in named.items()
    }
    _audit_children_shown(
        request, events.CHILD_VIEWED, [child_id for draft in drafts for child_id, _ in _ids_and_roles(draft.data)]
    )
    return render(
        request,
        "concerns/drafts.html",
        {
            "drafts": [(draft, names[draft.key]) for draft in drafts],
        },
    )


@login_required
@require_POST
def draft_delete(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    if selectors.draft_of(request.user, key) is None:
        raise Http404
    draft_discard(author=request.user, key=key)
    messages.success(request, "The draft was discarded.")
    return redirect("concerns:drafts")


def _visible_concern(request: HttpRequest, pk: int) -> Concern:
    concern = selectors.concern_for_reading(request.user, pk)
    if concern is None:
        raise Http404
    return concern


@login_required
@require_GET
def concern_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    concern = _visible_concern(request, pk)
    if concern.author_id != request.user.pk:
        raise PermissionDenied
    return render(request, "concerns/receipt.html", {"concern": concern})


@login_required
@require_GET
def my_concerns(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.concerns_written_by(request.user), 25).get_page(request.GET.get("page"))
    rows = concern_rows(page.object_list, with_children=True)
    _audit_children_shown(request, events.CONCERN_LIST_VIEWED, [child_id for row in rows for child_id in row.child_ids])
    return render(request, "concerns/mine.html", {"page": page, "rows": rows})


def show_concern(
    request: HttpRequest,
    concern: Concern,
    addendum_form: AddendumForm | None = None,
    *,
    triage_forms: dict | None = None,
    status: int = 200,
):
    """The concern's page, with the review panel for the DSL team (triage_forms: a triage form as
    the person filled it in, shown again with its problems)."""
    audit_record(
        actor=request.user,
        event=events.CONCERN_VIEWED,
        target=concern,
        site_id=concern.site_id,
        object_ids=[link.child_id for link in concern.child_links.all()],
    )
    context = {
        "concern": concern,
        "addendum_form": addendum_form or AddendumForm(),
        "body_sides": BodySide.choices,
        "can_add_addendum": policy.can_add_addendum(request.user, concern),
        "can_share": policy.can_share(request.user, concern),
        "can_lift_restriction": policy.can_lift_restriction(request.user, concern),
    }
    if context["can_share"]:
        context["shares"] = list(selectors.shares_live_on(concern))
    context.update(triage_panel_context(request, concern, triage_forms))
    return render(request, "concerns/detail.html", context, status=status)


@login_required
@require_GET
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    concern = _visible_concern(request, pk)
    notifications_mark_read(recipient=request.user, concern=concern)
    return show_concern(request, concern)


@login_required
@require_POST
def concern_addendum(request: HttpRequest, pk: int) -> HttpResponse:
    concern = _visible_concern(request, pk)
    if not policy.can_add_addendum(request.user, concern):
        raise PermissionDenied
    form = AddendumForm(request.POST)
    if not form.is_valid():
        return show_concern(request, concern, form, status=400)
    addendum_add(author=request.user, concern=concern, text=form.cleaned_data["text"])
    messages.success(request, "Your addendum was added.")
    return redirect("concerns:detail", pk=concern.pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, uid: uuid.UUID) -> FileResponse:
    attachment = policy.attachments_visible_to(request.user).filter(uid=uid).select_related("concern").first()
    if attachment is None:
        raise Http404
    audit_record(
        actor=request.user,
        event=events.ATTACHMENT_DOWNLOADED,
        target=attachment,
        site_id=attachment.concern.site_id,
        action=AuditEntry.Action.ACCESS,
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "no-store"
    return response
