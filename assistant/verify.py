"""Verify stage: every sentence against the passages it cites.

- citations to evidence that does not exist are dropped;
- a support score (0..1) per sentence: how much of its wording its cited passages hold,
  averaged with embedding similarity when an embedder is given;
- number fidelity: every figure in a sentence must appear in one of its cited passages.

In strict mode (the default) a sentence whose figures are not in its sources,
or whose sources hardly support it, is replaced by the closest sentence of the
cited passage itself, or removed when there is none; a question or an uncited
sentence is removed. Each change is written to `section.notes` so a reviewer sees it.
"""

from __future__ import annotations

from assistant.records import Section, Sentence
from assistant.retrieve import tokenize
from assistant.sentences import figures, is_draftable, money_equivalents, split_sentences, strip_numbering

WEAK_SUPPORT = 0.5

FLAG_NO_CITATION = "no citation"
FLAG_WEAK = "weak support"
FLAG_NUMBER = "number not in source"
FLAG_QUESTION = "a question, not a statement"
# In strict mode these leave the draft: a plan's sentences are cited statements.
_REMOVED_WHEN_STRICT = {FLAG_NO_CITATION, FLAG_QUESTION}


def support_score(sentence: str, passages: str) -> float:
    """Share of the sentence's content words found in its cited passages."""
    words = set(tokenize(sentence))
    if not words:
        return 1.0
    return len(words & set(tokenize(passages))) / len(words)


def unsupported_figures(sentence: str, passages: str) -> list[str]:
    """Figures in the sentence that no cited passage holds, in any equivalent form."""
    available: set[str] = set()
    for value in figures(passages):
        available |= money_equivalents(value)
    return sorted(v for v in figures(sentence) if not (money_equivalents(v) & available))


def check_sentence(sentence: Sentence, section: Section, embedder=None) -> Sentence:
    evidence = section.evidence_by_number()
    valid = [n for n in dict.fromkeys(sentence.citations) if n in evidence]
    for bad in (n for n in sentence.citations if n not in evidence):
        section.notes.append(f"dropped citation [{bad}]: there is no evidence passage {bad}")
    sentence.citations = valid
    cited = "\n".join(evidence[n].text for n in valid)
    sentence.flags = []
    if sentence.text.rstrip().endswith("?"):
        sentence.flags.append(FLAG_QUESTION)
    if not valid:
        sentence.flags.append(FLAG_NO_CITATION)
        sentence.support = 0.0
        if figures(sentence.text):
            sentence.flags.append(FLAG_NUMBER)
        return sentence
    lexical = support_score(sentence.text, cited)
    if embedder is not None:
        # Meaning as well as wording: a paraphrase shares few words with its source.
        vectors = embedder.embed_documents([sentence.text] + [evidence[n].text for n in valid])
        semantic = max(float(vectors[0] @ v) for v in vectors[1:])
        sentence.support = round(0.5 * lexical + 0.5 * max(0.0, semantic), 3)
    else:
        sentence.support = round(lexical, 3)
    if sentence.support < WEAK_SUPPORT:
        sentence.flags.append(FLAG_WEAK)
    if unsupported_figures(sentence.text, cited):
        sentence.flags.append(FLAG_NUMBER)
    return sentence


def _source_replacement(sentence: Sentence, section: Section, taken: set[str]) -> Sentence | None:
    """The cited passage's own sentence closest to what the draft said."""
    evidence = section.evidence_by_number()
    best: tuple[float, str, int] | None = None
    for number in sentence.citations:
        for raw in split_sentences(evidence[number].text):
            text = strip_numbering(raw)
            if text in taken or not is_draftable(text):
                continue
            score = support_score(sentence.text, text)
            if best is None or score > best[0]:
                best = (score, text, number)
    if best is None or best[0] < 0.3:
        return None
    return Sentence(text=best[1], citations=[best[2]], paragraph=sentence.paragraph, question_id=sentence.question_id, support=1.0)


def verify_section(section: Section, strict: bool = True, embedder=None) -> Section:
    """Check every sentence; `embedder` adds embedding similarity to the support score."""
    for sentence in section.sentences:
        check_sentence(sentence, section, embedder)
    if not strict:
        return section
    kept: list[Sentence] = []
    taken = {s.text for s in section.sentences}
    for sentence in section.sentences:
        removable = _REMOVED_WHEN_STRICT.intersection(sentence.flags)
        if removable:
            section.notes.append(f"removed a sentence ({', '.join(sorted(removable))}): \u201c{sentence.text[:80]}\u201d")
            continue
        if FLAG_NUMBER not in sentence.flags and FLAG_WEAK not in sentence.flags:
            kept.append(sentence)
            continue
        if FLAG_NUMBER in sentence.flags:
            missing = ", ".join(unsupported_figures(sentence.text, "\n".join(
                section.evidence_by_number()[n].text for n in sentence.citations)))
            problem = f"its figures ({missing}) are not in its cited sources"
        else:
            problem = f"its cited sources hardly support it (support {sentence.support:.2f})"
        replacement = _source_replacement(sentence, section, taken) if sentence.citations else None
        if replacement is not None:
            kept.append(replacement)
            taken.add(replacement.text)
            section.notes.append(f"replaced a sentence with its source's own words because {problem}: \u201c{sentence.text[:80]}\u201d")
        else:
            section.notes.append(f"removed a sentence because {problem}: \u201c{sentence.text[:80]}\u201d")
    section.sentences = kept
    return section
