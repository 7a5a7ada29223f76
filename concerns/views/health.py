"""/healthz: whether Vigil can do its work, for a load balancer or a monitor. No sign-in, JSON.

It says whether the database and the broker answer, when the escalation sweep last completed and
how long the oldest ledger entry has waited for the sealer: 200 when all is well, 503 when the
database or the broker is down, or the sweep or the sealer has stopped for five minutes. Nothing
in it names a person, a child or a record, and no error's text is passed on (a broker's error can
carry its address and password).
"""

import os
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

from concerns.selectors.health import BackgroundWork, background_work

# A probe waits this long for the broker: a monitor wants its answer in a second or two.
BROKER_TIMEOUT_SECONDS = 1.0


# Not inside the request's transaction (ATOMIC_REQUESTS): opening it would fail before the view
# could say that the database is down.
@transaction.non_atomic_requests
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database_check()
    broker = _broker_check()
    checks = {"database": database, "broker": broker}
    if database["ok"]:
        checks.update(_background_checks(background_work()))
    else:
        checks.update(
            escalations_sweep={"ok": False, "completed_at": None, "age_seconds": None},
            ledger_sealing={"ok": False, "oldest_unsealed_age_seconds": None},
        )
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unhealthy", **checks}, status=200 if healthy else 503)


def _database_check() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def _broker_check() -> dict:
    url = settings.CELERY_BROKER_URL
    transport = urlsplit(url).scheme
    if transport == "filesystem":
        # The embedded default: messages are files under var/, and a writable folder is the broker.
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        return {"ok": os.access(folder, os.W_OK), "transport": transport}
    options = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
        "socket_timeout": BROKER_TIMEOUT_SECONDS,
    }
    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS, transport_options=options) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001 - any failure to connect is the broker being unreachable
        return {"ok": False, "transport": transport, "error": type(error).__name__}
    return {"ok": True, "transport": transport}


def _background_checks(work: BackgroundWork) -> dict:
    return {
        "escalations_sweep": {
            "ok": not work.sweep_late,
            "completed_at": work.sweep_completed_at.isoformat() if work.sweep_completed_at else None,
            "age_seconds": work.sweep_age_seconds,
        },
        "ledger_sealing": {
            "ok": not work.sealing_late,
            "oldest_unsealed_age_seconds": work.oldest_unsealed_age_seconds,
        },
    }
