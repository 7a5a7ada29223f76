"""Writing to the ledger. Every read or write of a child's record goes through audit_record."""

from collections.abc import Iterable, Mapping

from auditlog.context import auditlog_value
from django.contrib.contenttypes.models import ContentType
from django.db import models

from audit import events
from audit.context import actor_roles_of, current_cid, current_client_ip
from audit.models import AuditEntry


def _request_context() -> dict:
    context = auditlog_value.get(None) or {}
    return {"remote_port": context.get("remote_port")}


def audit_record(
    *,
    actor,
    event: str,
    target: models.Model | None = None,
    model: type[models.Model] | None = None,
    object_ids: Iterable[int] = (),
    fields: Iterable[str] = (),
    counts: Mapping[str, int] | None = None,
    site_id: int | None = None,
    actor_role: str = "",
    action: int = AuditEntry.Action.ACCESS,
    remote_addr: str | None = None,
) -> AuditEntry:
    """Write one ledger entry in the caller's transaction: if this fails, the action fails."""
    if target is None and model is None:
        raise ValueError("audit_record needs a target object or a model")
    if event not in events.ALL:
        raise ValueError(f"Not a ledger event: {event!r} (add it to audit/events.py)")
    described = target if target is not None else model
    assert described is not None
    content_type = ContentType.objects.get_for_model(described)
    ids = sorted(set(object_ids))
    extra: dict[str, object] = {}
    if ids:
        extra["object_ids"] = ids
    if fields:
        extra["fields"] = sorted(fields)
    if counts:
        extra["counts"] = {name: int(number) for name, number in counts.items()}
    context = _request_context()
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        content_type=content_type,
        object_pk=str(target.pk) if target is not None else "",
        object_id=target.pk if target is not None else None,
        action=action,
        event=event,
        actor=actor_user,
        actor_email=getattr(actor_user, "email", None),
        actor_role=actor_role or actor_roles_of(getattr(actor_user, "pk", None)),
        site_id=site_id,
        additional_data=extra or None,
        cid=current_cid(),
        remote_addr=remote_addr or current_client_ip(),
        remote_port=context["remote_port"],
    )
