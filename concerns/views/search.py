"""Search across the concerns a person may read (concerns.selectors.search): by reference, a
child's name or UPN, or the words recorded. What it shows is on the ledger: the concerns and the
children on the page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit import events
from audit.services import audit_record
from concerns import policy
from concerns.models import Child
from concerns.selectors import search


def _page_number(raw: str | None) -> int:
    # isdecimal, not isdigit: "²" is a digit int() refuses; and a huge number is cut short.
    if not raw or not raw.isdecimal() or len(raw) > 4:
        return 1
    return int(raw)


@login_required
@require_GET
def concern_search(request: HttpRequest) -> HttpResponse:
    if not policy.can_search_concerns(request.user):
        raise PermissionDenied("Searching concerns is for those who read them.")
    query = request.GET.get("q", "")
    results = search.search_concerns(request.user, query, page=_page_number(request.GET.get("page")))
    if results.child_ids_shown:
        # One entry for the page, as the queue's: the children it names, and how many concerns.
        audit_record(
            actor=request.user,
            event=events.CONCERN_SEARCHED,
            model=Child,
            object_ids=results.child_ids_shown,
            counts={"concerns": len(results.rows), "children": len(results.children)},
        )
    too_long = len(query) > search.QUERY_LENGTH
    return render(
        request,
        "concerns/search.html",
        {"results": results, "too_long": too_long, "max_length": search.QUERY_LENGTH},
    )
