"""The request's correlation id, shared by every ledger entry one request writes."""

import ipaddress
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings

_correlation_id: ContextVar[str | None] = ContextVar("vigil_correlation_id", default=None)
_client_ip: ContextVar[str | None] = ContextVar("vigil_client_ip", default=None)
# Longer than any chain of proxies sends: only this much of the header's end (where the proxies write) is read.
FORWARDED_FOR_MAX_CHARS = 2000


# Who is acting in this request and what roles they hold where, described by the layer that knows
# roles (accounts), asked for only when an entry is written: the ledger needs no domain model.
_actor_roles: ContextVar[tuple[int, Callable[[], str]] | None] = ContextVar("vigil_actor_roles", default=None)


def current_cid() -> str | None:
    return _correlation_id.get()


def current_client_ip() -> str | None:
    return _client_ip.get()


def _ip_or_none(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip_of(request) -> str | None:
    """The client's address, as the ledger and the sign-in lockout count it.

    With no proxy in front (VIGIL_TRUSTED_PROXY_COUNT = 0, the default) it is REMOTE_ADDR, and
    X-Forwarded-For is ignored: any client can write it, and believing it would dodge the lockout.
    Behind N trusted proxies, each appends the address it was reached from, so only the last N
    entries are theirs and the client is the Nth from the end. A header that is missing, too short
    or not made of addresses is ignored (REMOTE_ADDR is used), never an error.
    """
    remote = _ip_or_none(request.META.get("REMOTE_ADDR", ""))
    trusted = settings.VIGIL_TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")[-FORWARDED_FOR_MAX_CHARS:].split(",")
    # The proxies' own entries must all be addresses, or the header is not what they sent.
    appended = [_ip_or_none(entry) for entry in forwarded[-trusted:]] if len(forwarded) >= trusted else [None]
    return appended[0] if all(appended) else remote


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
    """Give each request a fresh correlation id (never trusted from a header) and note the client's
    address for every ledger entry the request writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _correlation_id.set(uuid.uuid4().hex)
        ip_token = _client_ip.set(client_ip_of(request))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(ip_token)
            _correlation_id.reset(token)


class LedgerContextMiddleware(AuditlogMiddleware):
    """auditlog's request context (actor, address, port), with the address Vigil trusts: auditlog
    itself reads X-Forwarded-For, which any client can set, and copies it onto every entry."""

    @staticmethod
    def _get_remote_addr(request) -> str | None:
        return client_ip_of(request)
