"""The judges on labelled pairs: the offline judge (the product's verifier) and the LLM judge's reply handling."""

from __future__ import annotations

import pytest

from assistant.records import Sentence
from assistant.verify import (FLAG_DATE, FLAG_NEGATION, FLAG_NUMBER, misdated_figures, misdated_statement, negation_mismatch,
                              periods, unsupported_number_words, verify_section)
from evals.data import JudgePair, PassageLabel
from evals.judges import LLMJudge, validate

from .conftest import AGENCY, section

LEGACY = ("The Council's finance and HR system was installed in 2007 and is no longer supported by its supplier after March 2025. "
          "The Council will replace it with a single cloud-based finance, HR and payroll system (an ERP) by April 2025.")
DIGITAL = ("Not every resident can or wants to go online. Library staff run weekly digital help sessions in all six "
           "of the borough's libraries, and the customer hub keeps a telephone and face-to-face service for residents who need it.")
DECLARATION = ("The Council signed the Local Digital Declaration in 2022 and follows the Government's Service Standard. "
               "By March 2024, 410 staff had completed digital skills training.")


@pytest.mark.parametrize("sentence, passage, supported", [
    ("Agency staff spending dropped to £1.1 million in 2023/24 because permanent posts were filled.", AGENCY, True),
    ("Spend on agency staff was £1.1 million in 2022/23.", AGENCY, False),  # right figure, another year
    ("Spend on agency staff fell to £1.3 million in 2023/24.", AGENCY, False),  # another figure
    ("The finance and HR system installed in 2007 is still supported by its supplier.", LEGACY, False),  # negation dropped
    ("The finance and HR system is no longer supported by its supplier after March 2025.", LEGACY, True),
    ("Library staff do not run any digital help sessions.", DIGITAL, False),  # negation added
    ("Residents who cannot go online can get help at weekly digital sessions in the six libraries.", DIGITAL, True),
    ("The Council signed the Local Digital Declaration in 2024.", DECLARATION, False),  # 2024 is in the passage, not as this year
    ("Library staff run digital help sessions in all nine of the borough's libraries.", DIGITAL, False),  # a count in words
])
def test_offline_judge_on_hard_pairs(offline_judge, sentence, passage, supported):
    assert offline_judge.supports(sentence, [passage]).supported is supported


def test_offline_judge_validation_scores_and_kinds(offline_judge):
    def pair(pid, sentence, supported, kind):
        return JudgePair(pid, "corpus", PassageLabel("x", "y"), sentence, supported, kind, "heldout")

    labelled = [
        (pair("a", "Spend on agency staff fell to £1.1 million in 2023/24.", True, "paraphrase"), AGENCY),
        (pair("b", "Spend on agency staff fell to £2.1 million in 2023/24.", False, "other_figure"), AGENCY),
        (pair("c", "Spend on agency staff did not fall in 2023/24.", False, "negated"), AGENCY),
    ]
    result = validate(offline_judge, labelled, min_accuracy=0.9, min_f1=0.9)
    assert (result.n, result.accuracy, result.f1, result.validated) == (3, 1.0, 1.0, True)
    assert result.by_kind["negated"]["accuracy"] == 1.0 and result.by_set["heldout"]["n"] == 3


def test_validation_fails_a_judge_that_accepts_everything():
    class Yes:
        name = "yes"

        def prepare(self, texts):
            pass

        def supports(self, sentence, passages):
            from evals.judges import Verdict
            return Verdict(True)

    labelled = [(JudgePair(str(i), "corpus", PassageLabel("x", "y"), "s", i % 2 == 0, "k", "dev"), "p") for i in range(10)]
    result = validate(Yes(), labelled, min_accuracy=0.8, min_f1=0.8)
    assert result.accuracy == 0.5 and result.unsupported_caught == 0.0
    assert not result.validated and "accuracy 0.50 < 0.80" in result.why_not


class ScriptedClient:
    def __init__(self, *replies):
        self.replies, self.messages = list(replies), []

    def complete(self, messages, max_tokens=5, **kwargs):
        self.messages.append(messages)
        return self.replies.pop(0)


def test_llm_judge_reads_yes_and_no_and_treats_anything_else_as_unsupported():
    judge = LLMJudge(ScriptedClient("Yes.", "no", "I think the passage mostly agrees"))
    assert judge.supports("S", ["P1", "P2"]).supported is True
    assert judge.supports("S", ["P"]).supported is False
    assert judge.supports("S", ["P"]).supported is False and judge.unparsed == 1
    prompt = judge.client.messages[0][1]["content"]
    assert prompt.count("<passage>") == 2 and "Statement: S" in prompt


def test_verify_date_checks():
    assert periods("In 2023/24 and 2023-2024, not 2022; Council Plan 2024-2027") == {"2023/24", "2022", "2024", "2027"}
    assert misdated_figures("Spend on agency staff was £1.1 million in 2022/23.", AGENCY) == ["1.1m"]
    assert misdated_figures("Agency spend fell to £1.1 million in 2023/24 from £1.6 million the year before.", AGENCY) == []
    assert misdated_statement("The Council signed the Local Digital Declaration in 2024.", DECLARATION) == ["2024"]
    assert misdated_statement("By March 2024, 410 staff had completed digital skills training.", DECLARATION) == []


def test_verify_negation_and_number_word_checks():
    assert negation_mismatch("The finance and HR system is still supported by its supplier.", LEGACY)
    assert not negation_mismatch("The supplier no longer supports the finance and HR system after March 2025.", LEGACY)
    assert not negation_mismatch("Productivity plans should be no longer than 4 pages.",
                                 "No formal template was provided for Productivity Plans. Although plans should be no longer than 4 pages.")
    assert unsupported_number_words("Help sessions run in nine libraries.", DIGITAL) == ["nine"]
    assert unsupported_number_words("Help sessions run in six libraries.", DIGITAL) == []


def test_strict_verification_replaces_a_negated_or_misdated_sentence_with_its_source(offline_judge):
    negated = Sentence("The finance and HR system installed in 2007 is still supported by its supplier after March 2025.", [1])
    misdated = Sentence("Spend on agency staff was £1.1 million in 2022/23.", [2])
    checked = verify_section(section([negated, misdated], LEGACY, AGENCY), strict=False)
    assert FLAG_NEGATION in checked.sentences[0].flags and FLAG_DATE in checked.sentences[1].flags
    assert FLAG_NUMBER not in checked.sentences[1].flags  # every figure is in the passage: only the year is wrong
    strict = verify_section(section([Sentence(negated.text, [1]), Sentence(misdated.text, [2])], LEGACY, AGENCY))
    assert [s.text for s in strict.sentences] == [LEGACY.split(". ")[0] + ".", AGENCY]
    assert any("negation differs" in n for n in strict.notes) and any("2022/23" in n for n in strict.notes)
