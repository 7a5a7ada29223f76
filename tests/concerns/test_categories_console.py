"""Categories in the administrator's console: added, edited, restricted, retired and reinstated;
never deleted. Restricting a category restricts every concern already in it; lifting the
restriction applies only to concerns recorded afterwards. Editing a category asks for a fresh code."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from accounts.services.auth import MFA_VERIFIED_AT
from audit.models import AuditEntry
from concerns.forms.recording import ConcernForm
from concerns.models import Category, Concern
from concerns.services.categories import category_update
from tests.concerns.helpers import record_url, valid_post
from tests.conftest import client_for
from tests.factories import ConcernFactory, category, restricted_category


@pytest.fixture
def admin(cast):
    return client_for(cast.admin)


def on_recording_form(user, name: str) -> bool:
    return ConcernForm(user=user).fields["categories"].queryset.filter(name=name).exists()


def edit(client, item: Category, **changes):
    data = {"name": item.name, "guidance": item.guidance}
    for flag in ("is_restricted", "is_low_level"):
        if changes.pop(flag, getattr(item, flag)):
            data[flag] = "on"
    data.update(changes)
    return client.post(reverse("records_console:category_edit", args=[item.pk]), data)


def test_the_list_shows_active_and_retired_categories_with_how_many_concerns_use_each(cast, admin):
    neglect = category("Neglect")
    ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a], categories=[neglect])
    retired = Category.objects.create(name="Old heading", guidance="No longer used.", is_active=False)
    page = admin.get(reverse("records_console:categories")).content.decode()
    assert "Neglect" in page and "Old heading" in page
    assert "Retired" in page
    assert f'id="category-{retired.pk}"' in page
    row = page.split(f'id="category-{neglect.pk}"')[1].split("</tr>")[0]
    assert "<td>1</td>" in row
    assert "Arrived without a coat" not in page, "an administrator reads no concern content"


def test_adding_a_category_puts_it_on_the_recording_form_and_on_the_ledger(cast, admin):
    response = admin.post(
        reverse("records_console:category_add"),
        {
            "name": "Image sharing between pupils",
            "guidance": "Harm through phones, games or social media.",
            "is_low_level": "",
        },
    )
    assert response.status_code == 302
    added = Category.objects.get(name="Image sharing between pupils")
    assert (added.is_active, added.is_restricted, added.is_low_level) == (True, False, False)
    assert added.position > Category.objects.exclude(pk=added.pk).order_by("-position").first().position
    assert on_recording_form(cast.staff, "Image sharing between pupils")
    entry = AuditEntry.objects.get(event="category.created")
    assert (entry.actor, entry.object_pk) == (cast.admin, str(added.pk))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "guidance": "Something."}, "name", "Enter a name."),
        ({"name": "Image sharing between pupils", "guidance": ""}, "guidance", "Enter one line of guidance for staff."),
        ({"name": "neglect", "guidance": "Again."}, "name", "There is already a category with this name."),
        ({"name": "N" * 121, "guidance": "Long."}, "name", "at most 120 characters"),
        ({"name": "Long guidance", "guidance": "G" * 301}, "guidance", "at most 300 characters"),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field_and_adds_nothing(cast, admin, data, field, message):
    count = Category.objects.count()
    response = admin.post(reverse("records_console:category_add"), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert f'id="id_{field}_error"' in text
    assert message in text.split(f'id="id_{field}_error"')[1].split("</div>")[0]
    assert Category.objects.count() == count
    assert not AuditEntry.objects.filter(event__startswith="category.").exists()


def test_editing_name_and_guidance_is_saved_and_audited_by_field(cast, admin):
    item = category("Neglect")
    assert edit(admin, item, guidance="Basic needs not met: food, warmth, clothing, supervision.").status_code == 302
    item.refresh_from_db()
    assert item.guidance == "Basic needs not met: food, warmth, clothing, supervision."
    entry = AuditEntry.objects.get(event="category.updated")
    assert entry.additional_data["fields"] == ["guidance"]
    assert "food, warmth" not in str(entry.additional_data)


def test_renaming_to_an_existing_name_is_refused(cast, admin):
    item = category("Neglect")
    other = Category.objects.exclude(pk=item.pk).first()
    response = edit(admin, item, name=other.name.upper())
    assert response.status_code == 400
    assert "There is already a category with this name." in response.content.decode()
    item.refresh_from_db()
    assert item.name == "Neglect"


def test_a_retired_category_leaves_the_recording_form_but_stays_on_its_concerns(cast, admin):
    item = category("Neglect")
    concern = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a], categories=[item])
    assert admin.post(reverse("records_console:category_retire", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.is_active is False
    assert not on_recording_form(cast.staff, "Neglect")
    form_page = client_for(cast.staff).get(record_url()).content.decode()
    assert f'value="{item.pk}" id="category-{item.pk}"' not in form_page
    assert list(concern.categories.all()) == [item]
    assert AuditEntry.objects.filter(event="category.retired", object_pk=str(item.pk)).count() == 1

    assert admin.post(reverse("records_console:category_reinstate", args=[item.pk])).status_code == 302
    assert on_recording_form(cast.staff, "Neglect")
    assert AuditEntry.objects.filter(event="category.reinstated", object_pk=str(item.pk)).count() == 1


def test_retiring_twice_changes_nothing_more(cast, admin):
    item = category("Neglect")
    url = reverse("records_console:category_retire", args=[item.pk])
    admin.post(url)
    admin.post(url)
    assert AuditEntry.objects.filter(event="category.retired").count() == 1


def test_there_is_no_way_to_delete_a_category(cast, admin):
    names = [
        pattern.name for pattern in get_resolver().url_patterns for pattern in getattr(pattern, "url_patterns", [])
    ]
    assert not [name for name in names if name and "delete" in name and "categor" in name]
    item = category("Neglect")
    ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a], categories=[item])
    assert admin.delete(reverse("records_console:category_edit", args=[item.pk])).status_code == 405
    assert admin.post(reverse("records_console:category_retire", args=[item.pk])).status_code == 302
    assert Category.objects.filter(pk=item.pk).exists()


def test_restricting_a_category_restricts_its_concerns_at_once(cast, admin):
    item = category("Neglect")
    concern = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a], categories=[item])
    deputy = client_for(cast.deputy)
    assert deputy.get(reverse("concerns:detail", args=[concern.pk])).status_code == 200

    assert edit(admin, item, is_restricted=True).status_code == 302
    concern.refresh_from_db()
    assert concern.is_restricted is True
    assert deputy.get(reverse("concerns:detail", args=[concern.pk])).status_code == 404
    assert client_for(cast.dsl).get(reverse("concerns:detail", args=[concern.pk])).status_code == 200
    assert client_for(cast.staff).get(reverse("concerns:detail", args=[concern.pk])).status_code == 200
    entry = AuditEntry.objects.get(event="category.updated")
    assert entry.additional_data["fields"] == ["is_restricted"]


def test_lifting_a_restriction_keeps_concerns_restricted_by_another_of_their_categories(cast, admin):
    item = category("Neglect")
    other = restricted_category()
    Category.objects.filter(pk=item.pk).update(is_restricted=True)
    only = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a], categories=[item])
    both = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a2], categories=[item, other])
    unrelated = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a], categories=[other])
    assert only.is_restricted and both.is_restricted and unrelated.is_restricted

    item.refresh_from_db()
    assert edit(admin, item, is_restricted=False).status_code == 302
    flags = dict(Concern.objects.values_list("id", "is_restricted"))
    # Lifting a category's restriction widens nothing already recorded: even the concern in no
    # other restricted category stays restricted (a DSL lifts that on the concern itself).
    assert flags == {only.pk: True, both.pk: True, unrelated.pk: True}
    deputy = client_for(cast.deputy)
    assert deputy.get(reverse("concerns:detail", args=[only.pk])).status_code == 404
    assert deputy.get(reverse("concerns:detail", args=[both.pk])).status_code == 404


def test_a_restricted_concern_stays_invisible_to_the_deputy_after_the_category_is_unticked(cast, admin):
    item = category("Neglect")
    assert edit(admin, item, is_restricted=True).status_code == 302
    client_for(cast.staff).post(record_url(), valid_post(cast.child_a, categories=[str(item.pk)]))
    before = Concern.objects.get()
    assert before.is_restricted
    deputy = client_for(cast.deputy)
    assert deputy.get(reverse("concerns:detail", args=[before.pk])).status_code == 404

    item.refresh_from_db()
    assert edit(admin, item, is_restricted=False).status_code == 302
    assert deputy.get(reverse("concerns:detail", args=[before.pk])).status_code == 404
    before.refresh_from_db()
    assert before.is_restricted
    # Concerns recorded from now on in the category are not restricted.
    client_for(cast.staff).post(record_url(), valid_post(cast.child_a2, categories=[str(item.pk)]))
    after = Concern.objects.exclude(pk=before.pk).get()
    assert not after.is_restricted
    assert deputy.get(reverse("concerns:detail", args=[after.pk])).status_code == 200


def _code_entered_an_hour_ago(client) -> None:
    session = client.session
    session[MFA_VERIFIED_AT] = session[MFA_VERIFIED_AT] - 3600
    session.save()


def test_changing_a_category_asks_for_a_fresh_code_first_and_changes_nothing_until_then(cast, admin):
    item = category("Neglect")
    concern = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a], categories=[item])
    _code_entered_an_hour_ago(admin)
    url = reverse("records_console:category_edit", args=[item.pk])
    for response in (admin.get(url), edit(admin, item, is_restricted=True)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:mfa_verify"))
    item.refresh_from_db()
    concern.refresh_from_db()
    assert (item.is_restricted, concern.is_restricted) == (False, False)
    assert not AuditEntry.objects.filter(event="category.updated").exists()


def test_the_restriction_update_is_one_update_of_concerns_however_many_there_are(cast):
    item = category("Neglect")
    for _ in range(40):
        ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a], categories=[item])
    with CaptureQueriesContext(connection) as queries:
        category_update(admin=cast.admin, category=item, is_restricted=True)
    concern_updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "concerns_concern"')]
    assert len(concern_updates) == 1
    assert len(queries.captured_queries) <= 12
    assert Concern.objects.filter(is_restricted=True).count() == 40


@pytest.mark.parametrize("who", ["staff", "deputy", "dsl", "auditor", "dsl_b", "ended"])
def test_no_one_but_an_admin_may_change_a_category(cast, who):
    item = category("Neglect")
    client = client_for(getattr(cast, who))
    assert client.post(reverse("records_console:category_retire", args=[item.pk])).status_code == 403
    assert edit(client, item, is_restricted=True, name="Renamed").status_code == 403
    response = client.post(reverse("records_console:category_add"), {"name": "Sneaky", "guidance": "No."})
    assert response.status_code == 403
    item.refresh_from_db()
    assert (item.name, item.is_active, item.is_restricted) == ("Neglect", True, False)
    assert not Category.objects.filter(name="Sneaky").exists()


def test_an_unknown_category_is_404(cast, admin):
    assert admin.get(reverse("records_console:category_edit", args=[999_999])).status_code == 404
    assert admin.post(reverse("records_console:category_retire", args=[999_999])).status_code == 404
