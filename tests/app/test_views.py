"""The web app's panels, as HTML/Markdown strings: what an officer reads about evidence gaps."""

from __future__ import annotations

from assistant.app.views import gaps_markdown
from assistant.records import Gap, Section


def test_each_gap_shows_why_it_is_a_gap_as_plain_text():
    section = Section("technology", "Technology and data", [], [], gaps=[
        Gap("t2_ai", "Where are you using automation or AI?", "best passage scored 0.41 < 0.67 <img src=x>", 0.41),
        Gap("t2_data", "How do you use data?"),
    ])
    text = gaps_markdown(section)
    assert "Where are you using automation or AI?" in text and "Why: best passage scored 0.41 &lt; 0.67 &lt;img src=x&gt;" in text
    assert "<img" not in text  # the reason is escaped like every other text in the panels
    assert text.count("Why:") == 1  # a gap without a reason (an old saved draft) shows its question only
