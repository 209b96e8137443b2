"""The corpus is safe to share, over gradio_client against a launched app (users ann and bob, one
shared store holding two councils' documents, tests/councils.py): an upload under a stored name asks
(replace, keep both) and only its uploader can answer; a title given in the Corpus tab shows in the
evidence panel; a plan limited to one council's documents cites only them; removal asks first and says
which plans cite the document (titles for your own, a count for another user's); the log says who did what.
The tests of this module run in order on one app, as officers would."""

from __future__ import annotations

import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError

from assistant.api import Assistant
from tests.app.conftest import client, refusal, serve_signed_in
from tests.app.test_web_flows import EVIDENCE, create_plan
from tests.conftest import make_settings
from tests.councils import write_councils

# Outputs of the corpus endpoints, in order (assistant/app/corpus_tab.py; Gradio leaves the boxes' Groups out).
STATUS, DOCUMENTS, CHOSEN, LOG = range(4)  # /corpus: documents, chosen, log (no status)
INGEST_CLASH_TEXT, INGEST_TOKENS = 5, 6  # /ingest: ..., uploads, clash text, tokens
ANSWER_CLASH_TEXT, ANSWER_TOKENS = 4, 5  # /replace_upload, /keep_both_uploads, /cancel_upload


@pytest.fixture(scope="module")
def councils(tmp_path_factory):
    root = tmp_path_factory.mktemp("web-corpus")
    return root, write_councils(root / "docs")


@pytest.fixture(scope="module")
def web(councils):
    root, _ = councils
    yield from serve_signed_in(Assistant(make_settings(root / "data")))


def rows(output) -> dict[str, list]:
    """The documents table, by file name."""
    return {row[1]: row for row in output["data"]}


def doc_ids(table, prefix: str) -> list[str]:
    return sorted(row[5] for name, row in rows(table).items() if name.startswith(prefix))


def test_a_different_file_under_a_stored_name_asks_and_only_its_uploader_answers(web, councils, tmp_path):
    root, written = councils
    ann, bob = client(web, "ann"), client(web, "bob")
    out = ann.predict([handle_file(str(p)) for paths in written.values() for p in paths], api_name="/ingest")
    assert "ingested 4 file(s)" in out[STATUS] and len(out[DOCUMENTS]["data"]) == 4
    before = rows(out[DOCUMENTS])["harbourside-digital-plan.txt"]

    newer = tmp_path / "harbourside-digital-plan.txt"
    newer.write_text("Harbourside digital plan 2025\n\nHarbourside Council launched a new website for residents in 2025, "
                     "with online forms for every service and a digital inclusion helpline.\n", encoding="utf-8")
    asked = bob.predict([handle_file(str(newer))], api_name="/ingest")
    assert "waiting for your answer" in asked[STATUS] and "already in the corpus" in asked[INGEST_CLASH_TEXT]
    assert "added by ann" in asked[INGEST_CLASH_TEXT] and asked[INGEST_TOKENS]
    assert rows(asked[DOCUMENTS])["harbourside-digital-plan.txt"] == before  # nothing replaced while it asks

    said, outputs = refusal(ann, asked[INGEST_TOKENS], api_name="/replace_upload")  # not ann's upload to answer
    assert len(said) == 1 and "no longer waiting" in said[0], said
    assert rows(ann.predict(api_name="/corpus")[0])["harbourside-digital-plan.txt"] == before

    kept = bob.predict(asked[INGEST_TOKENS], api_name="/keep_both_uploads")
    table = rows(kept[DOCUMENTS])
    assert table["harbourside-digital-plan.txt"] == before and "harbourside-digital-plan (2).txt" in table
    assert table["harbourside-digital-plan (2).txt"][0] != before[0]  # told apart by title too
    assert kept[ANSWER_CLASH_TEXT] == "" and kept[ANSWER_TOKENS] == ""

    newer.write_text("Harbourside digital plan\n\nHarbourside Council will move its telephony to the cloud in 2026.\n\n"
                     "Harbourside Council trains digital champions in every team.\n", encoding="utf-8")
    asked = bob.predict([handle_file(str(newer))], api_name="/ingest")
    replaced = bob.predict(asked[INGEST_TOKENS], api_name="/replace_upload")
    table = rows(replaced[DOCUMENTS])
    assert table["harbourside-digital-plan.txt"][5] == before[5] and len(table) == 5  # the same document, its new passages
    log = [row[1:4] for row in replaced[LOG]["data"]]
    assert log[:2] == [["bob", "replaced", f"{before[0]} (harbourside-digital-plan.txt)"],
                       ["bob", "added", f"{table['harbourside-digital-plan (2).txt'][0]} (harbourside-digital-plan (2).txt)"]]
    assert sum(1 for who, what, _ in log if (who, what) == ("ann", "added")) == 4


def test_a_plan_limited_to_one_councils_documents_cites_only_them(web):
    ann, bob = client(web, "ann"), client(web, "bob")
    table = ann.predict(api_name="/corpus")[0]
    harbourside = doc_ids(table, "harbourside")
    plan_id = create_plan(ann, "Harbourside plan")
    said, every, chosen = ann.predict(plan_id, False, harbourside, api_name="/set_plan_documents")
    assert "drafts from 3 of the 5 documents" in said and every["value"] is False and sorted(chosen["value"]) == harbourside
    with pytest.raises(AppError):  # not bob's plan: refused like every other endpoint given another user's plan id
        bob.predict(plan_id, True, [], api_name="/set_plan_documents")

    for theme in ("transformation", "technology"):
        drafted = ann.predict(plan_id, theme, api_name="/draft_section")
        evidence = drafted[EVIDENCE]
        assert "Harbourside" in evidence and "Northfield" not in evidence and "Northfield" not in drafted[4]
    other = create_plan(ann, "Both councils")  # the default: every document
    assert "Northfield" in ann.predict(other, "transformation", api_name="/draft_section")[EVIDENCE]


def test_a_new_title_shows_in_the_evidence_panel_as_text(web):
    ann = client(web, "ann")
    table = ann.predict(api_name="/corpus")[0]
    doc_id = rows(table)["harbourside-transformation-report.txt"][5]
    title = "Transformation <b>report</b> to Cabinet & members"
    out = ann.predict(doc_id, title, api_name="/retitle_document")
    assert rows(out[DOCUMENTS])["harbourside-transformation-report.txt"][0] == title and out[-1] == title
    assert out[LOG]["data"][0][1:3] == ["ann", "retitled"]
    plan_id = next(pid for t, pid in ann.predict(api_name="/load")[0]["choices"] if t == "Harbourside plan")
    evidence = ann.predict(plan_id, "transformation", api_name="/open_plan")[EVIDENCE]
    assert "Transformation &lt;b&gt;report&lt;/b&gt; to Cabinet &amp; members" in evidence and "<b>report" not in evidence
    said, _ = refusal(ann, doc_id, "  ", api_name="/retitle_document")
    assert len(said) == 1 and "Give the document a title" in said[0], said


def test_removal_asks_first_and_says_which_plans_cite_it(web):
    ann, bob = client(web, "ann"), client(web, "bob")
    doc_id = rows(ann.predict(api_name="/corpus")[0])["harbourside-transformation-report.txt"][5]
    text, asked_about = ann.predict(doc_id, api_name="/ask_remove_document")
    assert asked_about == doc_id and "Harbourside plan" in text and "Both councils" in text
    text, _ = bob.predict(doc_id, api_name="/ask_remove_document")
    assert "2 plans of ann" in text and "Harbourside plan" not in text  # ann's plan titles are hers
    assert doc_id in rows(bob.predict(api_name="/corpus")[0]).get("harbourside-transformation-report.txt", [])

    out = bob.predict(doc_id, api_name="/delete_document")
    assert out[STATUS].startswith("Removed Transformation <b>report</b>") and "harbourside-transformation-report.txt" not in rows(out[DOCUMENTS])
    assert out[LOG]["data"][0][1:3] == ["bob", "removed"] and "cited by 2 plan(s)" in out[LOG]["data"][0][4]
    said, _ = refusal(bob, "", api_name="/ask_remove_document")
    assert len(said) == 1 and "Choose a document" in said[0], said
