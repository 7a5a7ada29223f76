"""Refusals are on the ledger: a signed-in request our views answer with 404 or 403 leaves one entry.

With ATOMIC_REQUESTS the view's transaction is rolled back when it raises; Django calls these
handlers afterwards, outside it, so the denial entry survives the rollback.
"""

import uuid

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit import events
from audit.services import audit_record


def _ids_only(kwargs: dict) -> dict:
    # Only ids from the path: never a query string, which could carry words typed into a box.
    return {name: value if isinstance(value, int) else str(value) for name, value in kwargs.items() if _is_id(value)}


def _is_id(value) -> bool:
    return isinstance(value, uuid.UUID) or (isinstance(value, int) and not isinstance(value, bool))


@transaction.atomic
def access_denial_record(*, request: HttpRequest, status: int) -> None:
    """Write one events.ACCESS_DENIED entry for a signed-in request refused by a view (404 or 403)."""
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or not getattr(user, "is_authenticated", False):
        return  # no view ran (an unknown address), or no one to record: sign-in comes first
    audit_record(
        actor=user,
        event=events.ACCESS_DENIED,
        target=user,
        counts={"status": status},
        fields=[f"url:{match.view_name}", *(f"{name}:{value}" for name, value in _ids_only(match.kwargs).items())],
    )


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    access_denial_record(request=request, status=404)
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    access_denial_record(request=request, status=403)
    return render(request, "403.html", status=403)
