"""A denied request (403 or 404 from the access policy) is one line in the server log, not a
traceback: the denial itself is on the ledger. Real errors keep their tracebacks."""

import logging
import sys

from django.urls import reverse

from safeguard.log_filters import DenialOnOneLine
from tests.conftest import client_for
from tests.factories import ConcernFactory


def _request_log(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "django.request"]


def test_a_refused_request_logs_one_line_without_a_traceback(cast, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client_for(cast.staff).get(reverse("records_console:index"))
    assert response.status_code == 403
    [record] = _request_log(caplog)
    assert record.getMessage() == "Forbidden (Permission denied): /console/records/"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text and "\n" not in caplog.text.strip()


def test_something_not_visible_logs_one_line_too(cast, caplog):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client_for(cast.dsl_b).get(reverse("concerns:detail", args=[concern.pk]))
    assert response.status_code == 404
    [record] = _request_log(caplog)
    assert record.getMessage() == f"Not Found: /concerns/{concern.pk}/"
    assert "Traceback" not in caplog.text


def test_a_real_error_keeps_its_traceback():
    try:
        raise ValueError("a bug")
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), sys.exc_info()
        )
    assert DenialOnOneLine().filter(record) is True
    assert record.exc_info is not None and record.exc_info[0] is ValueError
