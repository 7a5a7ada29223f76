"""Who gets into the console at all, what its home page offers, and that it shows no child's data."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from concerns.models import Concern
from tests.concerns.helpers import record_url, valid_post
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory


@pytest.mark.parametrize("who", ["staff", "staff2", "deputy", "dsl", "auditor", "dsl_b", "staff_b", "ended"])
def test_everyone_but_an_administrator_is_refused(cast, who):
    client = client_for(getattr(cast, who))
    for name in ("console:home", "console:users", "console:sites", "console:training_overdue"):
        assert client.get(reverse(name)).status_code == 403


def test_anonymous_is_sent_to_sign_in(cast):
    response = client_for(None).get(reverse("console:users"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_an_administrator_whose_membership_ended_is_refused(cast):
    membership = cast.admin.memberships.get()
    client = client_for(cast.admin)
    assert client.get(reverse("console:home")).status_code == 200
    membership.ends_on = membership.starts_on.replace(year=membership.starts_on.year - 1)
    membership.save()
    assert client.get(reverse("console:home")).status_code == 403


def test_the_home_page_links_every_part_of_the_console(cast):
    page = client_for(cast.admin).get(reverse("console:home")).text
    for name in (
        "console:users",
        "console:user_new",
        "console:training_overdue",
        "console:sites",
        "console:organisation",
    ):
        assert f'href="{reverse(name)}"' in page
    assert 'href="/console/records/"' in page


def test_the_console_never_shows_a_childs_name_or_concern_text(cast):
    client_for(cast.staff).post(record_url(), valid_post(cast.child_a))
    concern = Concern.objects.get()
    other_admin = UserFactory(email="admin2@test.example", full_name="Second Admin")
    MembershipFactory(user=other_admin, site=cast.site_a, role=Role.ADMIN)
    client = client_for(cast.admin)
    membership = cast.staff.memberships.get()
    pages = [
        reverse("console:home"),
        reverse("console:users") + "?status=all",
        reverse("console:user_new"),
        reverse("console:user_detail", args=[cast.staff.pk]),
        reverse("console:user_training", args=[cast.staff.pk]),
        reverse("console:membership_new", args=[cast.staff.pk]),
        reverse("console:membership_role", args=[membership.pk]),
        reverse("console:training_overdue"),
        reverse("console:organisation"),
        reverse("console:sites"),
        reverse("console:site_edit", args=[cast.site_a.pk]),
    ]
    secrets = [
        cast.child_a.first_name,
        cast.child_a.last_name,
        cast.child_a.preferred_name,
        cast.child_a.upn,
        cast.child_a2.last_name,
        concern.reference,
        concern.observations[:40],
    ]
    if concern.child_words:
        secrets.append(concern.child_words[:40])
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        for secret in secrets:
            assert secret not in response.text, f"{secret!r} on {url}"
    # Searching the console for a child's name finds no one: children are not accounts.
    assert "No one matches" in client.get(reverse("console:users"), {"q": "Fernsby", "status": "all"}).text
