"""Sentences: splitting text, telling a draftable sentence from report furniture, finding figures.

Shared by the offline drafter (which picks sentences), the verifier (which
checks them) and the evals (which count them).
"""

from __future__ import annotations

import re
from functools import lru_cache

_PARA_NUMBER = re.compile(r"^\s*(?:\(?\d{1,2}(?:\.\d{1,2}){0,3}\)?\.?|[\u2022\u25cf\u25aa\-\*\u00b7]|\(?[a-z]\))\s+(?=\S)")
_CLOSERS = "\"'\u201d\u2019)"
_EMAIL_URL_PHONE = re.compile(r"@|https?://|www\.|\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b|\[click here", re.IGNORECASE)
_BOILERPLATE = re.compile(
    r"^(present|apologies|also in attendance|officers|resolved|ordered|recommendations?|contact officer|background papers|"
    r"report of|report to|date of meeting|agenda|item \d|the meeting (closed|ended)|chair\b|minutes of|key decision|"
    r"portfolio holder|lead officer|author|owner|approved by|agreed by|that cabinet|that council|cabinet is asked|"
    r"this report|the purpose of this report|purpose of (the )?report|in writing this report|appendix|ref\b|declarations? of interest)",
    re.IGNORECASE,
)
# Figures a reader would check: money, percentages, dates, years, counts.
_NUMBER = re.compile(r"£?\d[\d,]*(?:\.\d+)?(?:\s?(?:%|per\s?cent|bn|billion|m\b|million|k\b))?", re.IGNORECASE)


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage, paragraph by paragraph, whitespace normalised."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        para = " ".join(para.split())
        if not para:
            continue
        out.extend(s.strip() for s in _segmenter().segment(para) if s.strip())
    return out


def strip_numbering(sentence: str) -> str:
    """'2.1 Phase one ran...' -> 'Phase one ran...': report paragraph numbers are not prose."""
    return _PARA_NUMBER.sub("", _PARA_NUMBER.sub("", sentence, count=1), count=1).strip()  # "- 2.4 Text"


# Why a sentence cannot stand in a draft (sentence_problem's answers).
FRAGMENT = "fragment"
TABLE_ROW = "table row"
HEADING = "heading"
DANGLING = "dangling opener"
MINUTES = "minute formula"
BOILERPLATE = "boilerplate"
CONTACT = "contact details"
PROBLEMS = (FRAGMENT, TABLE_ROW, HEADING, DANGLING, MINUTES, BOILERPLATE, CONTACT)


def sentence_problem(sentence: str) -> str | None:
    """Why this sentence could not stand alone in a plan (one of PROBLEMS), or None when it can."""
    s = sentence.strip()
    words = s.split()
    if not 6 <= len(words) <= 70:
        return FRAGMENT
    if not (s[0].isupper() or s[0].isdigit() or s[0] == "\u00a3"):
        return FRAGMENT
    if not s.rstrip(_CLOSERS).endswith((".", "!")):
        return HEADING if len(words) <= 12 else FRAGMENT
    if " | " in s or "\t" in s:
        return TABLE_ROW
    if _EMAIL_URL_PHONE.search(s):
        return CONTACT
    if _BOILERPLATE.match(s):
        return BOILERPLATE
    letters = [c for c in s if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) / len(letters) > 0.4:
        return TABLE_ROW
    if s.count("(") != s.count(")") or s.count("\u201c") != s.count("\u201d"):
        return FRAGMENT
    return None


# A sentence opening with one of these leans on the one before it ("It delivered £1.9m...").
_ANAPHORA = re.compile(r"^(?:this|it|its|they|their|these|those|such|he|she|the same|both)\b(?!\s+(?:year|month|week|quarter|financial year)\b)",
                       re.IGNORECASE)


def leans_on_previous(sentence: str) -> bool:
    """Whether the sentence opens on a reference to text before it ("This was lower than forecast...")."""
    return bool(_ANAPHORA.match(sentence.strip()))


def standalone_problem(sentence: str) -> str | None:
    """Why the sentence could not stand alone in a plan, a dangling opener included."""
    return sentence_problem(sentence) or (DANGLING if leans_on_previous(sentence) else None)


def is_draftable(sentence: str) -> bool:
    """A whole sentence of prose an officer could keep: not a fragment, table row, heading or minute boilerplate."""
    return sentence_problem(sentence) is None


def normalise(text: str) -> str:
    """For comparing sentences: lower case, single spaces, no citation markers."""
    text = re.sub(r"\s*\[\d+(?:\s*,\s*\d+)*\]", "", text)
    return " ".join(text.lower().split())


def figures(text: str) -> set[str]:
    """The figures in a text, in a canonical form: '£1.9 million' -> '1.9m', '13.5 per cent' -> '13.5%'.

    Canonical forms let the verifier see that '£640,000' in a draft is the '£640,000' of its source.
    Citation markers like [3] are not figures.
    """
    text = re.sub(r"\[\d+(?:\s*,\s*\d+)*\]", " ", text)
    found: set[str] = set()
    for match in _NUMBER.finditer(text):
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
