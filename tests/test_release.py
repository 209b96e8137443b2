"""Whether an export is the plan or a draft, from section statuses, flags and review decisions."""

from __future__ import annotations

from assistant.config import Settings
from assistant.records import Plan, Section, Sentence
from assistant.release import DEFAULT_COUNCIL, release_state
from assistant.review import sentence_key
from assistant.templates import load_template

TEMPLATE = load_template(Settings().prompts_dir, "productivity_plan")
ACCEPTED = {t.id: "accepted" for t in TEMPLATE.themes}


def _plan(*sentences: Sentence, council: str = "") -> Plan:
    sections = [Section(t.id, t.title, [Sentence(f"Clean sentence for {t.id}.", [1])], []) for t in TEMPLATE.themes]
    sections[0].sentences += list(sentences)
    return Plan(TEMPLATE.id, "Plan", sections, 4, 600, council=council)


def test_clean_only_when_every_section_is_accepted_and_nothing_is_flagged_or_rejected():
    plan = _plan()
    assert not release_state(plan, TEMPLATE, ACCEPTED).is_draft
    one_open = {**ACCEPTED, "barriers": "drafted"}
    state = release_state(plan, TEMPLATE, one_open)
    assert state.is_draft and state.not_accepted == ["Barriers Government can remove"]
    missing = Plan(TEMPLATE.id, "Plan", plan.sections[:3], 4, 600)
    assert release_state(missing, TEMPLATE, ACCEPTED).not_accepted == ["Barriers Government can remove"]


def test_flags_and_rejections_are_listed_with_their_reasons_and_position():
    flagged = Sentence("We saved £99 million.", [1], flags=["number not in source"])
    plan = _plan(flagged)
    decisions = {sentence_key("technology", "Clean sentence for technology."):
                 {"decision": "rejected", "comment": "Out of date", "reviewer": "rev"}}
    state = release_state(plan, TEMPLATE, ACCEPTED, decisions)
    assert state.is_draft and not state.not_accepted
    assert [(m.theme_id, m.index, m.reasons) for m in state.flagged] == [("transformation", 2, ["number not in source"])]
    assert state.marks()[("technology", 1)] == ["rejected by rev: Out of date"]
    assert [line.split(":")[0] for line in state.summary_lines()] == ["Sentences flagged by verification",
                                                                    "Sentences rejected by a reviewer"]
    approved = {k: {**v, "decision": "approved"} for k, v in decisions.items()}
    assert not release_state(plan, TEMPLATE, ACCEPTED, approved).rejected


def test_the_council_is_the_plans_unless_given():
    assert release_state(_plan(), TEMPLATE).council == DEFAULT_COUNCIL
    assert release_state(_plan(council="Kent County Council"), TEMPLATE).council == "Kent County Council"
    assert release_state(_plan(council="Kent County Council"), TEMPLATE, council="Dacorum").council == "Dacorum"
