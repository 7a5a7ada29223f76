"""Sites in the console: working days and hours, review cut-off, holidays, escalation contact."""

import datetime

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import Site
from audit.models import AuditEntry
from tests.conftest import client_for
from tests.factories import MembershipFactory, SiteFactory


def site_post(**overrides) -> dict:
    data = {
        "working_days": ["0", "1", "2", "3", "4", "5"],
        "day_starts": "07:45",
        "day_ends": "16:30",
        "review_cutoff": "14:00",
        "holidays": "2026-12-25\n\n26/12/2026\n2026-12-25\n",
        "escalation_contact": "",
    }
    data.update(overrides)
    return data


def snapshot(site: Site) -> tuple:
    site.refresh_from_db()
    return (
        site.working_days,
        site.day_starts,
        site.day_ends,
        site.review_cutoff,
        site.holidays,
        site.escalation_contact_id,
    )


def test_the_admin_lists_only_their_own_sites(cast):
    page = client_for(cast.admin).get(reverse("console:sites")).text
    assert "Oakfield Test School" in page and "Birchwood" not in page


def test_the_site_form_shows_the_current_settings(cast):
    page = client_for(cast.admin).get(reverse("console:site_edit", args=[cast.site_a.pk])).text
    assert 'value="08:00"' in page and 'value="17:00"' in page and 'value="15:00"' in page
    assert 'value="0" id="id_working_days_0" checked' in page
    assert 'value="5" id="id_working_days_5" checked' not in page


def test_saving_a_site_stores_every_setting_and_audits_which_changed(cast):
    response = client_for(cast.admin).post(
        reverse("console:site_edit", args=[cast.site_a.pk]), site_post(escalation_contact=cast.dsl.pk)
    )
    assert response.status_code == 302
    assert snapshot(cast.site_a) == (
        [0, 1, 2, 3, 4, 5],
        datetime.time(7, 45),
        datetime.time(16, 30),
        datetime.time(14, 0),
        ["2026-12-25", "2026-12-26"],
        cast.dsl.pk,
    )
    [entry] = AuditEntry.objects.filter(event="site.updated")
    assert entry.site_id == cast.site_a.pk and entry.actor == cast.admin
    assert entry.additional_data["fields"] == sorted(
        ["working_days", "day_starts", "day_ends", "review_cutoff", "holidays", "escalation_contact"]
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"review_cutoff": "17:30"}, "review_cutoff", "The review cut-off must lie within the working day"),
        ({"review_cutoff": "07:00"}, "review_cutoff", "between 07:45 and 16:30"),
        ({"day_ends": "07:00"}, "day_ends", "The working day must end after it starts."),
        ({"working_days": []}, "working_days", "Choose at least one working day."),
        ({"working_days": ["7"]}, "working_days", "Choose days of the week."),
        ({"day_starts": "25:00"}, "day_starts", "Enter a time like 08:00."),
        ({"holidays": "2026-12-25\n2026-02-30"}, "holidays", "Line 2, “2026-02-30”, is not a real date"),
        ({"holidays": "Christmas"}, "holidays", "Line 1, “Christmas”, is not a real date"),
        ({"holidays": "1899-12-25"}, "holidays", "is not a real date"),
    ],
)
def test_bad_site_settings_are_explained_and_nothing_is_saved(cast, overrides, field, message):
    before = snapshot(cast.site_a)
    response = client_for(cast.admin).post(
        reverse("console:site_edit", args=[cast.site_a.pk]), site_post(escalation_contact=cast.dsl.pk, **overrides)
    )
    assert response.status_code == 200
    assert message in response.text.split(f'id="id_{field}_error"')[1].split("</div>")[0]
    assert "There is a problem" in response.text
    assert snapshot(cast.site_a) == before
    assert not AuditEntry.objects.filter(event="site.updated").exists()


@pytest.mark.parametrize("who", ["dsl_b", "ended"])
def test_the_escalation_contact_must_work_at_the_site_now(cast, who):
    before = snapshot(cast.site_a)
    response = client_for(cast.admin).post(
        reverse("console:site_edit", args=[cast.site_a.pk]), site_post(escalation_contact=getattr(cast, who).pk)
    )
    assert response.status_code == 200
    error = response.text.split('id="id_escalation_contact_error"')[1].split("</div>")[0]
    assert "Choose someone who works at Oakfield Test School now." in error
    assert snapshot(cast.site_a) == before


def test_the_escalation_contact_choices_are_the_sites_current_people(cast):
    page = client_for(cast.admin).get(reverse("console:site_edit", args=[cast.site_a.pk])).text
    options = page.split('name="escalation_contact"')[1].split("</select>")[0]
    assert "Lee Lead" in options and "Sam Staffer" in options
    assert "Bo Birchlead" not in options and "Ex Staffer" not in options


def test_an_admin_of_two_sites_edits_each_but_not_a_third(cast):
    cast_site_c = SiteFactory(name="Cedar Test College", code="cedar")
    MembershipFactory(user=cast.admin, site=cast.site_b, role=Role.ADMIN)
    client = client_for(cast.admin)
    page = client.get(reverse("console:sites")).text
    assert "Oakfield Test School" in page and "Birchwood Test Academy" in page and "Cedar" not in page
    assert client.get(reverse("console:site_edit", args=[cast.site_b.pk])).status_code == 200
    assert client.get(reverse("console:site_edit", args=[cast_site_c.pk])).status_code == 404


def test_every_problem_is_shown_at_once(cast):
    response = client_for(cast.admin).post(
        reverse("console:site_edit", args=[cast.site_a.pk]), site_post(review_cutoff="18:00", holidays="2026-02-30")
    )
    assert "Line 1, “2026-02-30”, is not a real date" in response.text
    assert "The review cut-off must lie within the working day" in response.text


def test_the_site_page_warns_when_the_escalation_contact_has_gone(cast):
    client = client_for(cast.admin)
    client.post(reverse("console:site_edit", args=[cast.site_a.pk]), site_post(escalation_contact=cast.dsl.pk))
    assert "no longer works at this site" not in client.get(reverse("console:site_edit", args=[cast.site_a.pk])).text
    client.post(reverse("console:user_deactivate", args=[cast.dsl.pk]))
    assert "no longer works at this site" in client.get(reverse("console:site_edit", args=[cast.site_a.pk])).text
