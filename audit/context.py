"""The request's correlation id, shared by every ledger entry one request writes."""

import uuid
from contextvars import ContextVar

_correlation_id: ContextVar[str | None] = ContextVar("vigil_correlation_id", default=None)


def current_cid() -> str | None:
    return _correlation_id.get()


class CorrelationIdMiddleware:
    """Give each request a fresh correlation id (never trusted from a header)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _correlation_id.set(uuid.uuid4().hex)
        try:
            return self.get_response(request)
        finally:
            _correlation_id.reset(token)
