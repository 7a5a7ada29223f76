"""Search and the DSL dashboard in a real browser, at a desk (1280 px) and on a phone (390 px):
a DSL searches a word recorded in a concern and opens it; the dashboard draws its chart with
no script and gives the same figures as a table. Screenshots go to test-artifacts/."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, artifact, sign_in
from tests.factories import ConcernFactory

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": DESKTOP, "phone": PHONE}


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_a_dsl_searches_a_word_and_opens_the_concern(browser_cast, new_context, width):
    cast = browser_cast
    concern = ConcernFactory(
        site=cast.site_a,
        author=cast.staff,
        about=[cast.child_a],
        observations="Said the bruise came from the trampoline at the caravan park.",
    )
    page = new_context(WIDTHS[width]).new_page()
    sign_in(page, cast.dsl)
    page.goto("/search/")
    page.get_by_label("A reference (VC-000042), a child's name or UPN, or words recorded in a concern").fill(
        "trampoline"
    )
    page.get_by_role("button", name="Search").click()
    results = page.locator("table.search-results")
    expect(results).to_contain_text(concern.reference)
    expect(results).to_contain_text(cast.child_a.display_name)
    page.screenshot(path=str(artifact(f"search-{width}.png")), full_page=True)
    _no_sideways_scroll(page)
    results.get_by_role("link", name=concern.reference).click()
    expect(page.get_by_text("trampoline at the caravan park")).to_be_visible()


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_dashboard_draws_its_chart_and_its_table(browser_cast, new_context, width):
    cast = browser_cast
    ConcernFactory.create_batch(3, site=cast.site_a, author=cast.staff, about=[cast.child_a])
    page = new_context(WIDTHS[width]).new_page()
    sign_in(page, cast.dsl)
    page.goto("/dashboard/")
    expect(page.locator("main svg[role='img']").first).to_be_visible()
    expect(page.locator("main table").first).to_be_visible()
    expect(page.locator("main")).to_contain_text(cast.child_a.display_name)
    page.screenshot(path=str(artifact(f"dashboard-{width}.png")), full_page=True)
    _no_sideways_scroll(page)
