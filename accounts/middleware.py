"""Request-wide rules for signed-in people: session limits, the second factor, and response headers."""

import time
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.selectors import memberships_remembered, roles_described
from accounts.services.auth import (
    LAST_ACTIVITY_AT,
    PRIVILEGED,
    SIGNED_IN_AT,
    idle_limit_seconds,
    is_privileged,
    mfa_required,
)
from audit import events
from audit.context import reset_actor_roles, set_actor_roles
from audit.models import AuditEntry
from audit.services import audit_record


@cache
def _path(name: str) -> str:
    return reverse(name)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _duration(seconds: int) -> str:
    return f"{seconds // 60} minutes" if seconds >= 120 else f"{seconds} seconds"


class SessionTimeoutMiddleware:
    """A session ends after a spell without activity (15 minutes for the DSL team, administrators and
    auditors, 30 for staff) and 12 hours after sign-in, whatever happens: an unattended school
    computer does not stay signed in. Ended on the server, so the old cookie is worth nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        session, now = request.session, time.time()
        if SIGNED_IN_AT not in session:
            # A session from before these limits: start its clocks now.
            session[SIGNED_IN_AT] = now
            session[PRIVILEGED] = is_privileged(request.user)
        if now - session[SIGNED_IN_AT] > settings.VIGIL_SESSION_ABSOLUTE_SECONDS:
            hours = settings.VIGIL_SESSION_ABSOLUTE_SECONDS // 3600
            self._end(request, events.ACCOUNT_SESSION_EXPIRED, f"You were signed out {hours} hours after signing in.")
        elif now - session.get(LAST_ACTIVITY_AT, now) > idle_limit_seconds(session):
            idle = _duration(idle_limit_seconds(session))
            self._end(request, events.ACCOUNT_SESSION_IDLE, f"You were signed out after {idle} without activity.")
        elif request.path_info != _path("accounts:session_status"):
            # Asking how long is left is not activity; everything else is.
            session[LAST_ACTIVITY_AT] = now

    @staticmethod
    def _end(request, event: str, message: str) -> None:
        user = request.user
        audit_record(actor=user, event=event, target=user, action=AuditEntry.Action.ACCESS)
        logout(request)
        request.user = AnonymousUser()
        messages.info(request, f"{message} Sign in again to carry on.")


# Pages a signed-in person may reach before entering their code.
MFA_EXEMPT = (
    "accounts:mfa_verify",
    "accounts:mfa_enrol",
    "accounts:logout",
    "accounts:session_status",
    "accounts:session_keepalive",
)


class MFARequiredMiddleware:
    """Until the second factor is verified, every page but the code, enrolment and sign-out pages
    sends the person to enter their code (or to set up their authenticator)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not self._exempt(request) and mfa_required(user):
            if _wants_json(request):
                return JsonResponse({"error": "mfa_required"}, status=401)
            return redirect(f"{_path('accounts:mfa_verify')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _exempt(request) -> bool:
        path = request.path_info
        return path.startswith(settings.STATIC_URL) or any(path == _path(name) for name in MFA_EXEMPT)


class PermissionsPolicyMiddleware:
    """Pages may not use the camera, microphone, location or payments: nothing here needs them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class NoStoreForSignedInMiddleware:
    """No signed-in page is kept in a browser or proxy cache: a shared school computer must
    not show the next person what the last one read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


class AuditActorRolesMiddleware:
    """Tell the ledger, lazily, which roles the signed-in person holds where: each entry records
    the actor's roles at the time, and the query runs only if the request writes an entry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        described: list[str] = []

        def describe() -> str:
            if not described:
                described.append(roles_described(user))
            return described[0]

        token = set_actor_roles(user.pk, describe)
        try:
            return self.get_response(request)
        finally:
            reset_actor_roles(token)


class MembershipsPerRequestMiddleware:
    """Each person's active memberships are read once per request, however often the menu, the
    policy and the ledger ask (accounts.selectors.memberships_held); nothing is kept between requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with memberships_remembered():
            return self.get_response(request)
