"""The review deadline and escalation clock (DESIGN.md section 3), as tables a DSL could check by hand.

Every moment is written as London's clocks show it, with the zone in force ("BST" or "GMT"), so the
hour that the autumn change repeats can be told apart. A typo in a weekday or a zone fails the test.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from accounts.models import Site
from concerns.deadlines import LONDON, WorkingHours, add_working_time, review_deadline

MON_TO_FRI = frozenset(range(5))

DEFAULT = WorkingHours(
    working_days=MON_TO_FRI,
    day_starts=time(8, 0),
    day_ends=time(17, 0),
    review_cutoff=time(15, 0),
    site_holidays=frozenset(),
)
HALF_TERM = frozenset(date(2026, 10, 26) + timedelta(days=n) for n in range(5))  # Mon 26 – Fri 30 Oct 2026
WITH_HALF_TERM = replace(DEFAULT, site_holidays=HALF_TERM)
SATURDAYS_TOO = replace(DEFAULT, working_days=frozenset(range(6)))
STARTS_LATE = replace(DEFAULT, day_starts=time(10, 30))
ENDS_EARLY = replace(DEFAULT, day_starts=time(6, 0), day_ends=time(9, 30))
CUTOFF_AFTER_DAY_ENDS = replace(DEFAULT, review_cutoff=time(18, 0))


def london(text: str) -> datetime:
    """The moment London's clocks show as `text`, e.g. "Sun 25 Oct 2026 01:50 GMT"."""
    wall, zone = text.rsplit(" ", 1)
    naive = datetime.strptime(wall, "%a %d %b %Y %H:%M:%S" if wall.count(":") == 2 else "%a %d %b %Y %H:%M")
    for fold in (0, 1):
        moment = naive.replace(tzinfo=LONDON, fold=fold)
        if moment.tzname() == zone and shown(moment) == text:
            return moment
    raise ValueError(f"London's clocks never show {text!r}")


def shown(moment: datetime) -> str:
    # Through UTC: astimezone() to a datetime's own zone returns it unchanged, even a wall time that never happened.
    local = moment.astimezone(UTC).astimezone(LONDON)
    return local.strftime("%a %d %b %Y %H:%M:%S %Z" if local.second else "%a %d %b %Y %H:%M %Z")


@pytest.mark.parametrize(
    ("hours", "submitted", "due"),
    [
        # An ordinary week, Monday 19 to Friday 23 October 2026.
        (DEFAULT, "Mon 19 Oct 2026 09:00 BST", "Mon 19 Oct 2026 17:00 BST"),
        (DEFAULT, "Mon 19 Oct 2026 14:59:59 BST", "Mon 19 Oct 2026 17:00 BST"),
        (DEFAULT, "Mon 19 Oct 2026 15:00 BST", "Tue 20 Oct 2026 10:00 BST"),
        (DEFAULT, "Mon 19 Oct 2026 15:00:01 BST", "Tue 20 Oct 2026 10:00 BST"),
        (DEFAULT, "Mon 19 Oct 2026 17:30 BST", "Tue 20 Oct 2026 10:00 BST"),
        (DEFAULT, "Mon 19 Oct 2026 23:59 BST", "Tue 20 Oct 2026 10:00 BST"),
        (DEFAULT, "Mon 19 Oct 2026 03:00 BST", "Mon 19 Oct 2026 17:00 BST"),
        (DEFAULT, "Mon 19 Oct 2026 07:59 BST", "Mon 19 Oct 2026 17:00 BST"),
        (DEFAULT, "Fri 16 Oct 2026 14:00 BST", "Fri 16 Oct 2026 17:00 BST"),
        (DEFAULT, "Fri 16 Oct 2026 15:00 BST", "Mon 19 Oct 2026 10:00 BST"),
        (DEFAULT, "Fri 16 Oct 2026 22:00 BST", "Mon 19 Oct 2026 10:00 BST"),
        (DEFAULT, "Sat 17 Oct 2026 09:00 BST", "Mon 19 Oct 2026 10:00 BST"),
        (DEFAULT, "Sun 18 Oct 2026 11:00 BST", "Mon 19 Oct 2026 10:00 BST"),
        (DEFAULT, "Sun 18 Oct 2026 23:59 BST", "Mon 19 Oct 2026 10:00 BST"),
        (DEFAULT, "Mon 09 Nov 2026 14:00 GMT", "Mon 09 Nov 2026 17:00 GMT"),
        # England's bank holidays, substitute days included.
        (DEFAULT, "Fri 22 May 2026 16:00 BST", "Tue 26 May 2026 10:00 BST"),  # Spring bank holiday Mon 25
        (DEFAULT, "Thu 24 Dec 2026 16:00 GMT", "Tue 29 Dec 2026 10:00 GMT"),
        (DEFAULT, "Fri 25 Dec 2026 09:00 GMT", "Tue 29 Dec 2026 10:00 GMT"),  # Christmas Day
        (DEFAULT, "Mon 28 Dec 2026 09:00 GMT", "Tue 29 Dec 2026 10:00 GMT"),  # Boxing Day, substitute
        (DEFAULT, "Thu 31 Dec 2026 16:00 GMT", "Mon 04 Jan 2027 10:00 GMT"),  # New Year's Day Fri 1 Jan
        (DEFAULT, "Fri 26 Mar 2027 09:00 GMT", "Tue 30 Mar 2027 10:00 BST"),  # Good Friday
        (DEFAULT, "Mon 29 Mar 2027 09:00 BST", "Tue 30 Mar 2027 10:00 BST"),  # Easter Monday
        (DEFAULT, "Fri 30 Apr 2027 15:30 BST", "Tue 04 May 2027 10:00 BST"),  # Early May bank holiday Mon 3
        (DEFAULT, "Mon 03 May 2027 08:30 BST", "Tue 04 May 2027 10:00 BST"),
        (DEFAULT, "Fri 24 Dec 2027 15:00 GMT", "Wed 29 Dec 2027 10:00 GMT"),  # both substitutes, Mon and Tue
        # The site's own term holidays.
        (WITH_HALF_TERM, "Fri 23 Oct 2026 16:00 BST", "Mon 02 Nov 2026 10:00 GMT"),
        (WITH_HALF_TERM, "Wed 28 Oct 2026 09:00 GMT", "Mon 02 Nov 2026 10:00 GMT"),
        (WITH_HALF_TERM, "Fri 23 Oct 2026 14:00 BST", "Fri 23 Oct 2026 17:00 BST"),
        # A site that works on Saturdays; Boxing Day 2026 is a Saturday and still a bank holiday.
        (SATURDAYS_TOO, "Fri 16 Oct 2026 16:00 BST", "Sat 17 Oct 2026 10:00 BST"),
        (SATURDAYS_TOO, "Sat 17 Oct 2026 09:00 BST", "Sat 17 Oct 2026 17:00 BST"),
        (SATURDAYS_TOO, "Sat 17 Oct 2026 15:00 BST", "Mon 19 Oct 2026 10:00 BST"),
        (SATURDAYS_TOO, "Sat 26 Dec 2026 09:00 GMT", "Tue 29 Dec 2026 10:00 GMT"),
        # Spring change, Sun 28 Mar 2027 01:00 GMT → 02:00 BST, in the Easter weekend.
        (DEFAULT, "Thu 25 Mar 2027 14:00 GMT", "Thu 25 Mar 2027 17:00 GMT"),
        (DEFAULT, "Thu 25 Mar 2027 16:00 GMT", "Tue 30 Mar 2027 10:00 BST"),
        (DEFAULT, "Sat 27 Mar 2027 12:00 GMT", "Tue 30 Mar 2027 10:00 BST"),
        (DEFAULT, "Sun 28 Mar 2027 00:50 GMT", "Tue 30 Mar 2027 10:00 BST"),
        (DEFAULT, "Sun 28 Mar 2027 02:10 BST", "Tue 30 Mar 2027 10:00 BST"),
        # Autumn change, Sun 25 Oct 2026 02:00 BST → 01:00 GMT: the hour from 01:00 is lived twice.
        (DEFAULT, "Fri 23 Oct 2026 16:00 BST", "Mon 26 Oct 2026 10:00 GMT"),
        (DEFAULT, "Sat 24 Oct 2026 16:00 BST", "Mon 26 Oct 2026 10:00 GMT"),
        (DEFAULT, "Sun 25 Oct 2026 01:30 BST", "Mon 26 Oct 2026 10:00 GMT"),
        (DEFAULT, "Sun 25 Oct 2026 01:30 GMT", "Mon 26 Oct 2026 10:00 GMT"),
        (DEFAULT, "Mon 26 Oct 2026 11:00 GMT", "Mon 26 Oct 2026 17:00 GMT"),
        # The day starts after 10:00, or ends before it.
        (STARTS_LATE, "Mon 19 Oct 2026 16:00 BST", "Tue 20 Oct 2026 10:30 BST"),
        (STARTS_LATE, "Mon 19 Oct 2026 09:00 BST", "Mon 19 Oct 2026 17:00 BST"),
        (STARTS_LATE, "Sat 17 Oct 2026 09:00 BST", "Mon 19 Oct 2026 10:30 BST"),
        (ENDS_EARLY, "Mon 19 Oct 2026 09:00 BST", "Mon 19 Oct 2026 09:30 BST"),
        (ENDS_EARLY, "Mon 19 Oct 2026 09:45 BST", "Tue 20 Oct 2026 09:30 BST"),
        # A cut-off after the day ends is the end of the day: no deadline before its concern.
        (CUTOFF_AFTER_DAY_ENDS, "Mon 19 Oct 2026 16:59 BST", "Mon 19 Oct 2026 17:00 BST"),
        (CUTOFF_AFTER_DAY_ENDS, "Mon 19 Oct 2026 17:00 BST", "Tue 20 Oct 2026 10:00 BST"),
        (CUTOFF_AFTER_DAY_ENDS, "Mon 19 Oct 2026 17:30 BST", "Tue 20 Oct 2026 10:00 BST"),
    ],
)
def test_review_deadline(hours: WorkingHours, submitted: str, due: str) -> None:
    assert shown(review_deadline(london(submitted), immediate_danger=False, hours=hours)) == due


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        ("Mon 19 Oct 2026 10:00 BST", "Mon 19 Oct 2026 10:15 BST"),
        ("Mon 19 Oct 2026 16:50 BST", "Mon 19 Oct 2026 17:05 BST"),
        ("Sat 17 Oct 2026 23:10 BST", "Sat 17 Oct 2026 23:25 BST"),
        ("Sun 18 Oct 2026 23:55 BST", "Mon 19 Oct 2026 00:10 BST"),
        ("Fri 25 Dec 2026 03:00 GMT", "Fri 25 Dec 2026 03:15 GMT"),
        # Spring: from 00:50 GMT the clocks jump past 01:00–02:00, which London never shows.
        ("Sat 27 Mar 2027 23:50 GMT", "Sun 28 Mar 2027 00:05 GMT"),
        ("Sun 28 Mar 2027 00:50 GMT", "Sun 28 Mar 2027 02:05 BST"),
        ("Sun 28 Mar 2027 02:50 BST", "Sun 28 Mar 2027 03:05 BST"),
        # Autumn: 01:50 comes twice; each is due 15 real minutes later.
        ("Sun 25 Oct 2026 00:50 BST", "Sun 25 Oct 2026 01:05 BST"),
        ("Sun 25 Oct 2026 01:50 BST", "Sun 25 Oct 2026 01:05 GMT"),
        ("Sun 25 Oct 2026 01:50 GMT", "Sun 25 Oct 2026 02:05 GMT"),
    ],
)
def test_immediate_danger_is_due_fifteen_real_minutes_later(submitted: str, due: str) -> None:
    submitted_at = london(submitted)
    deadline = review_deadline(submitted_at, immediate_danger=True, hours=DEFAULT)
    assert shown(deadline) == due
    assert deadline - submitted_at == timedelta(minutes=15)


@pytest.mark.parametrize(
    ("submitted", "real_time_to_review"),
    [
        ("Fri 23 Oct 2026 16:00 BST", timedelta(hours=67)),  # 66 hours on the clock, plus the repeated hour
        ("Thu 25 Mar 2027 16:00 GMT", timedelta(days=4, hours=17)),  # 4 days 18 hours on the clock, less one
    ],
)
def test_deadline_across_a_clock_change_is_real_elapsed_time(submitted: str, real_time_to_review: timedelta) -> None:
    submitted_at = london(submitted)
    deadline = review_deadline(submitted_at, immediate_danger=False, hours=DEFAULT)
    assert deadline - submitted_at == real_time_to_review


@pytest.mark.parametrize("immediate_danger", [False, True])
def test_deadline_is_in_utc(immediate_danger: bool) -> None:
    deadline = review_deadline(london("Sun 25 Oct 2026 01:50 BST"), immediate_danger=immediate_danger, hours=DEFAULT)
    assert deadline.tzinfo is UTC


def test_deadline_is_the_same_whatever_zone_the_submission_is_given_in() -> None:
    in_utc = datetime(2026, 10, 25, 0, 50, tzinfo=UTC)  # 01:50 BST, the first of the two
    assert shown(review_deadline(in_utc, immediate_danger=True, hours=DEFAULT)) == "Sun 25 Oct 2026 01:05 GMT"
    assert shown(review_deadline(in_utc, immediate_danger=False, hours=DEFAULT)) == "Mon 26 Oct 2026 10:00 GMT"


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 24), True),
        (date(2026, 12, 25), False),  # Christmas Day
        (date(2026, 12, 28), False),  # Boxing Day (Sat 26), substitute
        (date(2026, 12, 29), True),
        (date(2027, 1, 1), False),  # New Year's Day
        (date(2027, 3, 26), False),  # Good Friday
        (date(2027, 3, 29), False),  # Easter Monday
        (date(2027, 5, 3), False),  # Early May bank holiday
        (date(2027, 5, 31), False),  # Spring bank holiday
        (date(2027, 8, 30), False),  # Summer bank holiday
        (date(2027, 12, 27), False),  # Christmas Day (Sat 25), substitute
        (date(2027, 12, 28), False),  # Boxing Day (Sun 26), substitute
        (date(2027, 12, 29), True),
        (date(2026, 10, 24), False),  # a Saturday
        (date(2026, 10, 26), True),
    ],
)
def test_england_bank_holidays_are_not_working_days(day: date, working: bool) -> None:
    assert DEFAULT.is_working_day(day) is working


@pytest.mark.parametrize(
    ("hours", "moment", "amount", "expected"),
    [
        (DEFAULT, "Fri 16 Oct 2026 17:00 BST", timedelta(hours=1), "Mon 19 Oct 2026 09:00 BST"),
        (DEFAULT, "Fri 22 May 2026 17:00 BST", timedelta(hours=1), "Tue 26 May 2026 09:00 BST"),  # bank holiday
        (DEFAULT, "Mon 19 Oct 2026 16:30 BST", timedelta(hours=1), "Tue 20 Oct 2026 08:30 BST"),
        (DEFAULT, "Mon 19 Oct 2026 10:00 BST", timedelta(hours=1), "Mon 19 Oct 2026 11:00 BST"),
        (DEFAULT, "Mon 19 Oct 2026 16:00 BST", timedelta(hours=1), "Mon 19 Oct 2026 17:00 BST"),
        (DEFAULT, "Mon 19 Oct 2026 03:00 BST", timedelta(hours=1), "Mon 19 Oct 2026 09:00 BST"),
        (DEFAULT, "Mon 19 Oct 2026 10:00 BST", timedelta(hours=10), "Tue 20 Oct 2026 11:00 BST"),
        (DEFAULT, "Mon 19 Oct 2026 10:00 BST", timedelta(0), "Mon 19 Oct 2026 10:00 BST"),
        # Immediate-danger deadlines at night or at the weekend escalate an hour into the next working day.
        (DEFAULT, "Sat 17 Oct 2026 23:10 BST", timedelta(hours=1), "Mon 19 Oct 2026 09:00 BST"),
        (DEFAULT, "Sun 25 Oct 2026 01:05 GMT", timedelta(hours=1), "Mon 26 Oct 2026 09:00 GMT"),
        # Across the clock changes and the Christmas and Easter holidays.
        (DEFAULT, "Fri 23 Oct 2026 16:30 BST", timedelta(hours=1), "Mon 26 Oct 2026 08:30 GMT"),
        (DEFAULT, "Thu 25 Mar 2027 17:00 GMT", timedelta(hours=1), "Tue 30 Mar 2027 09:00 BST"),
        (DEFAULT, "Thu 24 Dec 2026 17:00 GMT", timedelta(hours=1), "Tue 29 Dec 2026 09:00 GMT"),
        (WITH_HALF_TERM, "Fri 23 Oct 2026 17:00 BST", timedelta(hours=1), "Mon 02 Nov 2026 09:00 GMT"),
        (STARTS_LATE, "Fri 16 Oct 2026 17:00 BST", timedelta(hours=1), "Mon 19 Oct 2026 11:30 BST"),
    ],
)
def test_add_working_time(hours: WorkingHours, moment: str, amount: timedelta, expected: str) -> None:
    assert shown(add_working_time(london(moment), amount, hours)) == expected


@pytest.mark.parametrize(
    ("submitted", "level_two"),
    [
        ("Fri 16 Oct 2026 14:00 BST", "Mon 19 Oct 2026 09:00 BST"),  # due Fri 17:00
        ("Fri 16 Oct 2026 16:00 BST", "Mon 19 Oct 2026 11:00 BST"),  # due Mon 10:00
    ],
)
def test_level_two_escalation_is_one_working_hour_after_the_deadline(submitted: str, level_two: str) -> None:
    deadline = review_deadline(london(submitted), immediate_danger=False, hours=DEFAULT)
    assert shown(add_working_time(deadline, timedelta(hours=1), DEFAULT)) == level_two


NEVER_WORKS = replace(DEFAULT, working_days=frozenset())
ALWAYS_ON_HOLIDAY = replace(DEFAULT, site_holidays=frozenset(date(2026, 1, 1) + timedelta(days=n) for n in range(800)))


@pytest.mark.parametrize("hours", [NEVER_WORKS, ALWAYS_ON_HOLIDAY], ids=["no working days", "every day a holiday"])
def test_a_site_that_never_works_is_an_error_not_a_hang(hours: WorkingHours) -> None:
    submitted_at = london("Mon 19 Oct 2026 09:00 BST")
    with pytest.raises(ValueError, match="No working day in the 400 days after"):
        review_deadline(submitted_at, immediate_danger=False, hours=hours)
    with pytest.raises(ValueError, match="No working day in the 400 days after"):
        add_working_time(submitted_at, timedelta(hours=1), hours)
    # Immediate danger is due in 15 minutes whatever the site's calendar says.
    assert shown(review_deadline(submitted_at, immediate_danger=True, hours=hours)) == "Mon 19 Oct 2026 09:15 BST"


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 10, 19, 9, 0)
    with pytest.raises(ValueError, match="submitted_at must be timezone-aware"):
        review_deadline(naive, immediate_danger=False, hours=DEFAULT)
    with pytest.raises(ValueError, match="submitted_at must be timezone-aware"):
        review_deadline(naive, immediate_danger=True, hours=DEFAULT)
    with pytest.raises(ValueError, match="moment must be timezone-aware"):
        add_working_time(naive, timedelta(hours=1), DEFAULT)


def test_negative_working_time_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_time(london("Mon 19 Oct 2026 09:00 BST"), timedelta(hours=-1), DEFAULT)


@pytest.mark.parametrize(
    "changes",
    [
        {"day_starts": time(17, 0)},
        {"day_starts": time(18, 0)},
        {"working_days": frozenset({0, 7})},
    ],
)
def test_impossible_working_hours_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        replace(DEFAULT, **changes)


def test_working_hours_of_a_site() -> None:
    site = Site(
        name="Oakfield",
        code="oak",
        working_days=[0, 1, 2, 3, 4, 5],
        day_starts=time(8, 30),
        day_ends=time(16, 0),
        review_cutoff=time(14, 0),
        holidays=["2026-10-26", "2026-10-27"],
    )
    assert WorkingHours.of(site) == WorkingHours(
        working_days=frozenset({0, 1, 2, 3, 4, 5}),
        day_starts=time(8, 30),
        day_ends=time(16, 0),
        review_cutoff=time(14, 0),
        site_holidays=frozenset({date(2026, 10, 26), date(2026, 10, 27)}),
    )


def test_working_hours_of_a_site_with_the_defaults() -> None:
    assert WorkingHours.of(Site(name="Birchwood", code="birch")) == DEFAULT


@pytest.mark.parametrize("holiday", ["2026-13-01", "26/10/2026", "2026-1-5", "20261026", "", 20261026, None])
def test_a_malformed_site_holiday_is_an_error(holiday: object) -> None:
    site = Site(name="Oakfield", code="oak", holidays=["2026-10-26", holiday])
    with pytest.raises(ValueError, match=r"Site Oakfield: holiday .* is not a date in the form YYYY-MM-DD"):
        WorkingHours.of(site)
