"""Passwords: Django's validators, change while signed in, reset by an emailed link that signs no one
in, ends every other session, and reads the same whether or not the email has an account."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import PasswordResetRequest
from accounts.services.password_reset import password_reset_send
from audit.models import AuditEntry
from tests.conftest import authenticator_for, client_for, sign_in_with_code
from tests.factories import PASSWORD

HOME = reverse("concerns:home")
LOGIN = reverse("accounts:login")
NEW_PASSWORD = "lantern orchard pebble kettle"


def send_reset_emails() -> None:
    """What the worker does with the messages the reset page enqueued."""
    for request_id in PasswordResetRequest.objects.filter(processed_at__isnull=True).values_list("pk", flat=True):
        password_reset_send(request_id=request_id)


def reset_link(client: Client, email: str) -> str:
    response = client.post(reverse("accounts:password_reset"), {"email": email})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    send_reset_emails()
    [message] = mail.outbox
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body).group(1)


def test_asking_for_a_reset_reads_the_same_whether_or_not_the_email_has_an_account(cast):
    known = Client().post(reverse("accounts:password_reset"), {"email": cast.staff.email}, follow=True)
    unknown = Client().post(reverse("accounts:password_reset"), {"email": "no-one@test.example"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert "If that address has a Vigil account" in known.text
    strip = lambda html: re.sub(r'(nonce|value)="[^"]+"', "", html)  # noqa: E731
    assert strip(known.text) == strip(unknown.text)
    send_reset_emails()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [cast.staff.email]
    assert "Fernsby" not in mail.outbox[0].body  # no child's name, ever


def test_a_reset_sets_the_password_signs_no_one_in_and_ends_every_other_session(cast):
    device = authenticator_for(cast.dsl)
    elsewhere = client_for(cast.dsl)
    assert elsewhere.get(HOME).status_code == 200
    resetting = Client()
    link = reset_link(resetting, cast.dsl.email)
    form_page = resetting.get(link, follow=True)
    assert "Set a new password" in form_page.text
    done = resetting.post(
        form_page.request["PATH_INFO"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    # Not signed in by the reset: the second factor is still asked for.
    assert resetting.get(HOME)["Location"].startswith(LOGIN)
    # The session the person had elsewhere has ended.
    assert elsewhere.get(HOME)["Location"].startswith(LOGIN)
    # Signing in with the new password still asks for the code.
    after = Client()
    after.post(LOGIN, {"username": cast.dsl.email, "password": NEW_PASSWORD})
    assert after.get(HOME)["Location"].startswith(reverse("accounts:mfa_verify"))
    assert sign_in_with_code(Client(), cast.dsl, NEW_PASSWORD)["Location"] == HOME
    assert device.user_id == cast.dsl.pk
    assert AuditEntry.objects.filter(event="account.password_reset", object_pk=str(cast.dsl.pk)).count() == 1
    # The link works once.
    assert "This link does not work" in Client().get(link, follow=True).text


def test_a_weak_new_password_is_refused_next_to_the_field(cast):
    link = reset_link(Client(), cast.staff.email)
    client = Client()
    form_url = client.get(link, follow=True).request["PATH_INFO"]
    for weak, message in [("short pass", "at least 12 characters"), ("password1234", "too common")]:
        response = client.post(form_url, {"new_password1": weak, "new_password2": weak})
        assert response.status_code == 200 and message in response.text
    cast.staff.refresh_from_db()
    assert cast.staff.check_password(PASSWORD)
    # No composition rules: a long lower-case phrase is fine.
    assert client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).status_code == 302


def test_changing_the_password_keeps_this_session_and_ends_the_others(cast):
    here, elsewhere = client_for(cast.staff), client_for(cast.staff)
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    assert "Your password has been changed" in here.get(response["Location"]).text
    assert here.get(HOME).status_code == 200
    assert elsewhere.get(HOME)["Location"].startswith(LOGIN)
    assert AuditEntry.objects.filter(event="account.password_changed", actor=cast.staff).count() == 1


def test_a_wrong_current_password_changes_nothing(cast):
    client = client_for(cast.staff)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong-old-password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200 and "incorrect" in response.text
    cast.staff.refresh_from_db()
    assert cast.staff.check_password(PASSWORD)
