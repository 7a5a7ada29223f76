"""The categories a concern is recorded under: added, edited, retired and reinstated, never deleted.

A concern is restricted when any of its categories is restricted; changing a category's flag
re-derives that for every concern in it, in the same transaction, so nobody gains or keeps sight of
a concern the new setting says they should not see.
"""

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet

from accounts.models import User
from audit.models import AuditEntry
from audit.services import audit_record
from concerns.models import Category, Concern

EDITABLE_FIELDS = ("name", "guidance", "is_restricted", "is_low_level")


def _concerns_restriction_refresh(category: Category) -> int:
    """One UPDATE: each concern in the category is restricted iff any of its categories is."""
    links = Concern.categories.through.objects
    restricted_link = links.filter(concern_id=OuterRef("pk"), category__is_restricted=True)
    in_category = links.filter(category_id=category.pk).values("concern_id")
    return Concern.objects.filter(id__in=in_category).update(is_restricted=Exists(restricted_link))


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
    audit_record(actor=admin, event="category.created", target=category, action=AuditEntry.Action.CREATE)
    return category


@transaction.atomic
def category_update(*, admin: User, category: Category, **values) -> list[str]:
    """Change a category's name, guidance or flags; a changed restriction applies to every concern in it."""
    category = Category.objects.select_for_update().get(pk=category.pk)
    changed = [name for name in EDITABLE_FIELDS if name in values and getattr(category, name) != values[name]]
    if not changed:
        return []
    for name in changed:
        setattr(category, name, values[name])
    category.full_clean()
    category.save(update_fields=changed)
    if "is_restricted" in changed:
        _concerns_restriction_refresh(category)
    audit_record(
        actor=admin, event="category.updated", target=category, fields=changed, action=AuditEntry.Action.UPDATE
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
    return _set_active(admin=admin, category=category, active=False, event="category.retired")


@transaction.atomic
def category_reinstate(*, admin: User, category: Category) -> Category:
    """Put a retired category back on the recording form."""
    return _set_active(admin=admin, category=category, active=True, event="category.reinstated")


def categories_for_console() -> QuerySet[Category]:
    """Every category, active and retired, with how many concerns use it (a count, never their content)."""
    return Category.objects.annotate(concern_count=Count("concerns")).order_by("-is_active", "position", "name")


def category_for_console(pk: int) -> Category | None:
    """One category, active or retired: categories belong to the whole organisation."""
    return Category.objects.filter(pk=pk).first()
