"""Sessions: a new key at sign-in, idle and absolute limits on a frozen clock, sign-out on the server."""

import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from tests.conftest import authenticator_for, client_for, current_code, sign_in_with_code
from tests.factories import PASSWORD

HOME = reverse("concerns:home")
LOGIN = reverse("accounts:login")
START = int(time.time())  # now (memberships are dated from today); the clock is then moved by hand


def signed_out_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_signing_in_gives_a_new_session_key(cast):
    client = Client()
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    client.cookies["sessionid"] = before
    client.post(LOGIN, {"username": cast.staff.email, "password": PASSWORD})
    after_password = client.cookies["sessionid"].value
    assert after_password != before
    client.post(reverse("accounts:mfa_verify"), {"code": current_code(authenticator_for(cast.staff))})
    assert client.cookies["sessionid"].value not in (before, after_password)
    assert client.get(HOME).status_code == 200
    # The keys seen before the code was entered open nothing.
    for old_key in (before, after_password):
        replay = Client()
        replay.cookies["sessionid"] = old_key
        assert replay.get(HOME).status_code == 302


def test_signing_out_ends_the_session_on_the_server(cast):
    client = client_for(cast.staff)
    assert client.get(HOME).status_code == 200
    old_cookie = client.cookies["sessionid"].value
    client.post(reverse("accounts:logout"))
    replay = Client()
    replay.cookies["sessionid"] = old_cookie
    assert signed_out_to_login(replay.get(HOME))


@pytest.mark.parametrize(
    "who, limit_minutes", [("staff", 30), ("dsl", 15), ("deputy", 15), ("admin", 15), ("auditor", 15)]
)
def test_a_session_ends_after_the_idle_limit_for_the_role(cast, who, limit_minutes):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(getattr(cast, who))
        assert client.get(reverse("accounts:session_status")).json()["seconds_left"] == limit_minutes * 60
        clock.shift((limit_minutes - 1) * 60)
        assert client.get(reverse("accounts:password_change")).status_code == 200  # activity restarts the clock
        clock.shift((limit_minutes - 1) * 60)
        assert client.get(reverse("accounts:password_change")).status_code == 200
        clock.shift(limit_minutes * 60 + 1)
        response = client.get(reverse("accounts:password_change"))
        assert signed_out_to_login(response)
        page = client.get(response["Location"])
    assert f"signed out after {limit_minutes} minutes without activity" in page.text
    assert AuditEntry.objects.filter(event="account.session_idle", actor=getattr(cast, who)).count() == 1
    # Ended on the server: signing in again is the only way back.
    assert signed_out_to_login(client.get(HOME))


def test_asking_how_long_is_left_is_not_activity_but_stay_signed_in_is(cast):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(cast.dsl)
        clock.shift(10 * 60)
        assert client.get(reverse("accounts:session_status")).json()["seconds_left"] == 5 * 60
        clock.shift(4 * 60)
        kept = client.post(reverse("accounts:session_keepalive"))
        assert kept.json()["seconds_left"] == 15 * 60
        clock.shift(14 * 60)
        assert client.get(HOME).status_code == 200


def test_a_session_ends_twelve_hours_after_sign_in_however_busy(cast):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(cast.staff)
        for _ in range(24):  # a request every 29 minutes for 11.6 hours
            clock.shift(29 * 60)
            assert client.get(HOME).status_code == 200
        clock.shift(25 * 60)
        response = client.get(HOME)
        assert signed_out_to_login(response)
        page = client.get(response["Location"])
    assert "signed out 12 hours after signing in" in page.text
    assert AuditEntry.objects.filter(event="account.session_expired", actor=cast.staff).count() == 1


def test_the_page_carries_the_idle_limit_for_the_warning_script(cast):
    page = client_for(cast.dsl).get(HOME).text
    assert 'data-session-idle-seconds="900"' in page and 'data-session-warning-seconds="120"' in page
    assert 'id="session-warning"' in page and "Stay signed in" in page
    assert 'data-session-idle-seconds="1800"' in client_for(cast.staff).get(HOME).text


def test_a_timed_out_autosave_is_told_it_is_signed_out(cast):
    with time_machine.travel(START, tick=False) as clock:
        client = client_for(cast.staff)
        clock.shift(31 * 60)
        response = client.post(
            reverse("concerns:draft_autosave", args=["5b8a3c1e-0000-4000-8000-000000000002"]),
            {"observations": "typed after lunch"},
            HTTP_ACCEPT="application/json",
        )
    assert response.status_code == 401


def test_session_pages_answer_a_signed_out_script_with_401(db):
    assert Client().get(reverse("accounts:session_status")).status_code == 401
    assert Client().post(reverse("accounts:session_keepalive")).status_code == 401


def test_a_real_sign_in_starts_the_clocks(cast):
    authenticator_for(cast.staff)
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        sign_in_with_code(client, cast.staff)
        clock.shift(29 * 60)
        assert client.get(HOME).status_code == 200
        clock.shift(31 * 60)
        assert signed_out_to_login(client.get(HOME))
