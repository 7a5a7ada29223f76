"""Signing in and out: the second factor, enrolment, session keep-alive, password pages, lockout,
and the person's own choice of alert emails."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.forms import (
    AlertEmailsForm,
    CodeForm,
    EmailAuthenticationForm,
    EnrolmentCodeForm,
    PasswordResetByEmailForm,
    StyledPasswordChangeForm,
    StyledSetPasswordForm,
)
from accounts.services.auth import idle_seconds_left
from accounts.services.mfa import (
    confirmed_authenticator,
    mfa_enrolment_confirm,
    mfa_enrolment_start,
    mfa_mark_verified,
    mfa_verify,
    recovery_codes_left,
)
from accounts.services.password_reset import password_reset_request
from accounts.services.preferences import user_alert_emails_choose
from audit import events
from audit.context import client_ip_of
from audit.models import AuditEntry
from audit.services import audit_record


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _login_required_json(view):
    """Session pages answer 401 to a signed-out browser script rather than a login page."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"signed_in": False}, status=401)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


login = auth_views.LoginView.as_view(
    template_name="accounts/login.html",
    authentication_form=EmailAuthenticationForm,
    redirect_authenticated_user=True,
)
logout = auth_views.LogoutView.as_view()


@login_required
@require_http_methods(["GET", "POST"])
def mfa_code(request: HttpRequest) -> HttpResponse:
    """Enter a code from the authenticator app (or a recovery code): at sign-in, or again before a
    sensitive action when the last code is more than a few minutes old."""
    if confirmed_authenticator(request.user) is None:
        return redirect(f"{reverse('accounts:mfa_enrol')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, reason = mfa_verify(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            mfa_mark_verified(request, device)
            if isinstance(device, StaticDevice):
                left = recovery_codes_left(request.user)
                messages.warning(request, f"You used a recovery code. You have {left} left; each works once.")
            return redirect(_next_url(request))
        form.add_error("code", form.error_for(reason))
    reverifying = request.user.is_verified()
    return render(
        request, "accounts/mfa_verify.html", {"form": form, "next": _next_url(request), "reverifying": reverifying}
    )


def _qr_svg(data: str) -> str:
    """The otpauth link as an inline SVG QR code: no image request, nothing the CSP must allow."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg class="qr-code" role="img" aria-label="QR code for your authenticator app" ', 1)


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), confirm with a code,
    then keep the ten recovery codes, shown this once."""
    if confirmed_authenticator(request.user) is not None:
        return redirect(f"{reverse('accounts:mfa_verify')}?{request.GET.urlencode()}")
    device = mfa_enrolment_start(user=request.user)
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes, reason = mfa_enrolment_confirm(user=request.user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            mfa_mark_verified(request, device)
            shown = [f"{code[:5]}-{code[5:]}" for code in codes]
            return render(request, "accounts/mfa_recovery_codes.html", {"codes": shown, "next": _next_url(request)})
        form.add_error("code", form.error_for(reason))
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - made here by qrcode, no user input
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "next": _next_url(request),
    }
    return render(request, "accounts/mfa_enrol.html", context)


@_login_required_json
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """How long until the session ends for want of activity. Asking does not count as activity."""
    return JsonResponse({"signed_in": True, "seconds_left": max(idle_seconds_left(request.session), 0)})


@_login_required_json
@require_POST
def session_keepalive(request: HttpRequest) -> JsonResponse:
    """'Stay signed in': this request is the activity that restarts the idle clock."""
    return JsonResponse({"signed_in": True, "seconds_left": max(idle_seconds_left(request.session), 0)})


@login_required
@require_http_methods(["GET", "POST"])
def alert_preferences(request: HttpRequest) -> HttpResponse:
    """The person chooses whether routine alerts email them; urgent ones and escalations always do."""
    choice = "yes" if request.user.emails_routine_alerts else "no"
    form = AlertEmailsForm(request.POST or None, initial={"emails_routine_alerts": choice})
    if request.method == "POST" and form.is_valid():
        user_alert_emails_choose(user=request.user, emails_routine_alerts=form.cleaned_data["emails_routine_alerts"])
        messages.success(request, "Your choice of alert emails is saved.")
        return redirect("accounts:alert_preferences")
    return render(request, "accounts/alert_preferences.html", {"form": form}, status=400 if form.errors else 200)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = StyledPasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(
            actor=self.request.user,
            event=events.ACCOUNT_PASSWORD_CHANGED,
            target=self.request.user,
            action=AuditEntry.Action.UPDATE,
        )
        return response


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a link to set a new password. Every address gets the same page, in the same time:
    the request only counts and queues; the worker looks the address up and sends the link."""
    form = PasswordResetByEmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_request(email=form.cleaned_data["email"], client_ip=client_ip_of(request))
        except ValidationError as error:
            form.add_error(None, error)
            return render(request, "accounts/password_reset.html", {"form": form}, status=429)
        return redirect("accounts:password_reset_done")
    return render(request, "accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from an emailed link. It does not sign the person in (so the second factor
    is still asked at sign-in), and the new password ends every session they had."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = StyledSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(
            actor=form.user, event=events.ACCOUNT_PASSWORD_RESET, target=form.user, action=AuditEntry.Action.UPDATE
        )
        return response


password_change = PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout page: the sign-in form with the same words as a wrong password, and
    "try again later". It reads the same whether or not the email has an account."""
    form = EmailAuthenticationForm(request, data=None)
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked_out": True, "next": _next_url(request)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
