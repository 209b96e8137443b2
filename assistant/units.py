"""Passage units: which sentences of a retrieved passage a plan could use, each as a whole unit.

A unit is what a draft may quote: one sentence that stands alone; a sentence that leans on the one before it,
with that one ("It delivered £1.9m..."); a list item that completes its lead-in, joined to it; a minute's reported
clause without its frame. Everything else comes back with the reason it cannot be used (sentences.PROBLEMS, LEANS),
which the assess stage counts into a gap's reason.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from assistant.draft.injection import is_instruction, strip_injected, without_doc_markers
from assistant.reported_speech import reported_clause
from assistant.sentences import (BOILERPLATE, FRAGMENT, LIST_BULLETS, MINUTES, leans_on_previous, sentence_problem, split_sentences,
                                 strip_numbering, without_form_label)

LEANS = "leans on a sentence not shown"

# "There will be a focus on recruitment ... It recognises the organisation's broader transformation ...": a sentence
# that only says something exists names no thing for the next one's "it" to be (Dacorum's "it" was the People
# Strategy, two sentences back), so the pair would still leave the reader asking what "it" is.
_BARE_IT = re.compile(r"^it\s+(?!is\b|was\b|will\b|would\b|has been\b)[a-z]+s\b", re.IGNORECASE)
_EXISTENTIAL = re.compile(r"^there\s+(?:is|are|was|were|will be|has been|have been|would be)\b", re.IGNORECASE)


# A lead-in ending on a preposition ("... general discussion around:", "... savings from:") leaves each item of its list
# a noun phrase that only completes it: "The income the council earns from its car parks and markets."
_COMPLEMENT_LEAD = re.compile(r"\b(?:about|around|across|at|between|by|concerning|for|from|in|including|into|of|on|over|"
                              r"regarding|such as|through|to|towards|under|with|within)\s*:$", re.IGNORECASE)


# A definition list's entry, set as a list item: a name, a colon, what the named thing is or does ("• Meeting
# Transcriber: Used to summarise meetings ..."). The description has no verb of its own (grammar.has_main_verb): the label
# is its subject. It states what the council has, so it is offered as the document sets it, when every other test
# passes. A register's column label ("Risk: Failure to recruit ...") names no thing: that stays a note.
_DEFINITION_ENTRY = re.compile(r"^(?!(?:Risks?|Causes?|Consequences?|Impacts?|Issues?|Actions?|Notes?|Status|Outcomes?|"
                               r"Owners?|Sources?|Mitigations?|Controls?|Events?)\s*:)"
                               r"[A-Z][\w'\u2019&+.-]*(?:\s+[\w'\u2019&+.-]+){0,4}:\s+[A-Z]")


class Unit(NamedTuple):
    """One sentence of a passage: what a draft could quote of it (`texts`), or None and the `problem` why not."""

    position: int  # the sentence's place in the passage
    texts: list[str] | None
    problem: str | None = None
    # A definition list's entry ("Name: what it does") is drafted as a list item, as the document sets it: as a
    # sentence in a paragraph of prose it reads as a note (Kent's AI tools, session 17).
    list_item: bool = False


def _lead_clause(sentence: str) -> str | None:
    """A lead-in that a list item completes, as a draft can open with it: the minute's clause ("Councillor X advised
    that there had been general discussion around:" -> "There had been general discussion around:"), None for another
    minute, else the lead-in itself (what it makes with an item is checked as a sentence, _item_unit)."""
    as_statement = sentence[:-1].rstrip() + "."
    if sentence_problem(as_statement) not in (MINUTES, BOILERPLATE):
        return sentence
    clause = reported_clause(as_statement)
    return clause[:-1].rstrip() + ":" if clause else None


def _item_unit(lead: str | None, item: str) -> tuple[list[str] | None, str | None]:
    """A list item that completes its lead-in, offered with it as one sentence, or not at all."""
    if lead is None:
        return None, FRAGMENT
    joined = f"{lead} {item}"
    problem = sentence_problem(joined)
    return (None, problem) if problem else ([joined], None)


def passage_units(text: str) -> list[Unit]:
    """Each sentence of a passage as a Unit: what a draft could use, or None and why not.

    A sentence that leans on the one before it ("It delivered £1.9m...") only makes sense after it,
    so it is offered together with that one, or not at all; so is a list item that completes its lead-in
    ("... general discussion around:" then "The income the council earns ..."). Text addressed to a model is not the
    document's statement (draft/injection.py) and is left out first.
    """
    units, previous = [], None
    completes: tuple[str | None] | None = None  # the open list's lead-in, when its items complete it
    for pos, raw in enumerate(split_sentences(strip_injected(text))):
        sentence = without_doc_markers(strip_numbering(raw))
        is_item = raw.lstrip()[:1] in LIST_BULLETS
        if not is_item:
            completes = (_lead_clause(sentence),) if _COMPLEMENT_LEAD.search(sentence) else None
        elif completes is not None:
            problem = sentence_problem(sentence, needs_verb=False)  # its verb is the lead-in's
            unit, problem = (None, problem) if problem else _item_unit(completes[0], sentence)
            units.append(Unit(pos, unit, problem))
            previous = None
            continue
        problem = sentence_problem(sentence)
        if problem in (MINUTES, BOILERPLATE) and (clause := reported_clause(sentence)):
            # What an officer told the meeting, without the minute's frame: "X added that <clause>".
            sentence, problem = clause, sentence_problem(clause)
        elif problem == FRAGMENT and (unlabelled := without_form_label(sentence)):
            sentence, problem = unlabelled, sentence_problem(unlabelled)  # "Purpose: <sentence>"
        elif problem == FRAGMENT and is_item and _DEFINITION_ENTRY.match(sentence):
            problem = sentence_problem(sentence, needs_verb=False)
        problem = problem or ("an instruction" if is_instruction(sentence) else None)
        leans = problem is None and leans_on_previous(sentence)
        if problem:
            units.append(Unit(pos, None, problem))
        elif leans:
            carried = previous and not (_BARE_IT.match(sentence) and _EXISTENTIAL.match(previous))
            units.append(Unit(pos, [previous, sentence]) if carried else Unit(pos, None, LEANS))
        else:
            units.append(Unit(pos, [sentence], list_item=is_item and bool(_DEFINITION_ENTRY.match(sentence))))
        # Only a sentence that stands alone can carry the one that leans on it.
        previous = sentence if problem is None and not leans else None
    return units
