"""Drafts: saved as the person types, surviving a closed tab or an expired session, private to the author."""

import uuid

from django.urls import reverse

from concerns.models import Concern, ConcernDraft
from tests.concerns.helpers import record_url, valid_post
from tests.conftest import client_for


def _autosave(client, key, **data):
    return client.post(reverse("concerns:draft_autosave", args=[key]), data)


def test_a_draft_is_saved_and_comes_back_after_the_tab_is_closed(cast):
    key = uuid.uuid4()
    response = _autosave(client_for(cast.staff), key, children=[cast.child_a.pk], observations="Half a sentence")
    assert response.status_code == 200 and "saved_at" in response.json()

    later = client_for(cast.staff)  # a new browser session
    drafts = later.get(reverse("concerns:drafts"))
    assert "About Addy Fernsby" in drafts.text
    form = later.get(record_url(key))
    assert "Half a sentence" in form.text and "Addy Fernsby" in form.text


def test_a_signed_out_autosave_is_told_so_and_the_saved_draft_survives(cast):
    key = uuid.uuid4()
    client = client_for(cast.staff)
    _autosave(client, key, observations="Typed before the session ended")
    client.logout()
    response = _autosave(client, key, observations="Typed after")
    assert response.status_code == 401 and response.json() == {"error": "signed_out"}
    assert "Typed before the session ended" in client_for(cast.staff).get(record_url(key)).text


def test_drafts_are_visible_only_to_their_author(cast):
    key = uuid.uuid4()
    _autosave(client_for(cast.staff), key, children=[cast.child_a.pk], observations="Private draft words")
    for other in (cast.staff2, cast.dsl, cast.deputy):
        client = client_for(other)
        assert "Private draft words" not in client.get(reverse("concerns:drafts")).text
        assert client.get(record_url(key)).status_code == 404
        assert _autosave(client, key, observations="overwrite").status_code == 404
        assert client.post(record_url(key), valid_post(cast.child_a)).status_code == 404
    assert ConcernDraft.objects.get(key=key).data["observations"] == ["Private draft words"]
    assert not Concern.objects.exists()


def test_submitting_removes_the_draft_and_a_late_autosave_cannot_revive_it(cast):
    key = uuid.uuid4()
    client = client_for(cast.staff)
    _autosave(client, key, observations="draft")
    client.post(record_url(key), valid_post(cast.child_a))
    assert not ConcernDraft.objects.exists()
    assert _autosave(client, key, observations="late beacon").status_code == 409
    assert not ConcernDraft.objects.exists()
    assert client.get(record_url(key))["Location"] == reverse("concerns:receipt", args=[Concern.objects.get().pk])


def test_a_draft_can_be_discarded_by_its_author_only(cast):
    key = uuid.uuid4()
    _autosave(client_for(cast.staff), key, observations="draft")
    assert client_for(cast.staff2).post(reverse("concerns:draft_discard", args=[key])).status_code == 404
    assert ConcernDraft.objects.exists()
    client_for(cast.staff).post(reverse("concerns:draft_discard", args=[key]))
    assert not ConcernDraft.objects.exists()


def test_autosave_ignores_fields_that_are_not_on_the_form(cast):
    key = uuid.uuid4()
    _autosave(client_for(cast.staff), key, observations="x", author=cast.dsl.pk, status="closed", role_5="witness")
    assert set(ConcernDraft.objects.get().data) == {"observations", "role_5"}


def test_a_problem_on_the_form_keeps_every_chosen_child_and_their_part(cast):
    """Children with ids of two digits or more, and their parts, were dropped from the re-shown form."""
    from tests.factories import ChildFactory

    cousin = ChildFactory(pk=123, site=cast.site_a, first_name="Wren", last_name="Fernsby")
    post = valid_post(cast.child_a, children=[str(cousin.pk), str(cast.child_a.pk)], categories=None)
    post.update({f"role_{cousin.pk}": "subject", f"role_{cast.child_a.pk}": "witness"})
    page = client_for(cast.staff).post(record_url(), post).text
    assert "Choose at least one category." in page
    assert f'<input type="hidden" name="children" value="{cousin.pk}">' in page
    assert f'<input type="hidden" name="children" value="{cast.child_a.pk}">' in page
    assert '<option value="witness" selected>' in page
