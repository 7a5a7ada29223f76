"""Every URL × every member of the cast → the status DESIGN.md section 1 says they get.

A URL pattern without a row fails the test: no view goes unchecked. Not visible is 404;
visible but not allowed is 403; signed out is a redirect to sign in. The rows live in
tests/access/rows_*.py, one module per area; each may also build the objects its rows need.
"""

import importlib
import pkgutil

import pytest
from django.apps import apps as django_apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.access
from tests.access.common import WHO
from tests.conftest import client_for

ROW_MODULES = [
    importlib.import_module(f"tests.access.{module.name}")
    for module in pkgutil.iter_modules(tests.access.__path__)
    if module.name.startswith("rows_")
]
MATRIX = {name: row for module in ROW_MODULES for name, row in module.ROWS.items()}
# Sign-in pages record a failed attempt (the lockout counts it) even as they refuse it.
CHANGES_EVEN_WHEN_REFUSED = {
    name for module in ROW_MODULES for name in getattr(module, "CHANGES_EVEN_WHEN_REFUSED", set())
}
POST_DATA = {name: data for module in ROW_MODULES for name, data in getattr(module, "POST_DATA", {}).items()}


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_pattern_has_a_row_in_the_matrix():
    # "name#variant" rows ask the same URL about another kind of object (restricted, shared...).
    assert _url_names(get_resolver()) == {name.split("#")[0] for name in MATRIX}


@pytest.fixture
def objects(cast):
    built = {}
    for module in ROW_MODULES:
        if hasattr(module, "objects"):
            built.update(module.objects(cast))
    return built


# What a refused request may write: its own ledger entry (denials are audited), the session,
# and the sign-in throttle's bookkeeping. Nothing else.
BOOKKEEPING_TABLES = {"audit_auditentry", "django_session", "axes_accessattempt", "axes_accesslog"}
REFUSED = {401, 403, 404, 405}


def _database_state() -> dict[str, list]:
    """Every application row, table by table, to compare before and after a refused request."""
    state = {}
    for model in django_apps.get_models():
        table = model._meta.db_table
        if model._meta.app_label not in ("accounts", "concerns", "audit", "guardian", "otp_totp", "auth"):
            continue
        if table in BOOKKEEPING_TABLES or model._meta.proxy or not model._meta.managed:
            continue
        state[table] = list(model._base_manager.order_by("pk").values_list())
    return state


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(cast, objects, name, who):
    method, build, expected = MATRIX[name]
    client = client_for(None if who == "anonymous" else getattr(cast, who))
    want = expected.get(who, 302)
    checks_nothing_changed = method == "post" and (want in REFUSED or who == "anonymous")
    before = _database_state() if checks_nothing_changed else None
    data = POST_DATA.get(name, {})
    # A row's data may name the objects built for the test (a person's number): a function of them.
    data = data(objects) if callable(data) else data
    response = getattr(client, method)(build(objects), data)
    assert response.status_code == want, f"{who} {method.upper()} {name}: {response.status_code}, want {want}"
    if checks_nothing_changed and name not in CHANGES_EVEN_WHEN_REFUSED:
        assert _database_state() == before, f"{who} POST {name} was refused ({want}) but changed the database"
    if who == "anonymous" and want == 302 and name != "accounts:logout":
        assert response["Location"].startswith(reverse("accounts:login"))
