"""Rendering sections as text with citation markers: one function, used by the budget
(so what is counted is what is printed) and by every export."""

from __future__ import annotations

from assistant.records import Section, Sentence


def sentence_with_markers(sentence: Sentence, numbers: dict[int, int] | None = None) -> str:
    """'Text. [2]' or 'Text. [2, 5]'; `numbers` renumbers section-local citations plan-wide."""
    if not sentence.citations:
        return sentence.text
    cited = [numbers.get(n, n) if numbers else n for n in sentence.citations]
    return f"{sentence.text} [{', '.join(str(n) for n in cited)}]"


def section_body(section: Section, numbers: dict[int, int] | None = None) -> str:
    return "\n\n".join(" ".join(sentence_with_markers(s, numbers) for s in para) for para in section.paragraphs())


def section_markdown(section: Section, heading: str, numbers: dict[int, int] | None = None) -> str:
    body = section_body(section, numbers)
    return f"## {heading}\n\n{body}" if body else f"## {heading}"
