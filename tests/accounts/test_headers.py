"""Security headers on every response, and no caching of signed-in pages."""

import re

import pytest
from django.urls import reverse

from tests.conftest import client_for


@pytest.fixture
def signed_in_page(cast):
    return client_for(cast.dsl).get(reverse("concerns:home"))


def test_content_security_policy_allows_no_inline_script_or_style(signed_in_page):
    policy = dict(
        part.strip().split(" ", 1) for part in signed_in_page["Content-Security-Policy"].split(";") if part.strip()
    )
    assert policy["default-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"]).group(1)
    assert policy["script-src"].startswith("'self'") and "unsafe-inline" not in policy["script-src"]
    # Every script on the page is a file carrying this response's nonce; none is inline.
    scripts = re.findall(r"<script[^>]*>", signed_in_page.text)
    assert scripts and all(f'nonce="{nonce}"' in tag and "src=" in tag for tag in scripts)
    assert 'style="' not in signed_in_page.text


def test_the_other_headers(signed_in_page):
    assert signed_in_page["X-Content-Type-Options"] == "nosniff"
    assert signed_in_page["Referrer-Policy"] == "same-origin"
    assert signed_in_page["X-Frame-Options"] == "DENY"
    assert signed_in_page["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(), payment=()"
    assert signed_in_page["Cache-Control"] == "no-store"


def test_signed_out_pages_carry_the_headers_too(db, client):
    response = client.get(reverse("accounts:password_reset"))
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Permissions-Policy"].startswith("camera=()")


def test_hsts_over_https_in_production(db, client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("accounts:login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize(
    "name", ["concerns:mine", "concerns:drafts", "accounts:mfa_verify", "accounts:password_change"]
)
def test_every_signed_in_page_is_no_store(cast, name):
    assert client_for(cast.staff).get(reverse(name))["Cache-Control"] == "no-store"
