"""Gentle advice on recording language: opinion, assumption, labels and initials.

Advice only, never a block: the person recording decides. The same rules run in the browser
(they are sent to the page as JSON) so advice appears as the person types.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Advice:
    kind: str
    pattern: str
    message: str


ADVICE_RULES = (
    Advice(
        "opinion",
        r"\b(I think|I believe|I feel|in my opinion|probably|obviously|clearly|seems? to be|must have|"
        r"I assume|I guess|apparently)\b",
        "This reads as opinion or assumption. Record what you saw and heard; say who told you anything else.",
    ),
    Advice(
        "label",
        r"\b(attention[- ]seeking|manipulative|lying|liar|naughty|troubled|dramatic|exaggerating|"
        r"making it up|drama queen)\b",
        "This is a judgement about the child. Describe the behaviour itself, in plain words.",
    ),
    Advice(
        "diagnosis",
        r"\b(ADHD|ASD|autistic|autism|bipolar|OCD|depressed|depression|anorexic|dyslexic|PTSD)\b",
        "This is a diagnostic label. Record it only if it is a known diagnosis, and say who made it.",
    ),
    Advice(
        "initials",
        r"\b[A-Z]\.\s?[A-Z]\.?(?=[\s,;:)]|$)",
        "Initials can be ambiguous later. Write people's full names.",
    ),
)

_COMPILED = [(rule, re.compile(rule.pattern, re.IGNORECASE if rule.kind != "initials" else 0)) for rule in ADVICE_RULES]


def advice_for(text: str) -> list[dict]:
    """Each piece of advice that applies to the text, with the words that prompted it."""
    found = []
    for rule, regex in _COMPILED:
        matches = sorted({match.group(0) for match in regex.finditer(text or "")})
        if matches:
            found.append({"kind": rule.kind, "message": rule.message, "matches": matches})
    return found


def rules_for_browser() -> list[dict]:
    return [
        {
            "kind": rule.kind,
            "pattern": rule.pattern,
            "flags": "gi" if rule.kind != "initials" else "g",
            "message": rule.message,
        }
        for rule in ADVICE_RULES
    ]
