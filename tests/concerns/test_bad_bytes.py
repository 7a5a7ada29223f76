"""Bad bytes are bad input: a null byte is dropped where it is harmless, and never costs a 500.

PostgreSQL refuses a null byte in text outright (SQLite stores it), so these are best run there;
each also checks what was kept, so on SQLite they still show the byte was dropped, not stored.
"""

import json
import uuid

from django.urls import reverse

from concerns.models import BodyMapMark, Concern, ConcernDraft
from tests.concerns.helpers import record_url, valid_post
from tests.conftest import client_for


def test_a_null_byte_in_the_child_search_is_ignored(cast):
    response = client_for(cast.staff).get(reverse("concerns:child_search"), {"q": "Ad\x00dy"})
    assert response.status_code == 200
    assert "Addy Fernsby" in response.text


def test_a_null_byte_in_the_child_lookup_is_ignored(cast):
    response = client_for(cast.staff).get(reverse("concerns:child_lookup"), {"q": "Fern\x00sby"})
    assert response.status_code == 200
    assert [child["name"] for child in response.json()["results"]] == ["Addy Fernsby"]


def test_a_null_byte_in_an_autosave_is_dropped_and_the_rest_is_saved(cast):
    key = uuid.uuid4()
    data = {"observations": "Half a\x00 sentence", "location": "Hall\x00", f"role_{cast.child_a.pk}\x00": "witness"}
    response = client_for(cast.staff).post(reverse("concerns:draft_autosave", args=[key]), data)
    assert response.status_code == 200
    saved = ConcernDraft.objects.get(key=key).data
    assert saved["observations"] == ["Half a sentence"] and saved["location"] == ["Hall"]
    assert saved[f"role_{cast.child_a.pk}"] == ["witness"]


def test_a_null_byte_in_a_body_map_note_is_dropped_and_the_concern_is_recorded(cast):
    marks = [
        {"side": "front", "x": 40, "y": 30, "note": "Red mark\u0000 on the left forearm"},
        {"side": "back", "x": 60, "y": 50, "note": "Graze"},
    ]
    post = valid_post(cast.child_a, body_map=json.dumps(marks))  # the JSON carries the byte as \u0000
    response = client_for(cast.staff).post(record_url(), post)
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.observations.startswith("Came in at 08:40")
    assert list(BodyMapMark.objects.values_list("note", flat=True)) == ["Red mark on the left forearm", "Graze"]


def test_a_raw_null_byte_in_the_body_map_field_is_dropped_too(cast):
    raw = '[{"side": "front", "x": 40, "y": 30, "note": "Bruise\x00"}]'
    response = client_for(cast.staff).post(record_url(), valid_post(cast.child_a, body_map=raw))
    assert response.status_code == 302
    assert BodyMapMark.objects.get().note == "Bruise"


def test_a_null_byte_in_the_account_is_explained_and_what_was_written_is_kept(cast):
    key = uuid.uuid4()
    client = client_for(cast.staff)
    words = "He said his brother hits him\x00 when mum is out."
    response = client.post(record_url(key), valid_post(cast.child_a, observations=words))
    assert response.status_code == 200
    assert "There is a problem" in response.text and 'id="id_observations_error"' in response.text
    assert not Concern.objects.exists()
    # Kept as the draft, without the byte, for the person to carry on from.
    assert ConcernDraft.objects.get(key=key).data["observations"] == [words.replace("\x00", "")]
