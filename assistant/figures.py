"""Figures in text, in a canonical form, so the verifier can tell that "£640,000" in a draft is the "£640,000" of
its source and that "£1.9 million" is "1.9m" (used by verification and the evals' figure checks)."""

from __future__ import annotations

import re

from assistant.sentences import CITATION_MARKS

# Figures a reader would check: money, percentages, dates, years, counts.
NUMBER = re.compile(r"£?\d[\d,]*(?:\.\d+)?(?:\s?(?:%|per\s?cent|bn|billion|m\b|million|k\b))?", re.IGNORECASE)


def figures(text: str) -> set[str]:
    """The figures in a text, in a canonical form: '£1.9 million' -> '1.9m', '13.5 per cent' -> '13.5%'.

    Canonical forms let the verifier see that '£640,000' in a draft is the '£640,000' of its source.
    Citation markers like [3] are not figures.
    """
    text = CITATION_MARKS.sub(" ", text)
    found: set[str] = set()
    for match in NUMBER.finditer(text):
        raw = match.group(0).lower().replace(" ", "")
        number = re.match(r"£?([\d,]*\d(?:\.\d+)?)", raw)
        if not number:
            continue
        value = number.group(1).replace(",", "")
        unit = raw[number.end():]
        if unit.startswith(("%", "percent")):
            value += "%"
        elif unit.startswith(("m", "million")):
            value += "m"
        elif unit.startswith(("bn", "billion")):
            value += "bn"
        elif unit.startswith("k"):
            value += "k"
        found.add(value)
    return found


def money_equivalents(value: str) -> set[str]:
    """'1.9m' is also '1900000' and '1,900k': all forms the same sum can take in a source."""
    forms = {value}
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(m|bn|k)?", value)
    if match:
        amount = float(match.group(1)) * {"m": 1e6, "bn": 1e9, "k": 1e3, None: 1}[match.group(2)]
        if amount >= 1000 and amount == int(amount):
            forms.add(str(int(amount)))
            if amount % 1e6 == 0 or (amount / 1e6) * 10 == int((amount / 1e6) * 10):
                forms.add(f"{amount / 1e6:g}m")
            if amount % 1e3 == 0:
                forms.add(f"{amount / 1e3:g}k")
    return forms
