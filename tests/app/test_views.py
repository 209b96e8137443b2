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


def _drafted_section() -> Section:
    from assistant.records import Evidence, Sentence

    passage = "The Council cut <b>agency</b> spend by £1.2 million in 2023 <img src=x onerror=alert(1)>."
    return Section("wasteful_spend", "Reducing wasteful spend", [
        Sentence("Agency spend fell by £1.2 million.", [1]),
        Sentence("We will save £9 million <script>.", [1], flags=["number not in source"]),
    ], [Evidence(1, "c1", "d1", "Budget report", "budget.txt", 3, "", passage),
        Evidence(2, "c2", "d2", "Minutes", "minutes.txt", 1, "", "Members noted the report.")])


def test_the_evidence_marks_the_words_each_citing_sentence_uses_and_stays_text():
    from assistant.app.views import evidence_html

    html = evidence_html(_drafted_section())
    assert "<img" not in html and "&lt;img src=x" in html and "&lt;b&gt;" in html  # marked, and still escaped
    first, second = html.split("id='ev-wasteful_spend-2'")
    variants = dict(re.findall(r"<div class='words[^']*' data-for='(\w+)'>(.*?)</div>", first))
    assert set(variants) == {"all", "0", "1"}  # all citing sentences' words at first, then one per citing sentence
    marked = {k: re.findall(r"<mark>(.*?)</mark>", v) for k, v in variants.items()}
    assert "agency" in marked["0"] and "agency" not in marked["1"]  # sentence 1 never says agency
    assert "<mark>" not in second  # a passage nothing cites has nothing marked


def test_a_flagged_sentence_says_why_in_text_beside_it():
    from assistant.app.views import section_html

    html = section_html(_drafted_section())
    flagged = re.search(r"<span class='sentence flagged'>(.*?)</span></span>", html).group(1)
    assert "We will save £9 million &lt;script&gt;." in flagged and "<script" not in html
    assert "<span class='flag-reason'>\u26a0 number not in source" in flagged and "title=" not in html
    assert "data-sentence='1'" in flagged  # its citation tells the page script which sentence's words to mark


def test_list_items_show_as_a_list_with_their_citations():
    from assistant.app.views import section_html
    from assistant.records import Sentence

    section = _drafted_section()
    section.sentences.insert(1, Sentence("Minute Taker: an assistant that drafts minutes.", [2], list_item=True))
    section.sentences.insert(2, Sentence("Ask Bins: a chatbot on the <b>website</b>.", [2], list_item=True))
    html = section_html(section)
    assert re.search(r"</p><ul><li><span class='sentence'>Minute Taker: an assistant that drafts minutes\. "
                     r"<a class='cite'[^>]*data-sentence='1'>\[2\]</a></span></li><li>.*?</li></ul><p>", html)
    assert "&lt;b&gt;website" in html and "<b>" not in html
