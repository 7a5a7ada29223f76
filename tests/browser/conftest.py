"""Browser tests: real headless Chromium, driven by Playwright's sync API, against a live server.

Playwright's own browser download does not run on this machine, so Debian's Chromium is used.
If it is missing the browser tests fail, loudly: a skipped browser test is a journey nobody checked.
"""

import os
import shutil
import time
from pathlib import Path

# Playwright's sync API keeps an asyncio event loop in the test thread; Django's ORM refuses to
# run in a thread with a running loop unless told that this is deliberate. Set before any test runs.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from tests.conftest import authenticator_for, current_code  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=en-GB",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000
# Generous waits: a loaded machine (the whole suite in parallel) is slow, not broken. A wait ends
# as soon as its condition holds, so a passing run is no slower for it.
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium per module; each test gets its own context (cookies, storage)."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM}, and it is not there. "
            "Install it (apt-get install chromium, or `make browser`); Playwright's own download does not work here.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Chromium formats date inputs by the process's locale: a UK school sees day/month/year.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            env={**os.environ, "LANG": "en_GB.UTF-8", "LANGUAGE": "en_GB"},
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_cast(transactional_db, cast):
    """The fixed cast, committed where the live server's thread can see it.

    `cast` asks for `db`; asking for `transactional_db` first makes the whole test transactional
    (pytest-django lets it take precedence), so the rows are really committed rather than held in a
    transaction the server thread cannot see. The flush after each transactional test also empties
    the categories the migrations seed; `cast` puts them back when they are missing.
    """
    return cast


def _console_error(context, message) -> None:
    # A refused script, a CSP violation or a logged exception fails the test; an HTTP error status
    # (an expected 404, the favicon the site does not have) is for the test's own assertions.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        context.js_errors.append(f"{message.text} at {message.location.get('url')}")


@pytest.fixture
def new_context(chromium, live_server, transactional_db):
    """Make a fresh browser context (a separate person's browser) on the live server; closed after.

    It asks for the database itself so that it is closed before the database is emptied: a page's
    last request (an autosave as the tab closes) must not reach a server whose test has ended."""
    contexts = []

    def make(viewport=DESKTOP, locale="en-GB"):
        context = chromium.new_context(
            base_url=live_server.url,
            viewport=viewport,
            locale=locale,
            timezone_id="Europe/London",
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.js_errors = []
        context.on("weberror", lambda error: context.js_errors.append(str(error.error)))
        context.on("console", lambda message: _console_error(context, message))
        contexts.append(context)
        return context

    yield make
    errors = [error for context in contexts for error in context.js_errors]
    for context in contexts:
        context.close()
    if contexts:
        # A closing tab may still send one last autosave (the page's "hidden" beacon). Give the
        # live server a moment to finish it before the test database is emptied underneath it.
        time.sleep(1.0)
    if errors:
        pytest.fail(f"Errors in the browser console: {errors}", pytrace=False)


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


def sign_in(page, user) -> None:
    """Sign in through the real login page, as a person would: password, then the code their
    authenticator app shows (the user is given a confirmed authenticator if they have none)."""
    device = authenticator_for(user)
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(user.full_name)


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


def publish_screenshot(source: Path, name: str) -> Path | None:
    """Copy a screenshot to static/img, where the README shows it, when asked to
    (VIGIL_PUBLISH_SCREENSHOTS=1): an ordinary test run leaves committed files alone."""
    if os.environ.get("VIGIL_PUBLISH_SCREENSHOTS") != "1":
        return None
    target = REPO_ROOT / "static" / "img" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target
