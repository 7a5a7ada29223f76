"""The roll import in a real browser: an administrator uploads a few hundred children from the MIS,
checks the preview, confirms, watches the progress bar fill as a real worker imports, and reads
the summary. Then the database is checked for what the summary said."""

import re
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from concerns.models import Child, ImportJob
from concerns.services.imports import jobs as imports
from safeguard.celery import app
from tests.browser.conftest import artifact
from tests.concerns.test_import_children import child_row, children_csv, roll_of
from tests.concerns.test_import_large import reopen_broker_pool
from tests.conftest import client_for

pytestmark = pytest.mark.browser

ROWS = 300
# Every value the progress bar shows, recorded in the page as it changes (Playwright injects this
# itself, so the page's own CSP still forbids inline script).
RECORD_PROGRESS = """
window.__progress = [];
new MutationObserver(() => {
  const bar = document.getElementById("import-progress-bar");
  if (bar) window.__progress.push(Number(bar.getAttribute("aria-valuenow")));
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["aria-valuenow"]});
"""


def signed_in_as(context, live_server, user) -> None:
    """A session with the second factor already entered, as tests/conftest.py's client_for makes one."""
    client = client_for(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


@pytest.fixture
def slow_batches(monkeypatch):
    """Small batches with a pause between them, so a person (and this test) can watch the bar move.

    The pause is outside each batch's transaction, as the time between real batches is.
    """
    reopen_broker_pool()
    monkeypatch.setattr(imports, "BATCH_SIZE", 25)
    apply = imports.import_batch_apply

    def slowly(*, job_id):
        time.sleep(0.25)
        return apply(job_id=job_id)

    monkeypatch.setattr(imports, "import_batch_apply", slowly)


def test_an_admin_imports_the_roll_and_watches_the_progress_bar(
    context, live_server, browser_cast, slow_batches, tmp_path
):
    cast = browser_cast
    rows = [child_row(n) for n in range(ROWS)]
    rows += [roll_of(cast.child_a, year="Year 7"), child_row(9_000, upn="K12"), child_row(9_001, dob="31/02/2016")]
    csv_file = tmp_path / "oakfield-roll.csv"
    csv_file.write_bytes(children_csv(rows))

    signed_in_as(context, live_server, cast.admin)
    context.add_init_script(RECORD_PROGRESS)
    page = context.new_page()
    page.goto("/console/records/")
    expect(page.get_by_role("heading", name="Records console")).to_be_visible()
    page.get_by_role("link", name=f"Import children at {cast.site_a.name}").click()

    expect(page.get_by_role("heading", name=f"Import children at {cast.site_a.name}")).to_be_visible()
    # Off until the person says so: a partial file must not take the rest of the roll off it.
    expect(page.get_by_label("This file is the whole roll")).not_to_be_checked()
    page.get_by_label("This file is the whole roll").check()
    page.get_by_label("CSV file from your MIS").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()

    # The preview: what would happen, and the rows that will be left out, by row number.
    expect(page.get_by_role("heading", name=f"Check the children import for {cast.site_a.name}")).to_be_visible()
    summary = page.locator("#preview-summary")
    expect(summary.locator('[data-count="created"]')).to_have_text(str(ROWS))
    expect(summary.locator('[data-count="updated"]')).to_have_text("1")
    expect(summary.locator('[data-count="left"]')).to_have_text("1")
    expect(summary.locator('[data-count="errors"]')).to_have_text("2")
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text(f"{ROWS + 3}")
    expect(errors.nth(0)).to_contain_text("“K12” is not a UPN")
    expect(errors.nth(1)).to_contain_text("“31/02/2016” is not a date of birth")
    assert Child.objects.filter(upn__startswith="K").count() == 0, "the preview wrote nothing"
    page.screenshot(path=str(artifact("import-preview.png")), full_page=True)

    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        page.get_by_role("button", name=f"Import {ROWS + 1} rows").click()
        bar = page.get_by_role("progressbar", name="Rows imported")
        expect(bar).to_be_visible()
        expect(page.get_by_role("heading", name="Summary")).to_be_visible(timeout=60_000)

    # The bar moved through the import rather than jumping, and ended full.
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(bar).to_have_text("100%")
    seen = page.evaluate("window.__progress")  # the summary page's own record starts again at 100
    assert seen[-1] == 100
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE

    panel = page.locator("#import-summary")
    expect(panel.locator('[data-count="created"]')).to_have_text(str(ROWS))
    expect(panel.locator('[data-count="updated"]')).to_have_text("1")
    expect(panel.locator('[data-count="left"]')).to_have_text("1")
    expect(panel.locator('[data-count="errors"]')).to_have_text("2")
    expect(page.locator("#import-status-line")).to_contain_text(f"Finished: {ROWS + 1} of {ROWS + 1} rows done.")
    expect(page.locator("#import-errors tbody tr")).to_have_count(2)
    page.screenshot(path=str(artifact("import.png")), full_page=True)

    assert Child.objects.filter(site=cast.site_a, upn__startswith="K", left_on__isnull=True).count() == ROWS
    cast.child_a.refresh_from_db()
    cast.child_a2.refresh_from_db()
    assert cast.child_a.year_group == "Year 7"
    assert cast.child_a2.left_on == timezone.localdate()


def test_the_progress_bar_is_seen_part_way(context, live_server, browser_cast, slow_batches, tmp_path):
    cast = browser_cast
    csv_file = tmp_path / "partial.csv"
    csv_file.write_bytes(children_csv([child_row(n) for n in range(ROWS)]))
    signed_in_as(context, live_server, cast.admin)
    context.add_init_script(RECORD_PROGRESS)
    page = context.new_page()
    page.goto(f"/console/records/sites/{cast.site_a.pk}/children/import/")
    page.get_by_label("This file is the whole roll").uncheck()
    page.get_by_label("CSV file from your MIS").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator('#preview-summary [data-count="left"]')).to_have_text("none: this is not the whole roll")

    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        page.get_by_role("button", name=f"Import {ROWS} rows").click()
        expect(page.get_by_role("progressbar", name="Rows imported")).to_have_attribute(
            "aria-valuenow", re.compile(r"^([1-9]|[1-9][0-9])$"), timeout=30_000
        )
        part_way = int(page.get_by_role("progressbar", name="Rows imported").get_attribute("aria-valuenow"))
        expect(page.locator("#import-status-label")).to_have_text("Importing")
        expect(page.get_by_role("heading", name="Summary")).to_be_visible(timeout=60_000)
    assert 0 < part_way < 100
    assert ImportJob.objects.get().left == 0
    assert not Child.objects.filter(left_on__isnull=False).exists()
