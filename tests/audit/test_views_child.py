"""A child's page: details, the concerns the reader may see, and "who has viewed this record"."""

from django.urls import reverse

from audit.models import AuditEntry
from audit.services import audit_record
from concerns.models import Child
from concerns.views.ledger import VIEWERS_SHOWN
from tests.conftest import client_for
from tests.factories import ConcernFactory, restricted_category


def _page(user, child):
    return client_for(user).get(reverse("concerns:child", args=[child.pk]))


def test_the_dsl_sees_the_child_and_every_concern_about_them(cast):
    plain = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a])
    restricted = ConcernFactory(
        site=cast.site_a, author=cast.staff, about=[cast.child_a], categories=[restricted_category()]
    )
    elsewhere = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a2])
    response = _page(cast.dsl, cast.child_a)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Addy Fernsby" in body and "Ada Fernsby" in body and "A100000000001" in body
    assert reverse("concerns:detail", args=[plain.pk]) in body
    assert reverse("concerns:detail", args=[restricted.pk]) in body
    assert reverse("concerns:detail", args=[elsewhere.pk]) not in body


def test_a_deputy_does_not_see_restricted_concerns_even_in_who_viewed(cast):
    restricted = ConcernFactory(
        site=cast.site_a, author=cast.staff, about=[cast.child_a], categories=[restricted_category()]
    )
    client_for(cast.dsl).get(reverse("concerns:detail", args=[restricted.pk]))
    response = _page(cast.deputy, cast.child_a)
    body = response.content.decode()
    assert reverse("concerns:detail", args=[restricted.pk]) not in body
    # Nor is the DSL's read of it listed: that it was read would tell the deputy it exists.
    assert cast.dsl.email not in body
    assert [row.event for row in response.context["viewers"]] == ["child.viewed"]
    # The DSL, who may see it, sees the read.
    dsl_page = _page(cast.dsl, cast.child_a)
    assert ("concern.viewed", restricted.pk) in [(row.event, row.object_id) for row in dsl_page.context["viewers"]]


def test_a_deputy_sees_reads_of_the_concerns_they_may_see(cast):
    plain = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a])
    client_for(cast.dsl).get(reverse("concerns:detail", args=[plain.pk]))
    viewers = _page(cast.deputy, cast.child_a).context["viewers"]
    assert ("concern.viewed", plain.pk, cast.dsl.email) in [
        (row.event, row.object_id, row.actor_email) for row in viewers
    ]


def test_who_has_viewed_this_record_newest_first_with_role(cast):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a])
    client_for(cast.staff).get(reverse("concerns:child_search") + "?q=Addy")
    client_for(cast.dsl).get(reverse("concerns:detail", args=[concern.pk]))
    client_for(cast.staff2).get(reverse("concerns:child_search") + "?q=Bram")  # another child
    response = _page(cast.deputy, cast.child_a)
    viewers = [(row.actor_email, row.event, row.role_label) for row in response.context["viewers"]]
    assert viewers == [
        (cast.deputy.email, "child.viewed", "Deputy DSL"),
        (cast.dsl.email, "concern.viewed", "DSL"),
        (cast.staff.email, "child.searched", "Staff"),
    ]
    body = response.content.decode()
    assert cast.staff2.email not in body
    assert reverse("concerns:detail", args=[concern.pk]) in body


def test_the_list_is_capped_and_readers_of_the_ledger_get_the_full_filtered_view(cast):
    for _ in range(VIEWERS_SHOWN + 5):
        audit_record(actor=cast.staff, event="child.searched", model=Child, object_ids=[cast.child_a.pk])
    response = _page(cast.auditor, cast.child_a)
    assert len(response.context["viewers"]) == VIEWERS_SHOWN
    assert f"{reverse('ledger:index')}?child={cast.child_a.pk}" in response.content.decode()
    assert reverse("ledger:index") not in _page(cast.deputy, cast.child_a).content.decode()


def test_the_page_writes_one_access_entry(cast):
    client = client_for(cast.auditor)
    newest = AuditEntry.objects.order_by("-id").first().id
    client.get(reverse("concerns:child", args=[cast.child_a.pk]))
    written = AuditEntry.objects.filter(id__gt=newest)
    entry = written.get()
    assert (entry.event, entry.action, entry.object_id, entry.site_id) == (
        "child.viewed",
        AuditEntry.Action.ACCESS,
        cast.child_a.pk,
        cast.site_a.pk,
    )


def test_staff_and_admins_are_refused_and_other_sites_are_told_nothing(cast):
    assert _page(cast.staff, cast.child_a).status_code == 403
    assert _page(cast.admin, cast.child_a).status_code == 403
    assert _page(cast.dsl_b, cast.child_a).status_code == 404
    assert _page(cast.dsl, cast.child_b).status_code == 404
    assert _page(cast.ended, cast.child_a).status_code == 404


def test_the_concern_page_links_each_child_for_the_dsl_team(cast):
    concern = ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a, cast.child_a2])
    body = client_for(cast.dsl).get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert reverse("concerns:child", args=[cast.child_a.pk]) in body
    assert reverse("concerns:child", args=[cast.child_a2.pk]) in body
    staff_body = client_for(cast.staff).get(reverse("concerns:detail", args=[concern.pk])).content.decode()
    assert reverse("concerns:child", args=[cast.child_a.pk]) not in staff_body
