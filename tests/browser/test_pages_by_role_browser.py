"""The sign-in, code and password pages look like the rest of Vigil, and each role's home page
offers that role's own work, at a desk (1280 px) and on a phone (390 px). Screenshots go to
test-artifacts/ for a person to look at."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, artifact, sign_in
from tests.conftest import authenticator_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": DESKTOP, "phone": PHONE}


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_sign_in_code_and_password_pages_are_styled_like_the_rest(browser_cast, new_context, width):
    page = new_context(WIDTHS[width]).new_page()
    page.goto("/accounts/login/")
    page.screenshot(path=str(artifact(f"sign-in-{width}.png")), full_page=True)
    expect(page.locator(".auth-card")).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in to Vigil")).to_be_visible()
    _no_sideways_scroll(page)

    page.get_by_role("link", name="Forgotten your password?").click()
    page.screenshot(path=str(artifact(f"password-reset-{width}.png")), full_page=True)
    expect(page.locator(".auth-card")).to_be_visible()
    _no_sideways_scroll(page)

    authenticator_for(browser_cast.staff)
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(browser_cast.staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.screenshot(path=str(artifact(f"code-{width}.png")), full_page=True)
    expect(page.locator(".auth-card")).to_be_visible()
    _no_sideways_scroll(page)


@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("who", ["staff", "dsl", "admin", "auditor"])
def test_each_roles_home_page_offers_its_own_work(browser_cast, new_context, who, width):
    page = new_context(WIDTHS[width]).new_page()
    sign_in(page, getattr(browser_cast, who))
    page.screenshot(path=str(artifact(f"home-{who}-{width}.png")), full_page=True)
    main = page.locator("main")
    record = main.get_by_role("link", name="Record a concern")
    if who in {"staff", "dsl"}:
        expect(record).to_be_visible()
    else:
        expect(record).to_have_count(0)
        expect(main.get_by_text("Worried about a child?")).to_have_count(0)
    if who == "admin":
        expect(main.get_by_role("link", name="Administrator's console")).to_be_visible()
        expect(main.get_by_role("link", name="Audit log")).to_be_visible()
    if who == "auditor":
        expect(main.get_by_role("link", name="Audit log")).to_be_visible()
        expect(main.get_by_label("Find a child by name or UPN")).to_be_visible()
    _no_sideways_scroll(page)
