"""/healthz and the console's warning: is the escalation sweep running, is the ledger being sealed?

/healthz answers a load balancer or a monitor without a sign-in, in JSON that names no one: 200 when
the database and the broker answer and the sweep and the sealer have run in the last five minutes,
503 otherwise. Administrators see a warning on every console page when either has stopped.
"""

import datetime
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from audit.sealing import audit_seal
from audit.services import audit_record
from concerns.models import Child, TaskHeartbeat
from tests.conftest import client_for

STALE = datetime.timedelta(minutes=6)


def sweep_completed(at: datetime.datetime | None = None) -> None:
    TaskHeartbeat.objects.update_or_create(name="escalations_sweep", defaults={"completed_at": at or timezone.now()})


def healthz(client=None):
    return (client or client_for(None)).get(reverse("healthz"))


def closed_port() -> int:
    """A port on this machine that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def healthy(cast):
    audit_seal()
    sweep_completed()


def test_healthy_is_200_with_each_check_and_no_one_named(cast, healthy):
    response = healthz()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True}
    assert body["broker"]["ok"] and body["broker"]["transport"] in ("redis", "filesystem")
    assert body["escalations_sweep"]["ok"] and 0 <= body["escalations_sweep"]["age_seconds"] < 60
    assert body["escalations_sweep"]["completed_at"]
    assert body["ledger_sealing"] == {"ok": True, "oldest_unsealed_age_seconds": None}
    for person in (cast.dsl, cast.staff, cast.admin):
        assert person.email not in response.text and person.full_name not in response.text
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_sweep_that_has_not_completed_for_five_minutes_is_503(cast, healthy):
    sweep_completed(timezone.now() - STALE)
    response = healthz()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["escalations_sweep"]["ok"] is False and body["escalations_sweep"]["age_seconds"] >= 360
    assert body["database"]["ok"] and body["ledger_sealing"]["ok"]


def test_a_sweep_that_never_ran_is_503(cast):
    audit_seal()
    body = healthz().json()
    assert body["escalations_sweep"] == {"ok": False, "completed_at": None, "age_seconds": None}


def test_an_entry_waiting_for_the_sealer_for_five_minutes_is_503(cast, healthy):
    audit_record(actor=cast.dsl, event="child.viewed", target=cast.child_a, site_id=cast.site_a.pk)
    assert healthz().status_code == 200, "a fresh entry is waiting its few seconds"
    with time_machine.travel(timezone.now() + STALE, tick=False):
        sweep_completed()
        response = healthz()
    assert response.status_code == 503
    sealing = response.json()["ledger_sealing"]
    assert sealing["ok"] is False and sealing["oldest_unsealed_age_seconds"] >= 360
    assert response.json()["escalations_sweep"]["ok"] is True


def test_a_broker_that_does_not_answer_is_503_quickly_without_its_address(cast, healthy):
    url = f"redis://:s3cret@127.0.0.1:{closed_port()}/0"
    with override_settings(CELERY_BROKER_URL=url, CELERY_BROKER_TRANSPORT_OPTIONS={}):
        started = time.perf_counter()
        response = healthz()
        elapsed = time.perf_counter() - started
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False and response.json()["broker"]["transport"] == "redis"
    assert "s3cret" not in response.text and "127.0.0.1" not in response.text
    assert elapsed < 3


ASK_HEALTHZ = """
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
response = Client().get("/healthz")
print(response.status_code, response.content.decode())
"""


def test_a_database_that_does_not_answer_is_503_not_an_error_page(tmp_path):
    # A Vigil of its own, in another process, whose database is a port nothing listens on.
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://vigil@127.0.0.1:{closed_port()}/vigil",
        "DJANGO_SETTINGS_MODULE": "safeguard.settings_test",
        "VIGIL_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", ASK_HEALTHZ],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, _, body = done.stdout.strip().partition(" ")
    assert status == "503", done.stdout + done.stderr
    answer = json.loads(body)
    assert answer["database"] == {"ok": False, "error": "OperationalError"}
    assert answer["escalations_sweep"]["ok"] is False and answer["status"] == "unhealthy"


def test_the_filesystem_transport_is_reported_as_such(cast, healthy, tmp_path):
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)}
    with override_settings(CELERY_BROKER_URL="filesystem://localhost//", CELERY_BROKER_TRANSPORT_OPTIONS=options):
        response = healthz()
    assert response.status_code == 200
    assert response.json()["broker"] == {"ok": True, "transport": "filesystem"}


def test_healthz_writes_nothing_to_the_ledger_and_needs_no_sign_in(cast, healthy, django_assert_max_num_queries):
    from audit.models import AuditEntry

    before = AuditEntry.objects.count()
    with django_assert_max_num_queries(3):
        assert healthz().status_code == 200
    assert AuditEntry.objects.count() == before


# The console's warning --------------------------------------------------------------------------

WARNING = 'id="background-warnings"'


@pytest.mark.parametrize("page", ["console:home", "console:users", "console:sites", "records_console:index"])
def test_every_console_page_warns_when_the_sweep_has_stopped(cast, page):
    audit_seal()
    sweep_completed(timezone.now() - STALE)
    text = client_for(cast.admin).get(reverse(page)).text
    assert WARNING in text
    assert "The escalation sweep has not completed since" in text
    assert "sealed" not in text.split(WARNING)[1].split("</section>")[0]


def test_the_console_warns_when_no_sweep_has_ever_completed(cast):
    audit_seal()
    assert "The escalation sweep has never completed" in client_for(cast.admin).get(reverse("console:home")).text


def test_the_console_warns_when_entries_have_waited_to_be_sealed(cast):
    audit_record(actor=cast.dsl, event="child.viewed", target=cast.child_a, site_id=cast.site_a.pk)
    with time_machine.travel(timezone.now() + STALE, tick=False):
        sweep_completed()
        text = client_for(cast.admin).get(reverse("console:home")).text
    assert WARNING in text
    assert "Audit log entries have waited 6 minutes to be sealed" in text
    assert "escalation sweep" not in text


def test_no_warning_while_all_is_well(cast, healthy):
    assert WARNING not in client_for(cast.admin).get(reverse("console:home")).text


def test_the_warning_is_only_on_the_console_and_only_for_administrators(cast):
    sweep_completed(timezone.now() - STALE)
    assert WARNING not in client_for(cast.admin).get(reverse("concerns:home")).text
    refused = client_for(cast.dsl).get(reverse("console:home"))
    assert refused.status_code == 403 and WARNING not in refused.text
    assert Child.objects.exists()  # (the cast is there: the 403 is the policy's, not an empty site)
