"""The request's correlation id, shared by every ledger entry one request writes."""

import uuid
from collections.abc import Callable
from contextvars import ContextVar

_correlation_id: ContextVar[str | None] = ContextVar("vigil_correlation_id", default=None)


# Who is acting in this request and what roles they hold where, described by the layer that knows
# roles (accounts), asked for only when an entry is written: the ledger needs no domain model.
_actor_roles: ContextVar[tuple[int, Callable[[], str]] | None] = ContextVar("vigil_actor_roles", default=None)


def current_cid() -> str | None:
    return _correlation_id.get()


def set_actor_roles(user_id: int, describe: Callable[[], str]):
    """Register how to describe the request user's roles ("staff@birch, dsl@oak"); returns a reset token."""
    return _actor_roles.set((user_id, describe))


def reset_actor_roles(token) -> None:
    _actor_roles.reset(token)


def actor_roles_of(user_id: int | None) -> str:
    """The roles of the request's user at the time, if `user_id` is that user; otherwise nothing."""
    registered = _actor_roles.get()
    if registered is None or user_id is None or registered[0] != user_id:
        return ""
    return registered[1]()


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
