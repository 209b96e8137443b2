"""The shared normalisation rules, and the text and HTML loaders that use them."""

from __future__ import annotations

import pytest

from assistant.ingest.loaders import load
from assistant.ingest.normalise import Line, Vocabulary, is_page_furniture, is_web_furniture, join_lines, paragraphs


def _texts(lines, **kw):
    return [(u.kind, u.text) for u in paragraphs(lines, **kw)]


@pytest.mark.parametrize("prev, line, joined", [
    ("savings were signif-", "icantly higher", "savings were significantly higher"),
    ("the one-", "off grant", "the one-off grant"),
    ("in 2024-", "25 the council", "in 2024-25 the council"),
    ("a risk-", "based approach", "a risk-based approach"),
    ("the develop-", "ment of the site", "the development of the site"),
    ("Revenu", "e Budget", "Revenue Budget"),  # a narrow table cell wraps with no hyphen at all
    ("spend on", "a new depot", "spend on a new depot"),
])
def test_join_lines(prev, line, joined):
    assert join_lines(prev, line) == joined


def test_hyphen_follows_the_document_vocabulary():
    vocab = Vocabulary(["The co-ordination of services", "reinvestment in the town"])
    assert join_lines("better co-", "ordination", vocab) == "better co-ordination"
    assert join_lines("for re-", "investment", vocab) == "for reinvestment"


def test_blank_line_inside_a_sentence_is_the_same_sentence():
    lines = [Line("Cabinet agreed to move £74k of Housing Revenue Account (HRA)"),
             Line("reserves into the repairs budget, to fund new boilers.", gap_before=True),
             Line("A new paragraph starts here.", gap_before=True)]
    assert _texts(lines) == [("para", "Cabinet agreed to move £74k of Housing Revenue Account (HRA) reserves into the "
                                      "repairs budget, to fund new boilers."), ("para", "A new paragraph starts here.")]


def test_list_items_join_their_lead_in_one_per_line():
    lines = [Line("The council will:"), Line("\u2022 reduce agency spend", gap_before=True), Line("(ii) close two"),
             Line("offices"), Line("a) sell the depot"), Line("Reserves are adequate.", gap_before=True)]
    assert _texts(lines) == [("para", "The council will:\n\u2022 reduce agency spend\n\u2022 close two offices\n\u2022 sell the depot"),
                             ("para", "Reserves are adequate.")]


def test_dash_inside_a_sentence_is_not_a_bullet():
    lines = [Line("Costs rose in the first half"), Line("\u2013 and fell again by March.")]
    assert _texts(lines) == [("para", "Costs rose in the first half \u2013 and fell again by March.")]


@pytest.mark.parametrize("line", ["12", "Page 3 of 10", "page 4", "- 7 -", "3a | Adult Social Care ........................ 8"])
def test_page_furniture(line):
    assert is_page_furniture(line)


@pytest.mark.parametrize("text, furniture", [
    ("Skip to main content", True), ("Toggle menu", True), ("Back to top", True), ("Share this page", True),
    ("We use cookies to make this website work. Accept all cookies", True), ("Home > Council > Budgets and spending", True),
    ("Image: the new leisure centre at Riverside", True), ("Photo of the council leader", True),
    ("The council's cookie-cutter approach to budgets was criticised by the auditor in 2023.", False),
    ("Home to school transport costs rose by 12% in 2023/24.", False),
    ("The image of the town centre has improved since the regeneration began.", False),
])
def test_web_furniture(text, furniture):
    assert is_web_furniture(text) is furniture


def test_text_loader_rejoins_hard_breaks_and_drops_furniture(tmp_path):
    path = tmp_path / "budget-statement.txt"
    path.write_text(
        "Skip to main content\n\nHome > Council > Budget\n\nBudget statement\n\n"
        "The council has agreed a net revenue budget of £24.6m for\n2024/25, which includes savings of\n\n"
        "£3.1m from the review of signif-\nicantly under-used buildings.\n\n"
        "The savings will come from:\n\n\u2022 closing two offices\n\u2022 ending agency contracts\n\nBack to top\n\f"
        "Page 2 of 2\n\nReserves stand at £3m.\n", encoding="utf-8")
    doc = load(path)
    assert [b.text for b in doc.blocks] == [
        "The council has agreed a net revenue budget of £24.6m for 2024/25, which includes savings of "
        "£3.1m from the review of significantly under-used buildings.",
        "The savings will come from:\n\u2022 closing two offices\n\u2022 ending agency contracts",
        "Reserves stand at £3m.",
    ]
    assert doc.blocks[0].heading == "Budget statement"


def test_html_lists_keep_their_lead_in_and_web_furniture_goes(tmp_path):
    path = tmp_path / "savings.html"
    path.write_text(
        "<html><body><p>Skip to main content</p><div class='crumbs'>Home &gt; Council &gt; Savings</div>"
        "<h1>Savings plan</h1><p>The savings plan will:</p><ul><li>reduce agency spend</li><li>close two offices</li></ul>"
        "<p>Image: the town hall</p><p>Reserves are held at 3 million pounds.</p><p>Share this page</p></body></html>",
        encoding="utf-8")
    doc = load(path)
    assert doc.title == "Savings plan"
    assert [b.text for b in doc.blocks] == ["The savings plan will:\n\u2022 reduce agency spend\n\u2022 close two offices",
                                            "Reserves are held at 3 million pounds."]


def test_items_nothing_introduces_stand_alone():
    lines = [Line("The report was considered."), Line("a) That the budget be approved;", gap_before=True),
             Line("b) That the risks be noted;", gap_before=True)]
    assert _texts(lines) == [("para", "The report was considered."), ("para", "\u2022 That the budget be approved;"),
                             ("para", "\u2022 That the risks be noted;")]


def test_no_space_before_punctuation():
    from assistant.ingest.normalise import clean_line

    assert clean_line("appointment bookings , with  teams .") == "appointment bookings, with teams."
    assert clean_line("costs fell by .5m") == "costs fell by .5m"


def test_a_small_word_glued_to_the_next_is_parted():
    """A web page's link lost its space: "for the<Name>" run together shared too few terms with the same resolution
    written cleanly, and Dacorum's plan said it twice. Words that only begin like a small word are left alone."""
    from assistant.ingest.normalise import clean_line

    assert clean_line("the plans for theDepot Relocation project") == "the plans for the Depot Relocation project"
    assert clean_line("Another theory, then Andrew and Theodore.") == "Another theory, then Andrew and Theodore."
