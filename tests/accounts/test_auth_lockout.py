"""Lockout (django-axes): five wrong passwords in a row cool off that email from that address for
15 minutes, and nothing on the page tells whether the email has an account."""

import re
import time

import time_machine
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from tests.conftest import authenticator_for
from tests.factories import PASSWORD

LOGIN = reverse("accounts:login")
WRONG = "not-the-password-at-all"


def attempt(email: str, password: str = WRONG, address: str = "198.51.100.7"):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": email, "password": password})


def comparable(html: str, email: str) -> str:
    """The page without what differs on every response anyway (CSRF token, CSP nonce)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'nonce="[^"]+"', "", html)
    return html.replace(email, "EMAIL")


def test_five_wrong_passwords_lock_out_that_email_from_that_address_even_with_the_right_password(cast):
    for _ in range(4):
        assert attempt(cast.staff.email).status_code == 200
    locked = attempt(cast.staff.email)
    assert locked.status_code == 429
    assert "The email address or password is not right" in locked.text and "try again later" in locked.text
    right = attempt(cast.staff.email, PASSWORD)
    assert right.status_code == 429 and "Location" not in right  # not signed in
    # Another address, or another email from this one, is not held up.
    assert attempt(cast.staff.email, PASSWORD, address="203.0.113.9").status_code == 302
    assert attempt(cast.staff2.email, PASSWORD).status_code == 302
    assert AuditEntry.objects.filter(event="account.locked_out").count() >= 1
    assert not AuditEntry.objects.filter(event="account.locked_out", additional_data__icontains="staff").exists()


def test_the_lockout_page_is_the_same_whether_or_not_the_email_has_an_account(cast):
    real, made_up = cast.staff.email, "nobody-here@test.example"
    pages = {}
    for email in (real, made_up):
        responses = [attempt(email) for _ in range(6)]
        assert [r.status_code for r in responses] == [200, 200, 200, 200, 429, 429]
        pages[email] = responses
    for wrong_real, wrong_made_up in zip(pages[real], pages[made_up], strict=True):
        assert comparable(wrong_real.text, real) == comparable(wrong_made_up.text, made_up)


def test_the_cool_off_ends_after_fifteen_minutes_and_is_not_extended_by_more_tries(cast):
    authenticator_for(cast.staff)
    with time_machine.travel(time.time(), tick=False) as clock:
        for _ in range(5):
            attempt(cast.staff.email)
        clock.shift(10 * 60)
        assert attempt(cast.staff.email, PASSWORD).status_code == 429
        clock.shift(5 * 60 + 1)
        assert attempt(cast.staff.email, PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_count(cast):
    for _ in range(4):
        attempt(cast.staff.email)
    assert attempt(cast.staff.email, PASSWORD).status_code == 302
    for _ in range(4):
        assert attempt(cast.staff.email).status_code == 200
    assert attempt(cast.staff.email, PASSWORD).status_code == 302


def test_the_email_is_counted_however_it_is_typed(cast):
    for variant in ["STAFF@test.example", " staff@test.example", "Staff@Test.Example", "staff@test.example "]:
        attempt(variant)
    assert attempt("staff@TEST.example").status_code == 429


def test_a_forged_forwarded_for_header_does_not_dodge_the_lockout(cast):
    for n in range(5):
        Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").post(
            LOGIN, {"username": cast.staff.email, "password": WRONG}
        )
    assert attempt(cast.staff.email, PASSWORD).status_code == 429
