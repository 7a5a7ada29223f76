"""Logging filters: what the server log says, and how much."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404


class DenialOnOneLine(logging.Filter):
    """A refused request (the access policy's 403 or 404) is routine, and is on the ledger already
    (concerns.views.denials): log Django's one line, "Forbidden (Permission denied): /path", without
    the traceback of the PermissionDenied that refused it. Real errors keep their tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied | Http404):
            record.exc_info = None
            record.exc_text = None
        return True
