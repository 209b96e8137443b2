"""The real-world eval: councils prepared as an officer would hand them over, plans scored against labels.yaml."""

from __future__ import annotations

import yaml

from assistant.api import Assistant
from assistant.config import Settings
from assistant.records import Gap, Plan, Section, Sentence
from evals import realworld
from evals.metrics import gaps, junk
from evals.realworld_eval import measure_council, pooled
from tests.evals.conftest import evidence
from tests.grounding import verbatim_in


def _council(tmp_path):
    folder = tmp_path / "realworld" / "borough"
    folder.mkdir(parents=True)
    (folder / "report.txt").write_text("SOURCE: https://example.org/x\nTITLE: A report\nDATE: 2024\nSTATUS: EXCERPT\n---\n"
                                       "The Council saved money.\n", encoding="utf-8")
    (folder / "budget.pdf").write_bytes(b"%PDF-1.4 stand-in")
    (folder / "budget.txt").write_text("SOURCE: x\nTITLE: y\nDATE: z\nSTATUS: FULL\n---\ntext of the pdf\n", encoding="utf-8")
    labels = {"councils": {"borough": {"name": "Borough", "questions": {
        "t3_savings": {"key_points": [{"claim": "c", "file": "borough/budget.txt", "quote": "q"}]},
        "t3_edi": {"expect": "gap"}}}}}
    (tmp_path / "realworld" / "labels.yaml").write_text(yaml.safe_dump(labels), encoding="utf-8")
    return realworld.load_councils(tmp_path / "realworld")[0]


def test_a_council_is_prepared_without_headers_and_without_pdf_twins(tmp_path):
    council = _council(tmp_path)
    docs = realworld.prepare_council(council, tmp_path / "docs")
    assert sorted(p.name for p in docs.iterdir()) == ["budget.pdf", "report.txt"]
    assert (docs / "report.txt").read_text(encoding="utf-8") == "The Council saved money.\n"
    # A label naming a PDF's pdftotext twin means the PDF, which is what was ingested.
    assert council.questions["t3_savings"].files == {"budget.pdf"} and council.gaps == ["t3_edi"]


def _plan(tmp_path, drafted_from: str, edi_drafted: bool) -> tuple:
    council = _council(tmp_path)
    ev = evidence("The Council saved £2 million in 2023/24 through its savings programme.", "Equality matters to us.")
    ev[0].source, ev[1].source = f"/x/{drafted_from}", "/x/report.txt"
    sentences = [Sentence("The Council saved £2 million in 2023/24 through its savings programme.", [1], 0, "t3_savings")]
    if edi_drafted:
        sentences.append(Sentence("Equality matters to us in every single service we run.", [2], 1, "t3_edi"))
    section = Section("wasteful_spend", "Reducing wasteful spend", sentences, ev,
                      gaps=[] if edi_drafted else [Gap("t3_edi", "EDI?", "best passage scored 0.20 < 0.40")])
    template = Assistant(Settings()).template
    return council, Plan(template.id, template.title, [section], 4, 600), template


def test_answered_from_the_labelled_file_and_the_true_gap_reported(tmp_path):
    council, plan, template = _plan(tmp_path, "budget.pdf", edi_drafted=False)
    scores = gaps.score_plan(plan, council, template)
    assert (scores.answerable, scores.answered_from_labelled, scores.false_gaps, scores.gaps, scores.true_gaps_reported) == (1, 1, 0, 1, 1)
    assert {q.question_id: q.verdict for q in scores.questions} == {
        "t3_savings": "answered from labelled file", "t3_edi": "true gap reported"}


def test_answers_from_other_files_and_padded_gaps_are_misses(tmp_path):
    council, plan, template = _plan(tmp_path, "report.txt", edi_drafted=True)
    scores = gaps.score_plan(plan, council, template)
    assert scores.answered_from_labelled == 0 and scores.true_gaps_reported == 0
    assert {q.verdict for q in scores.questions} == {"answered from another file", "gap padded"}
    result = measure_council(council, plan, template)
    assert pooled([result])["answered_from_labelled_share"] == 0.0


def test_junk_kinds_on_sentences_a_reader_would_delete():
    assert junk.junk_kind("Government & Legislative GET Neil Baker Highways Tunnels Regulations Removal Costs 2024 25 3.1 4.2.", True) == "table row"
    assert junk.junk_kind("Street Lighting; Highways and Transport; Annual uplift as agreed by Council; 70.7; 50.9; 61.9.", True) == "table row"
    assert junk.junk_kind("The settlement was £2.5m; the rural grant rose to £945,000; the care grant rose; reserves are £12m.", True) is None
    assert junk.junk_kind("This was significantly lower than had been forecast in the budget.", True) == "dangling opener"
    assert junk.junk_kind("This was significantly lower than had been forecast in the budget.", False) is None
    assert junk.junk_kind("It was significantly lower than had been forecast in the budget.", True) == "dangling opener"
    # An "it" that stands for the clause after it leans on nothing before.
    assert junk.junk_kind("It was difficult to predict what the new funding formula might mean for the council.", True) is None
    assert junk.junk_kind("It is important that residents who cannot go online are still helped.", True) is None
    assert junk.junk_kind("A Member questioned whether the savings would be delivered on time.", True) == "minute formula"
    assert junk.junk_kind("The Council has due regard to the public sector equality duty in all it does.", True) == "boilerplate"
    assert junk.junk_kind("and the savings", True) == "fragment"
    assert junk.junk_kind("The direction of travel has changed and the council is now looking at...", True) == "fragment"
    assert junk.junk_kind("The Council saved £2 million in 2023/24 through its savings programme [3].", True) is None
    assert junk.junk_kind("The Council saved £2 million in 2023/24 through its savings programme.", True) is None


def test_real_councils_plans_are_grounded_within_budget_and_free_of_junk(realworld_plans):
    template = next(iter(realworld_plans.values()))[1].template
    results = [measure_council(council, plan, template) for council, _, plan in realworld_plans.values()]
    total = pooled(results)
    assert total["number_fidelity"] in (None, 1.0) and total["misdated"] == 0
    assert total["within_budget"]
    assert total["junk_sentences"] <= 5, [j for r in results for j in r["junk"]]
    # Every offline sentence is the source's own words, verbatim in the passage it cites.
    for _, _, plan in realworld_plans.values():
        for section in plan.sections:
            by_number = section.evidence_by_number()
            for s in section.sentences:
                assert all(verbatim_in(s.text, by_number[n].text) for n in s.citations), s.text


def test_citation_scores_show_what_verification_removed(tmp_path):
    """The Qwen report's citation figures per council: drafted (before verification) against kept (after)."""
    import copy

    from evals.judges import OfflineJudge

    council, plan, template = _plan(tmp_path, "budget.pdf", edi_drafted=False)
    drafted = copy.deepcopy(plan.sections[0])
    # What a model might write: a figure the cited passage does not hold. Verification removed it from the plan.
    drafted.sentences.append(Sentence("The Council saved £9 million in 2023/24 through its savings programme.", [1], 1, "t3_savings"))
    judge = OfflineJudge(Assistant(Settings()).embedder)
    result = measure_council(council, plan, template, raw_sections={"wasteful_spend": drafted}, judge=judge, seconds=8.0)
    before, after = result["citations"]["before_verification"], result["citations"]["after_verification"]
    assert (before["sentences"], before["entailed"], before["recall"]) == (2, 1, 0.5)
    assert (after["sentences"], after["entailed"], after["recall"]) == (1, 1, 1.0)
    assert before["precision"] == 0.5 and after["precision"] == 1.0
    assert result["seconds_per_section"] == 8.0
    # Pooled over councils: counts summed, so every sentence weighs the same whichever council it came from.
    total = pooled([result, result])["citations"]
    assert total["before_verification"]["sentences"] == 4 and total["before_verification"]["recall"] == 0.5
    # Without a judge (the offline eval's cheap path) nothing is claimed.
    assert measure_council(council, plan, template)["citations"] is None
    assert pooled([measure_council(council, plan, template)])["citations"]["after_verification"] is None
