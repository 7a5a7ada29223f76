"""The categories a concern is recorded under: added, edited, retired and reinstated, never deleted.

A concern is restricted when it is recorded under any restricted category, and the flag is kept on
the concern. Changing a category narrows at once and widens only from then on: ticking
"restricted" restricts every concern already in the category, in the same transaction, so nobody
keeps sight of one the new setting says they should not see; unticking it applies only to
concerns recorded afterwards, so no concern already recorded becomes readable by deputies or by
staff holding a share of a child. Lifting the restriction of an existing concern is a DSL's
recorded decision on that concern, not a side effect of an administrator's setting.
"""

from django.db import transaction
from django.db.models import Count, QuerySet

from accounts.models import User
from audit import events
from audit.models import AuditEntry
from audit.services import audit_record
from concerns.models import Category, Concern

EDITABLE_FIELDS = ("name", "guidance", "is_restricted", "is_low_level")


def _concerns_restrict(category: Category) -> int:
    """One UPDATE: every concern already in the category becomes restricted (never the reverse)."""
    in_category = Concern.categories.through.objects.filter(category_id=category.pk).values("concern_id")
    return Concern.objects.filter(id__in=in_category, is_restricted=False).update(is_restricted=True)


@transaction.atomic
def category_create(
    *, admin: User, name: str, guidance: str, is_restricted: bool = False, is_low_level: bool = False
) -> Category:
    """Add a category to the recording form, after the others."""
    last = Category.objects.order_by("-position").values_list("position", flat=True).first() or 0
    category = Category(
        name=name, guidance=guidance, is_restricted=is_restricted, is_low_level=is_low_level, position=last + 1
    )
    category.full_clean()
    category.save()
    audit_record(actor=admin, event=events.CATEGORY_CREATED, target=category, action=AuditEntry.Action.CREATE)
    return category


@transaction.atomic
def category_update(*, admin: User, category: Category, **values) -> list[str]:
    """Change a category's name, guidance or flags; restricting it restricts the concerns already in it,
    lifting the restriction leaves them restricted (it applies to concerns recorded from now on)."""
    category = Category.objects.select_for_update().get(pk=category.pk)
    changed = [name for name in EDITABLE_FIELDS if name in values and getattr(category, name) != values[name]]
    if not changed:
        return []
    for name in changed:
        setattr(category, name, values[name])
    category.full_clean()
    category.save(update_fields=changed)
    if "is_restricted" in changed and category.is_restricted:
        _concerns_restrict(category)
    audit_record(
        actor=admin, event=events.CATEGORY_UPDATED, target=category, fields=changed, action=AuditEntry.Action.UPDATE
    )
    return changed


def _set_active(*, admin: User, category: Category, active: bool, event: str) -> Category:
    category = Category.objects.select_for_update().get(pk=category.pk)
    if category.is_active != active:
        category.is_active = active
        category.full_clean()
        category.save(update_fields=["is_active"])
        audit_record(actor=admin, event=event, target=category, fields=["is_active"], action=AuditEntry.Action.UPDATE)
    return category


@transaction.atomic
def category_retire(*, admin: User, category: Category) -> Category:
    """Take a category off the recording form; concerns already recorded under it keep it."""
    return _set_active(admin=admin, category=category, active=False, event=events.CATEGORY_RETIRED)


@transaction.atomic
def category_reinstate(*, admin: User, category: Category) -> Category:
    """Put a retired category back on the recording form."""
    return _set_active(admin=admin, category=category, active=True, event=events.CATEGORY_REINSTATED)


def categories_for_console() -> QuerySet[Category]:
    """Every category, active and retired, with how many concerns use it (a count, never their content)."""
    return Category.objects.annotate(concern_count=Count("concerns")).order_by("-is_active", "position", "name")


def category_for_console(pk: int) -> Category | None:
    """One category, active or retired: categories belong to the whole organisation."""
    return Category.objects.filter(pk=pk).first()
