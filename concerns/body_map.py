"""Where a body-map mark sits on the child's outline, and where that is in words.

A mark is stored as a side and x, y: percentages of the width and height of the outline's box.
Those percentages were set by the first outline Vigil drew, an adult-proportioned figure: crown
at y 3, chin 14, shoulders 19, armpits 27, hips 49, crotch 54, soles 88, hands hanging to y 47.5,
head 22 % of the width across. Marks recorded on it must keep meaning what the person saw, so
that frame stays the stored one for ever ("a graze on the right knee" at y 72.5 stays on the knee),
and the child's outline drawn now is mapped onto it through the same landmarks: piecewise
linear in y (arms with their own landmarks, since a child's hands hang below the crotch and the
old figure's hung above its hips), x unchanged except across the head, which is wider now.

Drawn coordinates are the SVG's: a 100 x 200 box. The same frame runs in the browser (it is sent
to the page as JSON), so the words shown while recording are the words on the concern page.
"""

from decimal import Decimal

from concerns.choices import BodySide

# (stored y %, drawn y) at crown, chin, shoulders, armpits, hips, crotch and soles.
TRUNK_KNOTS = ((0, 0), (3, 6), (14, 40), (19, 49), (27, 64), (49, 104), (54, 114), (88, 194), (100, 200))
# Beside the trunk the landmarks are the arm's: shoulders, wrists, fingertips.
ARM_KNOTS = ((0, 0), (3, 6), (14, 40), (19, 49), (44, 103), (47.5, 118.5), (88, 194), (100, 200))
ARM_DX = 17  # further than this from the centre line is beside the trunk, in both drawings
CHIN = 40  # drawn y; above it, x spreads by HEAD_WIDEN from the centre line
HEAD_WIDEN = 14.5 / 11  # the child's head is 29 wide; the first outline's was 22
CURSOR_START = (50, 82)  # the middle of the trunk, where the keyboard cursor starts

# Drawn regions: top, bottom, nearest and farthest distance from the centre line, words.
# The first region holding a point names it; "{side}" becomes "child's left" or "child's right".
ARMS = (
    (60, 77, 17.5, 35, "{side} upper arm"),
    (77, 85, 17.5, 35, "{side} elbow"),
    (85, 101, 17.5, 35, "{side} forearm"),
    (101, 106, 17.5, 35, "{side} wrist"),
)
FRONT_REGIONS = (
    (0, 13, 0, 13, "top of the head"),
    (13, 21, 0, 4, "centre of the forehead"),
    (13, 21, 4, 15, "{side} side of the forehead"),
    (21, 35, 0, 3.5, "centre of the face"),
    (21, 35, 3.5, 12.5, "{side} cheek"),
    (18, 35, 12.5, 17, "{side} ear"),
    (35, 41, 0, 12, "chin"),
    (41, 46, 0, 3.5, "front of the neck"),
    (41, 46, 3.5, 8.5, "{side} side of the neck"),
    (44, 60, 14, 27, "{side} shoulder"),
    (46, 56, 0, 4, "top of the chest"),
    (46, 56, 4, 14, "{side} collarbone"),
    (56, 80, 0, 4, "centre of the chest"),
    (56, 80, 4, 17.5, "{side} side of the chest"),
    (80, 104, 0, 4, "centre of the tummy"),
    (80, 104, 4, 17.5, "{side} side of the tummy"),
    (104, 117, 0, 8, "groin"),
    (104, 117, 8, 17.5, "{side} hip"),
    *ARMS,
    (106, 121, 17.5, 35, "{side} hand"),
    (117, 143, 0, 17, "{side} thigh"),
    (143, 160, 0, 16, "{side} knee"),
    (160, 183, 0, 14, "{side} shin"),
    (183, 188, 0, 14, "{side} ankle"),
    (188, 200, 0, 14, "{side} foot"),
)
BACK_REGIONS = (
    (0, 13, 0, 13, "top of the head"),
    (13, 40, 0, 4, "centre of the back of the head"),
    (13, 40, 4, 12.5, "{side} side of the back of the head"),
    (18, 35, 12.5, 17, "{side} ear"),
    (40, 46, 0, 3.5, "back of the neck"),
    (40, 46, 3.5, 8.5, "{side} side of the neck"),
    (44, 60, 14, 27, "{side} shoulder"),
    (46, 80, 0, 3, "centre of the upper back"),
    (46, 56, 3, 14, "{side} side of the upper back"),
    (56, 80, 3, 17.5, "{side} shoulder blade"),
    (80, 92, 0, 3, "centre of the middle back"),
    (80, 92, 3, 17.5, "{side} side of the middle back"),
    (92, 105, 0, 3, "centre of the lower back"),
    (92, 105, 3, 17.5, "{side} side of the lower back"),
    (105, 122, 0, 17.5, "{side} buttock"),
    *ARMS,
    (106, 121, 17.5, 35, "back of the {side} hand"),
    (122, 143, 0, 17, "back of the {side} thigh"),
    (143, 160, 0, 16, "back of the {side} knee"),
    (160, 183, 0, 14, "{side} calf"),
    (183, 188, 0, 14, "{side} ankle"),
    (188, 200, 0, 14, "{side} heel"),
)
REGIONS = {BodySide.FRONT: FRONT_REGIONS, BodySide.BACK: BACK_REGIONS}


def _interpolate(knots, value: float, source: int, target: int) -> float:
    """Piecewise-linear map between two columns of a knot table."""
    for index in range(1, len(knots)):
        before, after = knots[index - 1], knots[index]
        if value <= after[source] or index == len(knots) - 1:
            share = (value - before[source]) / (after[source] - before[source])
            return before[target] + share * (after[target] - before[target])
    raise ValueError("a knot table needs two knots")


def _knots_for(stored_x: float):
    return ARM_KNOTS if abs(stored_x - 50) > ARM_DX else TRUNK_KNOTS


def drawn_point(x: float | Decimal, y: float | Decimal) -> tuple[float, float]:
    """Where a stored mark is drawn on the child's outline, in the SVG's 100 x 200 units."""
    x, y = float(x), float(y)
    drawn_y = _interpolate(_knots_for(x), min(max(y, 0), 100), 0, 1)
    drawn_x = 50 + (x - 50) * HEAD_WIDEN if drawn_y < CHIN else x
    return min(max(drawn_x, 0), 100), drawn_y


def stored_point(drawn_x: float, drawn_y: float) -> tuple[float, float]:
    """The stored percentages of a point drawn on the child's outline (drawn_point undone)."""
    drawn_y = min(max(drawn_y, 0), 200)
    x = 50 + (drawn_x - 50) / HEAD_WIDEN if drawn_y < CHIN else drawn_x
    return x, _interpolate(_knots_for(x), drawn_y, 1, 0)


def _distance(region, drawn_y: float, dx: float) -> float:
    top, bottom, near, far, _ = region
    return max(top - drawn_y, drawn_y - bottom, 0) + max(near - dx, dx - far, 0)


def mark_place(side: str, x: float | Decimal, y: float | Decimal) -> str:
    """A stored mark's place in words, as the child's body: 'front, child's left forearm'."""
    drawn_x, drawn_y = drawn_point(x, y)
    dx = abs(drawn_x - 50)
    regions = REGIONS[side]
    region = min(regions, key=lambda region: _distance(region, drawn_y, dx))
    # The front outline faces the reader, so its left half is the child's right; the back's is not.
    on_childs_right = (drawn_x < 50) == (side == BodySide.FRONT)
    words = region[4].format(side="child's right" if on_childs_right else "child's left")
    if _distance(region, drawn_y, dx) > 0:
        words = f"outside the outline, near the {words}"
    return f"{side}, {words}"


def frame() -> dict:
    """The frame as the recording page's script needs it (see static/js/body_map.js)."""
    return {
        "trunk_knots": TRUNK_KNOTS,
        "arm_knots": ARM_KNOTS,
        "arm_dx": ARM_DX,
        "chin": CHIN,
        "head_widen": HEAD_WIDEN,
        "cursor": CURSOR_START,
        "regions": REGIONS,
        "sides": BodySide.choices,
    }
