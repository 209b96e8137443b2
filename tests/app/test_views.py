"""The web app's panels, as HTML/Markdown strings: what an officer reads about evidence gaps, and that
document text in a Markdown panel is shown as written (rendered here by a CommonMark renderer)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from markdown_it import MarkdownIt

from assistant.app.views import chat_messages, gaps_markdown, markdown_text, notes_markdown
from assistant.records import Gap, Section

BEACON = "![logo](http://127.0.0.1:9911/beacon-title.png) Digital strategy"
HOSTILE = [BEACON, "<img src=http://127.0.0.1:9911/b.png> passage", "[minutes](javascript:alert(1))", "# Heading | a | b |",
           "`code` and $$x^2$$ and <b>bold</b> &amp; 1. item", "line one\\", "back\\slash \\[1\\] *stars* _under_"]


def rendered(markdown: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).render(markdown)


def visible_text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


@pytest.mark.parametrize("text", HOSTILE)
def test_document_text_in_a_markdown_panel_is_shown_as_written(text):
    html = rendered(markdown_text(text))
    assert re.findall(r"<(?!/?p>)[a-z/][^>]*>", html) == []  # no element but the paragraph around it
    assert visible_text(html) == text


@pytest.mark.parametrize("text", HOSTILE[:5])
def test_chat_turns_quote_documents_without_images_links_or_html(text):
    reply = f"**Revised** with the offline drafter:\n\n{text}\n\n- a bullet"
    html = rendered(chat_messages([{"role": "assistant", "content": reply}])[0]["content"])
    assert not re.search(r"<(img|a|script|h1|table|code|b)\b", html), html
    assert "<strong>Revised</strong>" in html and "<li>a bullet</li>" in html  # the app's own emphasis still renders
    assert text in visible_text(html)


def test_each_gap_shows_why_it_is_a_gap_as_plain_text():
    section = Section("technology", "Technology and data", [], [], gaps=[
        Gap("t2_ai", "Where are you using automation or AI?", "best passage scored 0.41 < 0.67 <img src=x>", 0.41),
        Gap("t2_data", "How do you use data?"),
    ], notes=[f"dropped “{BEACON}”: no passage supports it"])
    text = visible_text(rendered(gaps_markdown(section)))
    assert "Where are you using automation or AI?" in text and "Why: best passage scored 0.41 < 0.67 <img src=x>" in text
    assert "<img" not in rendered(gaps_markdown(section))  # the reason is text, like every other text in the panels
    assert text.count("Why:") == 1  # a gap without a reason (an old saved draft) shows its question only
    notes = rendered(notes_markdown(section))
    assert "<img" not in notes and BEACON in visible_text(notes)
