"""The console in real Chromium: an action that removes access asks first, and needs no inline script."""

import os

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # as tests/browser/conftest.py, before Playwright runs

from django.urls import reverse  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

import tests.browser.conftest as browser_fixtures  # noqa: E402
from accounts.choices import Role  # noqa: E402
from tests.conftest import client_for  # noqa: E402
from tests.factories import MembershipFactory, UserFactory  # noqa: E402

pytestmark = pytest.mark.browser
# The browser fixtures live in tests/browser/conftest.py; these tests sit with the console's others.
globals().update(
    {name: getattr(browser_fixtures, name) for name in ("chromium", "new_context", "context", "page", "browser_cast")}
)


def signed_in_as(context, live_server, user) -> None:
    """The administrator's browser carries a session that has passed sign-in and MFA (as client_for's)."""
    session = client_for(user).cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


def test_deactivation_asks_first_and_a_cancel_changes_nothing(browser_cast, context, page, live_server):
    person = UserFactory(email="kit@test.example", full_name="Kit Teacher")
    MembershipFactory(user=person, site=browser_cast.site_a, role=Role.STAFF)
    signed_in_as(context, live_server, browser_cast.admin)
    page.goto(reverse("console:user_detail", args=[person.pk]))
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.get_by_role("button", name="Deactivate account")).to_be_visible()
    assert asked and "Deactivate Kit Teacher's account?" in asked[0]
    person.refresh_from_db()
    assert person.is_active
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.get_by_text("Kit Teacher's account is deactivated")).to_be_visible()
    expect(page.get_by_role("button", name="Reactivate account")).to_be_visible()
    person.refresh_from_db()
    assert not person.is_active


def test_the_site_form_shows_every_problem_next_to_its_field(browser_cast, context, page, live_server):
    signed_in_as(context, live_server, browser_cast.admin)
    page.goto(reverse("console:site_edit", args=[browser_cast.site_a.pk]))
    page.get_by_label("Review cut-off").fill("18:00")
    page.get_by_label("Holidays").fill("2026-12-25\n2026-02-30")
    page.get_by_role("button", name="Save Oakfield Test School").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.locator("#id_review_cutoff_error")).to_contain_text("must lie within the working day")
    expect(page.locator("#id_holidays_error")).to_contain_text("Line 2, “2026-02-30”, is not a real date")
    browser_cast.site_a.refresh_from_db()
    assert browser_cast.site_a.holidays == []
