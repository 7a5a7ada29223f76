"""Recording-language advice: gentle flags on opinion, labels, diagnoses and initials."""

import re

import pytest

from concerns.language import advice_for, rules_for_browser


@pytest.mark.parametrize(
    "text, kind, words",
    [
        ("I think she was upset.", "opinion", ["I think"]),
        ("He was obviously hungry.", "opinion", ["obviously"]),
        ("Typical attention seeking at lunch.", "label", ["attention seeking"]),
        ("He has ADHD so he ran off.", "diagnosis", ["ADHD"]),
        ("J.B. pushed him.", "initials", ["J.B."]),
        ("Told by K. L., the lunchtime supervisor.", "initials", ["K. L."]),
    ],
)
def test_advice_names_the_words_that_prompted_it(text, kind, words):
    advice = {item["kind"]: item for item in advice_for(text)}
    assert kind in advice
    assert advice[kind]["matches"] == words


def test_factual_text_gets_no_advice():
    text = "At 10:15 Ada said “my arm hurts”. I saw a 3 cm bruise on her left forearm. Told Lee Lead at 10:30."
    assert advice_for(text) == []


def test_the_browser_gets_the_same_rules():
    rules = rules_for_browser()
    assert {rule["kind"] for rule in rules} == {"opinion", "label", "diagnosis", "initials"}
    for rule in rules:
        re.compile(rule["pattern"])  # the same syntax works in both engines for these patterns
        assert set(rule["flags"]) <= {"g", "i"}
