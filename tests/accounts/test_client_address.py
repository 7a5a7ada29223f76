"""The client's address, as the lockout and the ledger count it: REMOTE_ADDR with no proxy in
front (a client's X-Forwarded-For is ignored), the configured proxy's entry behind one, and a
malformed header is ignored rather than an error."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from audit.context import client_ip_of
from audit.models import AuditEntry
from tests.factories import PASSWORD

LOGIN = reverse("accounts:login")
WRONG = "not-the-password-at-all"
MALFORMED = [
    "not-an-address",
    "999.1.2.3",
    "198.51.100.1, <script>",
    "198.51.100.1,,",
    ",",
    "203.0.113.5:4431",
    "1" * 5000,
    "198.51.100.1\x00",
    "' OR 1=1 --",
]


def sign_in(email: str, password: str = WRONG, forwarded: str | None = None, remote: str = "192.0.2.20"):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return Client(REMOTE_ADDR=remote, **extra).post(LOGIN, {"username": email, "password": password})


@pytest.mark.parametrize("proxies", [0, 1, 2])
@pytest.mark.parametrize("forwarded", MALFORMED)
def test_a_malformed_forwarded_for_header_is_ignored_at_sign_in(cast, settings, proxies, forwarded):
    settings.VIGIL_TRUSTED_PROXY_COUNT = proxies
    # As deployed behind a TLS proxy (BEHIND_TLS_PROXY), and without one.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if proxies else None
    assert sign_in(cast.staff.email, forwarded=forwarded).status_code == 200
    assert AuditEntry.objects.get(event="account.login_failed").remote_addr == "192.0.2.20"
    assert sign_in(cast.staff.email, PASSWORD, forwarded=forwarded).status_code == 302
    assert AuditEntry.objects.get(event="account.login").remote_addr == "192.0.2.20"


def test_without_a_proxy_a_rotating_forwarded_for_does_not_reset_the_lockout(cast, settings):
    settings.VIGIL_TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        sign_in(cast.staff.email, forwarded=f"10.0.0.{n}")
    assert sign_in(cast.staff.email, PASSWORD, forwarded="10.0.0.99").status_code == 429
    addresses = set(AuditEntry.objects.filter(event="account.login_failed").values_list("remote_addr", flat=True))
    assert addresses == {"192.0.2.20"}


def test_behind_one_proxy_what_the_client_wrote_before_the_proxys_entry_does_not_reset_the_lockout(cast, settings):
    settings.VIGIL_TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        # The client sends its own X-Forwarded-For; the proxy appends the address it really came from.
        sign_in(cast.staff.email, forwarded=f"10.0.0.{n}, 203.0.113.5", remote="172.18.0.2")
    assert (
        sign_in(cast.staff.email, PASSWORD, forwarded="10.9.9.9, 203.0.113.5", remote="172.18.0.2").status_code == 429
    )
    # Another client behind the same proxy is not held up by it.
    assert sign_in(cast.staff.email, PASSWORD, forwarded="203.0.113.77", remote="172.18.0.2").status_code == 302
    addresses = set(AuditEntry.objects.filter(event="account.login_failed").values_list("remote_addr", flat=True))
    assert addresses == {"203.0.113.5"}


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "192.0.2.20"),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "10.1.1.1, 203.0.113.5", "203.0.113.5"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
        (2, "10.1.1.1, 203.0.113.5, 198.51.100.9", "203.0.113.5"),
        (2, "203.0.113.5", "192.0.2.20"),  # shorter than the chain of proxies: not believed
        (1, "", "192.0.2.20"),
        (1, None, "192.0.2.20"),
    ],
)
def test_the_client_is_the_entry_as_many_from_the_end_as_there_are_trusted_proxies(
    settings, proxies, forwarded, expected
):
    settings.VIGIL_TRUSTED_PROXY_COUNT = proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.20", **extra)
    assert client_ip_of(request) == expected


def test_an_unusable_remote_addr_is_recorded_as_unknown(settings):
    settings.VIGIL_TRUSTED_PROXY_COUNT = 0
    assert client_ip_of(RequestFactory().get("/", REMOTE_ADDR="")) is None
    assert client_ip_of(RequestFactory().get("/", REMOTE_ADDR="unix:/run/gunicorn.sock")) is None
