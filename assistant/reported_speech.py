"""Reported speech and resolutions in minutes: the fact a minute records, as a sentence a plan can use.

Minutes state facts in reported speech ("The Head of Finance reported that <clause>") and decisions as resolutions
("That Cabinet supports <...>"). The clause is the source's own words; who said it decides whether it is the
council's position. Used by the assess stage (units.passage_units) on sentences the filter calls minutes.
"""

from __future__ import annotations

import re

# Reported speech in minutes: "The Resourcing Manager added that agency rates were now capped ..." states, in
# its that-clause, what an officer told the meeting about the council. The clause (verbatim, first letter raised)
# can stand in a plan where the minute cannot; a councillor's or member's words are opinion or question, not
# the council's position, so theirs stay minutes.
_SPEECH_FRAME = re.compile(
    r"^(?:(?:responding|in response|concluding|in addition|further(?:more)?|additionally),\s+)?"
    r"(?P<speaker>(?:(?:The|A|An)\s+)?(?:[A-Z][\w'\u2019&.-]*\s+(?:(?:of|for|and|&)\s+)?){1,6}?)"
    r"(?:[^,.;:]{0,80}?\s+and\s+)?(?:also\s+|further\s+|then\s+)?"
    r"(?:added|advised|informed|assured|reported|explained|confirmed|stated|noted|highlighted|clarified|responded|replied|"
    r"pointed out|commented|emphasi[sz]ed|said|says)"
    r"(?:\s+(?:the\s+)?(?:committee|members|panel|board|cabinet|council|meeting))?\s*,?\s+that\s+(?P<clause>\S.+)$",
    re.IGNORECASE)
# The impersonal minute: "It was confirmed that; the county's funding allocation came in above forecast ...".
# Only verbs that report a fact: "It was suggested/felt/queried that ..." is a view or a question and stays minutes.
_IMPERSONAL_FRAME = re.compile(
    r"^it\s+was\s+(?:also\s+|further\s+)?(?:confirmed|reported|explained|noted|advised|highlighted|clarified|stated)"
    r"(?:\s+(?:to|by)\s+(?:the\s+)?(?:committee|members|panel|board|cabinet|council|meeting|officers?))?"
    r"\s+that\s*[;:,]?\s+(?P<clause>\S.+)$", re.IGNORECASE)
# A resolution as minutes record it: "That Cabinet supports the plans for the Depot Relocation project ..." is
# the council's decision once the "That" is gone. Only a decision in the indicative ("supports",
# "approved"): "That Cabinet approve ..." and "That the comments be noted" are recommendations, not facts.
_RESOLUTION_FRAME = re.compile(
    r"^that\s+(?P<clause>(?:the\s+)?(?:full\s+)?(?:cabinet|council|committee|executive|panel|board)\s+"
    r"(?:supports|supported|approves|approved|agrees|agreed|endorses|endorsed|adopts|adopted|recommends|recommended|"
    r"allocates|allocated|authorises|authorised|commits|committed)\s+\S.+)$", re.IGNORECASE)
# "He noted that ...": the speaker is whoever the minute named last, often a councillor asking a question. ("We" is
# the council speaking for itself.)
_PRONOUN_SPEAKERS = frozenset({"he", "she", "they"})
_QUESTION_IN_CLAUSE = re.compile(r"\b(?:asked|queried|questioned|wondered) (?:if|whether|about|how|why|what|when)\b", re.IGNORECASE)
_NOT_FOR_THE_COUNCIL = re.compile(r"\b(?:(?<!cabinet )(?<!executive )(?<!lead )members?|councillors?|cllr|mr|mrs|ms|miss|"
                                  r"residents?|public|questioner)\b", re.IGNORECASE)

# What a meeting discussed is a fact whoever reports it: "Councillor Ahmed, as Chair of the committee, advised that
# there had been a lively debate about: ..." (a councillor's own view, "that the target was too high", is not).
_DISCUSSION_HELD = re.compile(r"there\s+(?:had\s+been|has\s+been|was|were)\s+(?:\w+\s+){0,2}?(?:discussions?|debate)\s+"
                              r"(?:around|about|on|of|regarding|concerning)\b", re.IGNORECASE)


def reported_clause(sentence: str) -> str | None:
    """The that-clause of an officer's reported speech or of a resolution in minutes, as a sentence; None when it is
    not one."""
    sentence = sentence.strip()
    m = _IMPERSONAL_FRAME.match(sentence) or _RESOLUTION_FRAME.match(sentence)
    if not m:
        m = _SPEECH_FRAME.match(sentence)
        if not m or not m.group("speaker").strip()[:1].isupper() or m.group("speaker").strip().lower() in _PRONOUN_SPEAKERS:
            return None
        if _NOT_FOR_THE_COUNCIL.search(m.group("speaker")) and not _DISCUSSION_HELD.match(m.group("clause")):
            return None
    clause = m.group("clause")
    if _QUESTION_IN_CLAUSE.search(clause):
        return None  # "... that <a fact> and asked if <something>": a councillor's question, not a fact
    return clause[0].upper() + clause[1:]
