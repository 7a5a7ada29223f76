"""Signing in with a second factor, and the idle-timeout warning, in real Chromium.

The codes are worked out as a phone's authenticator app would: from the secret the page shows.
Any CSP violation on these pages is a console error, which fails the test (see conftest)."""

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from playwright.sync_api import expect

from tests.browser.conftest import artifact, sign_in
from tests.conftest import authenticator_for, current_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def app_code(secret_base32: str) -> str:
    """What an authenticator app shows now for this secret."""
    totp = TOTP(b32decode(secret_base32))
    totp.time = time.time()
    return f"{totp.token():06d}"


def password_step(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_deputy_enrols_an_authenticator_then_signs_in_with_it(page, browser_cast):
    deputy = browser_cast.deputy
    password_step(page, deputy)

    # No authenticator yet: the enrolment page, with a QR code drawn inline and the secret to type.
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "").strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.screenshot(path=str(artifact("mfa-enrol.png")), full_page=True)
    # The menu is not offered, and other pages send the person back here.
    expect(page.get_by_role("link", name="Find a child")).to_have_count(0)
    page.goto("/concerns/mine/")
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()

    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.locator("#id_code_error")).to_contain_text("That code is not right")
    page.wait_for_timeout(1500)  # after a wrong code django-otp makes the next try wait a second

    page.get_by_label("Code", exact=True).fill(app_code(secret))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    assert StaticToken.objects.filter(device__user=deputy).count() == 10
    page.screenshot(path=str(artifact("mfa-recovery-codes.png")), full_page=True)
    page.get_by_role("link", name="I have kept my codes — continue").click()
    # They asked for "My concerns" before enrolling, and land there.
    expect(page.get_by_role("heading", name="My concerns")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(deputy.full_name)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Vigil")).to_be_visible()

    # Next time: password, then a code from the app (a later one: each code works once).
    password_step(page, deputy)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(current_code(authenticator_for(deputy)))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(deputy.full_name)

    # A recovery code works too, once.
    page.get_by_role("button", name="Sign out").click()
    password_step(page, deputy)
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("status").filter(has_text="You used a recovery code")).to_contain_text("9 left")


def test_the_idle_warning_appears_and_stay_signed_in_keeps_the_session(page, browser_cast, settings):
    # Staff idle limit shortened to 2 minutes 5 seconds: the two-minute warning comes after 5 seconds.
    settings.VIGIL_SESSION_IDLE_SECONDS = 125
    sign_in(page, browser_cast.staff)
    warning = page.get_by_role("alertdialog", name="You are about to be signed out")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=20_000)
    expect(page.locator("#session-countdown")).to_have_text(re.compile(r"^[12]:\d\d$"))
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    page.screenshot(path=str(artifact("session-warning.png")))

    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    left = page.evaluate("async () => (await (await fetch('/accounts/session/')).json()).seconds_left")
    assert left > 120
    # Still signed in, and the warning comes back only after another quiet spell.
    expect(warning).to_be_visible(timeout=20_000)


def test_an_idle_session_ends_and_the_page_says_why(page, browser_cast, settings):
    settings.VIGIL_SESSION_IDLE_SECONDS = 8
    settings.VIGIL_SESSION_WARNING_SECONDS = 5
    sign_in(page, browser_cast.staff)
    expect(page.get_by_role("alertdialog", name="You are about to be signed out")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("heading", name="Sign in to Vigil")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("status")).to_contain_text("You were signed out after 8 seconds without activity")
