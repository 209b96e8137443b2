"""Junk in a draft: sentences an officer would have to delete before reading on.

This is the eval's own check, written apart from the drafter's sentence filter
(assistant/sentences.py) so that the filter is not marking its own homework: its rules are
deliberately blunt and look only at the drafted text. The filter's quality on real sentences
is measured separately, against hand labels (evals/metrics/sentence_quality.py).

Kinds:
- fragment: does not start like a sentence, does not end like one, or is too short to say anything;
- table row: a run of cells, capitalised labels and figures with hardly a function word;
- dangling opener: the first sentence of its paragraph leans on one before it ("This was ...");
- minute formula: who said what at a meeting ("A Member asked ...", "Mr X confirmed ...");
- boilerplate: statutory or report furniture (equality duty, legal implications, recommendations).
"""

from __future__ import annotations

import re

from assistant.sentences import CITATION_MARKS, ends_a_sentence

_FUNCTION_WORDS = frozenset(
    "a an the of to in on for and or but is are was were be been has have had will would can could should "
    "with by from at as that which this it its their our we they than also not".split())
_DANGLING = re.compile(r"^(this|these|those|that|it|its|they|their|them|such|he|she|his|her|both|the same|the latter|the former)\b", re.I)
# "It was difficult to predict ...", "It is important that ...": the "it" stands for the clause that follows
# (extraposition), not for anything before, so the sentence does not dangle.
_EXTRAPOSED_IT = re.compile(r"^it\s+(?:is|was|will be|would be|has been|had been|remains)\s+(?:\w+ly\s+)?[a-z]+\s+(?:to|that)\b", re.I)
_MINUTES = re.compile(
    r"^(?:(?:a|the|one|another)\s+)?(?:member|members|councillor|councillors|cllr|mr|mrs|ms|miss|dr|officers?|the chair(?:man)?|"
    r"the (?:cabinet )?member|the leader|the director|in response)\b[^.]{0,120}?\b(?:asked|questioned|queried|confirmed|said|"
    r"noted|responded|replied|explained|commented|stated|advised|clarified|welcomed|thanked|raised|highlighted|suggested|"
    r"undertook|agreed)\b", re.I)
_MINUTES_OTHER = re.compile(r"^(?:resolved|it was (?:resolved|agreed|noted|moved|seconded)|the (?:committee|panel|cabinet|council) "
                            r"(?:noted|resolved|agreed|was asked))\b", re.I)
_BOILERPLATE = re.compile(
    r"equality act 2010|public sector equality duty|due regard|equality impact assessment|data protection act|general data "
    r"protection|crime and disorder act|human rights act|legal implications|financial implications|background (?:papers|documents)|"
    r"contact officer|the recommendations? (?:in|of) this report|this report (?:is|was) (?:being )?(?:presented|submitted)|"
    r"members are (?:asked|recommended)|is recommended to", re.I)


def junk_kind(sentence: str, first_in_paragraph: bool) -> str | None:
    """Why a drafted sentence is junk, or None when it reads as a sentence of prose."""
    s = CITATION_MARKS.sub("", sentence).strip()
    words = s.split()
    if len(words) < 5 or not (s[:1].isupper() or s[:1].isdigit() or s[:1] in "£\"'\u201c(") \
            or not ends_a_sentence(s):
        return "fragment"
    alpha = [w for w in words if any(c.isalpha() for c in w)]
    function = sum(w.lower().strip(",.;:()") in _FUNCTION_WORDS for w in words)
    capitalised = sum(w[:1].isupper() for w in alpha)
    numbers = sum(any(c.isdigit() for c in w) for w in words)
    if len(words) >= 8 and function / len(words) < 0.12 and (capitalised / max(1, len(alpha)) > 0.5 or numbers >= 4):
        return "table row"
    if re.search(r"(?:\S+\s+){0,3}(?:\d[\d,.]*%?\s+){4,}", s) and function / len(words) < 0.2:
        return "table row"
    cells = [c.strip(" .") for c in s.split(";")]
    if len(cells) >= 4 and sum(bool(re.fullmatch(r"[£(-]*\d[\d,.]*[%mk)]*", c)) for c in cells) >= 2:
        return "table row"  # a table passage's row, its cells joined by ";" ("Lighting; Highways; 70.7; 50.9")
    if first_in_paragraph and _DANGLING.match(s) and not _EXTRAPOSED_IT.match(s):
        return "dangling opener"
    if _MINUTES.match(s) or _MINUTES_OTHER.match(s):
        return "minute formula"
    if _BOILERPLATE.search(s):
        return "boilerplate"
    return None


def plan_junk(sections) -> list[dict]:
    """Every junk sentence of a plan, with its section, question and kind."""
    found = []
    for section in sections:
        previous_paragraph = None
        for sentence in section.sentences:
            first = sentence.paragraph != previous_paragraph
            previous_paragraph = sentence.paragraph
            kind = junk_kind(sentence.text, first)
            if kind:
                found.append({"theme_id": section.theme_id, "question_id": sentence.question_id, "kind": kind,
                              "sentence": sentence.text})
    return found
