"""Who may use the records console: administrators, for their own sites only. A site or an import
of another site is 404 (an id in the address proves nothing); anyone else signed in is 403."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.services.auth import MFA_VERIFIED_AT
from audit.models import AuditEntry
from concerns.models import Child, ImportJob
from concerns.tasks import import_run
from tests.concerns.test_import_children import child_row, children_csv, latest_job, preview, upload
from tests.conftest import client_for
from tests.factories import ConcernFactory, MembershipFactory, UserFactory


@pytest.fixture
def admin_b(cast):
    user = UserFactory(email="admin.b@test.example", full_name="Bryn Birchadmin")
    MembershipFactory(user=user, site=cast.site_b, role=Role.ADMIN)
    return user


@pytest.fixture
def job_b(cast, admin_b):
    preview(client_for(admin_b), cast.site_b, children_csv([child_row(1)]), is_full=False)
    return latest_job()


SITE_ROUTES = ["records_console:children_import", "records_console:staff_import"]
JOB_ROUTES = [
    ("get", "records_console:import_detail"),
    ("get", "records_console:import_status"),
    ("post", "records_console:import_confirm"),
    ("post", "records_console:import_leavers_restore"),
]


@pytest.mark.parametrize("route", SITE_ROUTES)
def test_an_admin_cannot_open_or_post_to_another_sites_import(cast, route):
    admin = client_for(cast.admin)
    url = reverse(route, args=[cast.site_b.pk])
    assert admin.get(url).status_code == 404
    response = admin.post(url, {"file": upload(children_csv([child_row(1)])), "is_full": "on"})
    assert response.status_code == 404
    assert ImportJob.objects.count() == 0
    assert admin.get(reverse(route, args=[999_999])).status_code == 404


@pytest.mark.parametrize(("method", "route"), JOB_ROUTES)
def test_an_admin_cannot_see_or_confirm_another_sites_import(cast, job_b, method, route):
    response = getattr(client_for(cast.admin), method)(reverse(route, args=[job_b.pk]))
    assert response.status_code == 404
    job_b.refresh_from_db()
    assert job_b.status == ImportJob.Status.PREVIEW
    assert "Ivo1" not in response.content.decode()


@pytest.mark.parametrize(("method", "route"), JOB_ROUTES)
def test_the_other_sites_admin_may_use_their_own_import(cast, job_b, admin_b, method, route):
    response = getattr(client_for(admin_b), method)(reverse(route, args=[job_b.pk]))
    assert response.status_code == (302 if method == "post" else 200)


@pytest.mark.parametrize("who", ["staff", "deputy", "dsl", "auditor", "dsl_b", "ended"])
def test_no_one_but_an_admin_may_import_or_see_an_import(cast, who):
    client = client_for(getattr(cast, who))
    preview_response = preview(client, cast.site_a, children_csv([child_row(1)]))
    assert preview_response.status_code == 403
    job = ImportJob.objects.create(kind="children", site=cast.site_a, created_by=cast.admin, rows=[{}], total=1)
    for method, route in JOB_ROUTES:
        assert getattr(client, method)(reverse(route, args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW
    assert not Child.objects.filter(upn__startswith="K").exists()


def test_an_admin_whose_membership_has_ended_is_refused(cast):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    cast.admin.memberships.update(starts_on=yesterday - datetime.timedelta(days=10), ends_on=yesterday)
    client = client_for(cast.admin)
    assert client.get(reverse("records_console:index")).status_code == 403
    assert preview(client, cast.site_a, children_csv([child_row(1)])).status_code == 403


def test_a_deactivated_admin_is_refused_from_the_next_request(cast):
    client = client_for(cast.admin)
    assert client.get(reverse("records_console:index")).status_code == 200
    cast.admin.is_active = False
    cast.admin.save()
    response = client.get(reverse("records_console:index"))
    assert response.status_code in (302, 403)
    assert "Import children" not in response.content.decode()


def test_the_console_index_lists_only_the_admins_own_sites_and_no_concern_content(cast, job_b):
    ConcernFactory(site=cast.site_a, author=cast.staff, about=[cast.child_a], observations="Bruise on the left wrist.")
    page = client_for(cast.admin).get(reverse("records_console:index")).content.decode()
    assert cast.site_a.name in page
    assert cast.site_b.name not in page
    assert reverse("records_console:import_detail", args=[job_b.pk]) not in page
    assert "Bruise" not in page and "VC-" not in page


def test_confirming_an_import_asks_for_a_fresh_code_first(cast):
    admin = client_for(cast.admin)
    preview(admin, cast.site_a, children_csv([child_row(1)]), is_full=False)
    job = latest_job()
    session = admin.session
    session[MFA_VERIFIED_AT] = session[MFA_VERIFIED_AT] - 3600  # the code was entered an hour ago
    session.save()
    response = admin.post(reverse("records_console:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW


@pytest.fixture
def finished_with_leavers(cast):
    """A finished whole-roll import at site A that marked child_a2 as left."""
    admin = client_for(cast.admin)
    preview(admin, cast.site_a, children_csv([child_row(1), child_row(2)]))
    job = latest_job()
    admin.post(reverse("records_console:import_confirm", args=[job.pk]))
    import_run(job.pk)
    job.refresh_from_db()
    assert job.left == 2
    return job


def _restored_anything(cast) -> bool:
    back = Child.objects.filter(pk__in=[cast.child_a.pk, cast.child_a2.pk], left_on__isnull=True).exists()
    return back or AuditEntry.objects.filter(event="import.children_restored").exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [(who, 403) for who in ("staff", "deputy", "dsl", "auditor", "dsl_b", "ended")] + [("admin_b", 404)],
)
def test_a_refused_restore_of_leavers_changes_nothing(cast, finished_with_leavers, admin_b, who, status):
    user = admin_b if who == "admin_b" else getattr(cast, who)
    url = reverse("records_console:import_leavers_restore", args=[finished_with_leavers.pk])
    assert client_for(user).post(url, {"confirm": "on"}).status_code == status
    assert client_for(None).post(url, {"confirm": "on"}).status_code == 302
    assert not _restored_anything(cast)
    # The import's own administrator may.
    assert client_for(cast.admin).post(url, {"confirm": "on"}).status_code == 302
    assert _restored_anything(cast)
