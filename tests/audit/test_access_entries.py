"""The proof: every page the access matrix opens leaves the ledger entries issue 4 promises.

A URL that shows a child's data writes exactly one access entry per request; a denied request
(403 or 404 to someone signed in) writes exactly one "access.denied" entry. Each URL that answers
200 to a GET is classified below as showing children's data or not; an unclassified URL fails.
"""

import shutil

import pytest
from django.core.files.storage import storages

from audit.models import AuditEntry
from tests.access.common import SIGNED_IN
from tests.conftest import client_for
from tests.test_access_matrix import MATRIX, POST_DATA, ROW_MODULES

# Pages that always show a child's data (or the ledger's record of it): one access entry, always.
SHOWS_CHILD_DATA = {
    "concerns:attachment",
    "concerns:child",
    "concerns:detail",
    "concerns:share_child",
    "concerns:share_concern",
    "concerns:shared",
    "ledger:index",
    "ledger:export",
}
# Lists that show children only when there are some to show: one access entry when a child of the
# cast is on the page, none when the list is empty.
LISTS_CHILDREN = {
    "concerns:child_lookup",
    "concerns:child_search",
    "concerns:drafts",
    # The DSL team's home page is their review queue; other people's names no child.
    "concerns:home",
    "concerns:mine",
    "concerns:review_queue",
    "concerns:search",
    # The dashboard names the children with the most concerns in the period.
    "concerns:dashboard",
}
# Pages with no child's data on them (checked: no child of the cast is named in the response).
SHOWS_NO_CHILD_DATA = {
    "accounts:alert_preferences",
    "accounts:login",
    "accounts:mfa_verify",
    "accounts:password_change",
    "accounts:password_change_done",
    "accounts:password_reset",
    "accounts:password_reset_complete",
    "accounts:password_reset_confirm",
    "accounts:password_reset_done",
    "accounts:session_status",
    # A person's alerts: reference, site, kind, urgency and deadline only. An alert's notice (to
    # someone alerted who may not read the concern) is on the ledger as notification.opened.
    "alerts:list",
    "alerts:open",
    "concerns:receipt",
    "concerns:record",
    "concerns:restriction_lift",
    "console:home",
    "console:membership_new",
    "console:membership_role",
    "console:organisation",
    "console:site_edit",
    "console:sites",
    "console:training_overdue",
    "console:user_detail",
    "console:user_new",
    "console:user_training",
    "console:users",
    "healthz",
    "records_console:categories",
    "records_console:category_add",
    "records_console:category_edit",
    "records_console:children_import",
    "records_console:email_failures",
    "records_console:import_detail",
    "records_console:import_status",
    "records_console:index",
    "records_console:staff_import",
}

READS = sorted(
    (name, who)
    for name, (method, _, expected) in MATRIX.items()
    for who in SIGNED_IN
    if method == "get" and expected.get(who) == 200
)
DENIALS = sorted(
    (name, who) for name, (_, _, expected) in MATRIX.items() for who in SIGNED_IN if expected.get(who) in (403, 404)
)


@pytest.fixture
def matrix_objects(cast):
    """The objects the matrix's rows ask about, built by each row module as the matrix does.

    The rows upload attachments: the files go again afterwards, so tests that check the test
    process's storage is empty do not depend on running before these.
    """
    storage = storages["attachments"]
    had_files = storage.exists("attachments")
    built = {}
    for module in ROW_MODULES:
        if hasattr(module, "objects"):
            built.update(module.objects(cast))
    yield built
    if not had_files:
        shutil.rmtree(storage.path("attachments"), ignore_errors=True)


def _url_name(row_name: str) -> str:
    return row_name.split("#")[0]


def test_every_page_read_in_the_matrix_is_classified():
    names = {_url_name(name) for name, _ in READS}
    lists = (SHOWS_CHILD_DATA, LISTS_CHILDREN, SHOWS_NO_CHILD_DATA)
    assert names - set().union(*lists) == set(), "classify these URLs: do they show a child's data?"
    assert not (SHOWS_CHILD_DATA & LISTS_CHILDREN or SHOWS_CHILD_DATA & SHOWS_NO_CHILD_DATA)
    assert not LISTS_CHILDREN & SHOWS_NO_CHILD_DATA


def _request(cast, built, name, who):
    method, build, _ = MATRIX[name]
    client = client_for(getattr(cast, who))  # signing in is on the ledger too: count after it
    newest = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    data = POST_DATA.get(name, {})
    response = getattr(client, method)(build(built), data(built) if callable(data) else data)
    return response, AuditEntry.objects.filter(id__gt=newest)


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


def _names_a_child(cast, body: str) -> bool:
    children = (cast.child_a, cast.child_a2, cast.child_b)
    return any(name in body for child in children for name in (child.display_name, child.legal_name))


@pytest.mark.parametrize(("name", "who"), READS)
def test_a_page_showing_a_child_writes_exactly_one_access_entry(cast, matrix_objects, name, who):
    response, written = _request(cast, matrix_objects, name, who)
    assert response.status_code == 200
    body = _body(response)
    accesses = written.filter(action=AuditEntry.Action.ACCESS)
    url_name = _url_name(name)
    if url_name in SHOWS_CHILD_DATA or (url_name in LISTS_CHILDREN and _names_a_child(cast, body)):
        assert accesses.count() == 1, f"{who} {name}: {list(accesses.values_list('event', flat=True))}"
    elif url_name in LISTS_CHILDREN:
        assert accesses.count() == 0, f"{who} {name}: an empty list recorded children it did not show"
    else:
        assert not _names_a_child(cast, body), f"{who} {name} names a child: classify it as showing child data"


@pytest.mark.parametrize(("name", "who"), DENIALS)
def test_a_denied_request_writes_exactly_one_denial(cast, matrix_objects, name, who):
    response, written = _request(cast, matrix_objects, name, who)
    assert response.status_code in (403, 404)
    denials = written.filter(event="access.denied")
    assert denials.count() == 1, f"{who} {name}: {response.status_code} wrote {denials.count()} denials"
    assert denials.get().additional_data["counts"] == {"status": response.status_code}
    assert denials.get().actor == getattr(cast, who)
