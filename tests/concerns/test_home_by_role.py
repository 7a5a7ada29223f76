"""The home page offers each role its own work: staff and the DSL team record; administrators
get their console and the account ledger; auditors find a child's record and the ledger. Nobody
is invited to record who may not."""

import pytest
from django.urls import reverse

from tests.conftest import client_for

RECORD = reverse("concerns:new")


@pytest.mark.parametrize("who", ["staff", "deputy", "dsl"])
def test_recorders_are_invited_to_record(cast, who):
    page = client_for(getattr(cast, who)).get(reverse("concerns:home")).text
    assert "Worried about a child?" in page and f'href="{RECORD}"' in page
    assert 'id="home-console"' not in page


def test_administrators_get_their_console_and_the_ledger_not_recording(cast):
    page = client_for(cast.admin).get(reverse("concerns:home")).text
    assert RECORD not in page and "Worried about a child?" not in page and "drafts" not in page
    assert f'href="{reverse("console:home")}">Administrator' in page
    assert f'href="{reverse("ledger:index")}">Audit log' in page


def test_auditors_get_the_records_and_the_ledger_not_recording(cast):
    page = client_for(cast.auditor).get(reverse("concerns:home")).text
    assert RECORD not in page and "Worried about a child?" not in page
    assert 'id="home-auditor-records"' in page and f'action="{reverse("concerns:child_search")}"' in page
    assert f'href="{reverse("ledger:index")}">Audit log' in page
    assert 'id="home-console"' not in page


def test_someone_whose_membership_has_ended_is_told_so(cast):
    page = client_for(cast.ended).get(reverse("concerns:home")).text
    assert "You have no role in Vigil today" in page and RECORD not in page
