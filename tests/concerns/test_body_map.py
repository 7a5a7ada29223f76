"""The body map says where each mark is on the child, in words a DSL can read without the drawing.

A DSL reading "red mark on left forearm" must see it on the child's left forearm: on the front
outline that is the reader's right, on the back outline the reader's left. Marks recorded on the
first (adult-proportioned) outline must still name the body part they were placed on.
"""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from concerns.body_map import (
    CURSOR_START,
    FRONT_REGIONS,
    drawn_point,
    frame,
    mark_place,
    stored_point,
)
from concerns.choices import BodySide
from concerns.models import BodyMapMark


@pytest.mark.parametrize(
    ("side", "x", "y", "words"),
    [
        # The demo concerns' marks, placed on the first outline, with what their notes say.
        ("front", "54.00", "8.50", "front, child's left cheek"),
        ("front", "44.00", "72.50", "front, child's right knee"),
        ("front", "72.00", "42.00", "front, child's left forearm"),
        ("back", "31.50", "29.00", "back, child's left upper arm"),
        # A few more regions, on both views.
        ("front", "50.00", "30.00", "front, centre of the chest"),
        ("front", "50.00", "2.00", "front, top of the head"),
        ("front", "40.00", "70.00", "front, child's right knee"),
        ("front", "58.00", "86.00", "front, child's left foot"),
        ("back", "50.00", "30.00", "back, centre of the upper back"),
        ("back", "59.00", "24.00", "back, child's right shoulder blade"),
        ("back", "30.00", "21.00", "back, child's left shoulder"),
        ("back", "44.00", "52.00", "back, child's left buttock"),
        ("back", "56.00", "80.00", "back, child's right calf"),
        ("back", "50.00", "16.00", "back, back of the neck"),
    ],
)
def test_a_mark_is_named_as_the_child_s_body(side, x, y, words):
    assert mark_place(side, Decimal(x), Decimal(y)) == words


def test_the_same_spot_is_the_child_s_left_on_the_front_and_right_on_the_back():
    # The reader's right half of the page: the front outline faces the reader, the back does not.
    assert mark_place(BodySide.FRONT, 72, 42) == "front, child's left forearm"
    assert mark_place(BodySide.BACK, 72, 42) == "back, child's right forearm"
    assert mark_place(BodySide.FRONT, 28, 42) == "front, child's right forearm"
    assert mark_place(BodySide.BACK, 28, 42) == "back, child's left forearm"


def test_a_mark_beside_the_outline_says_so_and_what_it_is_near():
    # Just past the fingertips of the back view's right hand (a demo mark on the first outline).
    assert mark_place("back", 82, 50) == "back, outside the outline, near the back of the child's right hand"
    assert mark_place("front", 97, 90).startswith("front, outside the outline, near the child's left")


def test_the_first_outline_s_landmarks_fall_on_the_child_s_same_landmarks():
    # Crown, chin, shoulders, crotch and soles of the first outline (y as a % of its height).
    assert [round(drawn_point(50, y)[1]) for y in (3, 14, 19, 54, 88)] == [6, 40, 49, 114, 194]
    # Its fingertips (hands hung to y 47.5 beside the hips) are the child's fingertips.
    assert round(drawn_point(79, 47.5)[1], 1) == 118.5


def test_placing_a_mark_where_it_is_drawn_stores_the_same_mark():
    grid = [
        (x, y) for x in (0, 10, 31.5, 44, 50, 54, 66.5, 72, 83, 90, 100) for y in (0, 8.5, 14, 29, 42, 47.5, 72.5, 100)
    ]
    for x, y in grid:
        drawn_x, drawn_y = drawn_point(x, y)
        if 0 < drawn_x < 100:  # far out beside the widened head a point is drawn at the box's edge
            assert stored_point(drawn_x, drawn_y) == pytest.approx((x, y), abs=1e-9), (x, y)


def test_the_keyboard_cursor_starts_in_the_middle_of_the_body():
    assert mark_place("front", *stored_point(*CURSOR_START)) == "front, centre of the tummy"
    assert frame()["cursor"] == CURSOR_START


def test_every_region_is_inside_the_box_and_names_the_child_s_side_where_it_has_one():
    for top, bottom, near, far, words in FRONT_REGIONS:
        assert 0 <= top < bottom <= 200 and 0 <= near < far <= 50
        assert words.count("{side}") <= 1


def test_the_concern_page_names_each_mark_and_each_outline_s_sides():
    marks = [
        BodyMapMark(side="front", x=Decimal("72.00"), y=Decimal("42.00"), note="Scratches, inner forearm"),
        BodyMapMark(side="back", x=Decimal("31.50"), y=Decimal("29.00"), note=""),
    ]
    html = render_to_string("includes/body_map_readonly.html", {"marks": marks, "sides": BodySide.choices})
    assert "Front, child&#x27;s left forearm</span>: Scratches, inner forearm" in html
    assert "Back, child&#x27;s left upper arm</span>: (no note)" in html
    assert "Front</span>, facing you: the child's right is on your left" in html
    assert "Back</span>, seen from behind: the child's right is on your right" in html
    assert html.count(">RIGHT</text>") == 2 and html.count(">LEFT</text>") == 2
    # Drawn through the frame, not at the stored percentages: the forearm mark is at y 98.68 of 200.
    assert '<circle class="mark" cx="72.00" cy="98.68" r="3"/>' in html
