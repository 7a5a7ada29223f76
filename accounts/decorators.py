"""View decorators for what needs more than being signed in."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse

from accounts.services.auth import mfa_is_fresh


def recent_mfa_required(view):
    """Let the request through only if the person entered a code in the last ten minutes
    (VIGIL_MFA_FRESH_SECONDS); otherwise ask for one and come back. For sharing, exporting,
    transferring a child's file and changing roles: a borrowed, still-open session is not enough."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not mfa_is_fresh(request.session):
            return redirect(f"{reverse('accounts:mfa_verify')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapped
