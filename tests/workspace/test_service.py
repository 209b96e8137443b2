"""The workspace API the web app drives: plans per user, chat drafting and revision,
edits re-verified, accept rules, review decisions, exports, and state that survives a restart.
Real parts: the sample corpus in Chroma, the MiniLM embedder, SQLite on disk."""

from __future__ import annotations

import csv
import io

import pytest
from docx import Document

from assistant.render import section_body
from assistant.verify import FLAG_NUMBER
from assistant.workspace.db import WorkspaceDB
from assistant.workspace.service import ConfirmationNeeded, PlanNotFound, Workspace, WorkspaceError


@pytest.fixture
def workspace(corpus_assistant, tmp_path) -> Workspace:
    return Workspace(corpus_assistant, WorkspaceDB(tmp_path / "workspace.sqlite3"))


def drafted(workspace, user="ann", theme="transformation", title="Productivity Plan 2024"):
    plan = workspace.create_plan(user, title)
    events = list(workspace.chat(user, plan.id, theme, "Draft this section"))
    assert events[-1].kind == "done", events[-1].text
    return plan, events[-1].record


def test_plans_are_private_to_their_owner(workspace):
    mine = workspace.create_plan("ann", "Productivity Plan 2024")
    workspace.create_plan("ann", "Draft two")
    workspace.create_plan("bob", "Bob's plan")
    assert {p.title for p in workspace.plans("ann")} == {"Productivity Plan 2024", "Draft two"}
    assert [p.title for p in workspace.plans("bob")] == ["Bob's plan"]
    # Another user's id is answered exactly like an id that does not exist.
    for call in (lambda: workspace.sections("bob", mine.id), lambda: workspace.rename_plan("bob", mine.id, "x"),
                 lambda: workspace.review("bob", mine.id), lambda: list(workspace.chat("bob", mine.id, "technology", "draft"))):
        with pytest.raises(PlanNotFound):
            call()
    with pytest.raises(PlanNotFound):
        workspace.sections("ann", "0" * 32)
    assert workspace.rename_plan("ann", mine.id, "  Renamed   plan ").title == "Renamed plan"
    with pytest.raises(WorkspaceError):
        workspace.create_plan("ann", "   ")


def test_draft_in_chat_saves_section_reply_and_status(workspace):
    plan, record = drafted(workspace)
    assert record.status == "drafted" and record.section.sentences
    assert all(s.citations for s in record.section.sentences)
    thread = workspace.messages("ann", plan.id, "transformation")
    assert [m["role"] for m in thread] == ["user", "assistant"]
    assert section_body(record.section) in thread[1]["content"]
    statuses = {r.theme_id: r.status for r in workspace.sections("ann", plan.id)}
    assert statuses == {"transformation": "drafted", "technology": "empty", "wasteful_spend": "empty", "barriers": "empty"}
    overview = workspace.overview("ann", plan.id)
    line = next(t for t in overview.themes if t.theme_id == "transformation")
    assert 0 < line.tokens <= line.allowance and overview.total_tokens > line.tokens  # total includes the title


def test_second_section_does_not_repeat_the_first(workspace):
    plan, first = drafted(workspace)
    second = list(workspace.chat("ann", plan.id, "technology", "draft"))[-1].record
    assert not {s.text for s in first.section.sentences} & {s.text for s in second.section.sentences}


def test_revision_by_chat_shortens_and_keeps_citations_valid(workspace):
    plan, before = drafted(workspace)
    after = list(workspace.chat("ann", plan.id, "transformation", "make it shorter"))[-1].record
    assert after.section.tokens < before.section.tokens
    evidence = after.section.evidence_by_number()
    assert all(n in evidence for s in after.section.sentences for n in s.citations)
    assert len(workspace.messages("ann", plan.id, "transformation")) == 4


def test_edit_is_reverified_and_recounted_and_blocks_accept_when_a_figure_is_unsupported(workspace):
    plan, record = drafted(workspace)
    first = record.section.sentences[0]
    invented = f"The Council will save £9,876,543 by 2031. [{first.citations[0]}]"
    text = section_body(record.section) + "\n\n" + invented
    edited = workspace.edit("ann", plan.id, "transformation", text)
    last = edited.section.sentences[-1]
    assert last.text.startswith("The Council will save") and FLAG_NUMBER in last.flags  # kept, flagged: the officer's words
    assert edited.section.tokens > record.section.tokens
    with pytest.raises(WorkspaceError, match="figure"):
        workspace.accept("ann", plan.id, "transformation")
    fixed = workspace.edit("ann", plan.id, "transformation", section_body(record.section))
    assert not any(FLAG_NUMBER in s.flags for s in fixed.section.sentences)
    assert workspace.accept("ann", plan.id, "transformation").status == "accepted"


def test_accepted_section_is_locked_until_reopened(workspace):
    plan, _ = drafted(workspace)
    workspace.accept("ann", plan.id, "transformation")
    with pytest.raises(WorkspaceError, match="locked"):
        list(workspace.chat("ann", plan.id, "transformation", "shorter"))
    with pytest.raises(WorkspaceError, match="locked"):
        workspace.edit("ann", plan.id, "transformation", "Anything.")
    assert workspace.reopen("ann", plan.id, "transformation").status == "drafted"
    assert list(workspace.chat("ann", plan.id, "transformation", "shorter"))[-1].kind == "done"
    with pytest.raises(WorkspaceError, match="nothing to accept"):
        workspace.accept("ann", plan.id, "barriers")


def test_gaps_are_reported_for_questions_the_corpus_cannot_answer(workspace):
    plan = workspace.create_plan("ann", "Plan")
    record = list(workspace.chat("ann", plan.id, "technology", "draft"))[-1].record
    assert "t2_ai" in {g.question_id for g in record.section.gaps}


def test_review_rows_decisions_and_csv(workspace, tmp_path):
    plan, record = drafted(workspace)
    rows = workspace.review("ann", plan.id)
    assert len(rows) == len(record.section.sentences)
    row = rows[0]
    assert row.passages and any(hit for _, hit in row.passages[0].runs)  # matching words are marked
    decided = workspace.decide("ann", plan.id, row.key, "rejected", "Source is out of date")
    assert (decided.decision, decided.comment, decided.reviewer) == ("rejected", "Source is out of date", "ann")
    with pytest.raises(WorkspaceError):
        workspace.decide("ann", plan.id, row.key, "maybe")
    path = workspace.export_review_csv("ann", plan.id, tmp_path)
    table = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert len(table) == len(rows)
    assert table[0]["decision"] == "rejected" and table[0]["comment"] == "Source is out of date"
    assert table[0]["cited passages"].startswith(f"[{row.citations[0]}]")
    # A reworded sentence goes back to review: decisions follow the text, not the position.
    workspace.edit("ann", plan.id, "transformation", "Reworded. " + section_body(record.section))
    assert workspace.review("ann", plan.id)[0].decision == "pending"


def test_flagged_filter(workspace):
    plan, record = drafted(workspace)
    text = section_body(record.section) + "\n\nThis sentence cites nothing at all."
    workspace.edit("ann", plan.id, "transformation", text)
    flagged = workspace.review("ann", plan.id, flagged_only=True)
    assert [r.text for r in flagged] == ["This sentence cites nothing at all."]
    assert "no citation" in flagged[0].flags


def test_exports_docx_with_headings_references_and_page_check(workspace, tmp_path):
    plan, _ = drafted(workspace)
    list(workspace.chat("ann", plan.id, "wasteful_spend", "draft"))
    path, check = workspace.export_docx("ann", plan.id, tmp_path)
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    template = workspace.template
    assert headings[0].startswith("DRAFT")  # nothing is accepted yet: a draft cover sheet comes first
    assert headings[1:] == [template.theme("transformation").heading, template.theme("wasteful_spend").heading, "References"]
    references = [p.text for p in doc.paragraphs[[p.text for p in doc.paragraphs].index("References") + 1:]]
    assert references and all(r.startswith(f"[{i}] ") for i, r in enumerate(references, 1))
    assert any(", p. " in r for r in references)  # PDF sources carry their page
    assert check.pages <= check.limit and not check.over
    md = workspace.export_markdown("ann", plan.id, tmp_path).read_text(encoding="utf-8")
    assert md.startswith("> **DRAFT") and "\n# Productivity Plan 2024\n" in md


def test_state_survives_a_restart(corpus_assistant, tmp_path):
    db_path = tmp_path / "workspace.sqlite3"
    first = Workspace(corpus_assistant, WorkspaceDB(db_path))
    plan, record = drafted(first)
    row = first.review("ann", plan.id)[0]
    first.decide("ann", plan.id, row.key, "approved", "ok")
    first.accept("ann", plan.id, "transformation")

    again = Workspace(corpus_assistant, WorkspaceDB(db_path))
    assert [p.title for p in again.plans("ann")] == ["Productivity Plan 2024"]
    back = again.section("ann", plan.id, "transformation")
    assert back.status == "accepted" and back.section.to_dict() == record.section.to_dict()
    assert len(again.messages("ann", plan.id, "transformation")) == 2
    assert again.review("ann", plan.id)[0].decision == "approved"
    assert WorkspaceDB(db_path).applied_migrations() == ["m001_initial", "m002_council_and_exports", "m003_section_versions",
                                                         "m004_review_keys_by_normalised_text",
                                                         "m005_corpus_titles_log_and_document_sets"]


def test_a_failed_draft_keeps_what_was_there(workspace):
    plan, record = drafted(workspace)
    events = list(workspace.chat("ann", plan.id, "transformation", "shorter", drafter="no-such-drafter"))
    assert events[-1].kind == "error" and "Nothing was changed" in events[-1].text
    assert workspace.section("ann", plan.id, "transformation").section.to_dict() == record.section.to_dict()


def test_every_version_is_kept_with_who_and_when_and_undo_restores_one(workspace):
    plan, drafted_record = drafted(workspace)
    draft_text = section_body(drafted_record.section)
    shorter = list(workspace.chat("ann", plan.id, "transformation", "make it shorter"))[-1].record
    own = "Our own sentence about the restructure, written by the officer. [1]"
    workspace.edit("ann", plan.id, "transformation", section_body(shorter.section) + "\n\n" + own)
    versions = workspace.versions("ann", plan.id, "transformation")
    assert [(v.number, v.kind, v.author) for v in versions] == [(3, "edit", "ann"), (2, "revision", "ann"), (1, "draft", "ann")]
    assert versions[1].note == "make it shorter" and all(v.created_at for v in versions)
    assert [v.hand_edited for v in versions] == [True, False, False]
    assert own.split(" [")[0] in [s.text for s in versions[0].section.sentences]

    restored = workspace.restore("ann", plan.id, "transformation", 1)
    assert section_body(restored.section) == draft_text  # the draft is back, exactly
    assert [(v.number, v.kind, v.note) for v in workspace.versions("ann", plan.id, "transformation")][:1] == [(4, "restore", "version 1")]
    # ... and the edit it replaced is still there to go back to.
    again = workspace.restore("ann", plan.id, "transformation", 3)
    assert own.split(" [")[0] in [s.text for s in again.section.sentences]
    with pytest.raises(WorkspaceError, match="no version 99"):
        workspace.restore("ann", plan.id, "transformation", 99)
    with pytest.raises(PlanNotFound):
        workspace.versions("bob", plan.id, "transformation")


def test_redrafting_an_edited_section_asks_first_and_keeps_the_edit(workspace):
    plan, record = drafted(workspace)
    own = "The officer's own closing sentence stays. [1]"
    workspace.edit("ann", plan.id, "transformation", section_body(record.section) + "\n\n" + own)
    thread = len(workspace.messages("ann", plan.id, "transformation"))
    with pytest.raises(ConfirmationNeeded, match="your own edits"):
        list(workspace.chat("ann", plan.id, "transformation", "Draft this section"))
    kept = workspace.section("ann", plan.id, "transformation").section
    assert "The officer's own closing sentence stays." in [s.text for s in kept.sentences]
    assert len(workspace.messages("ann", plan.id, "transformation")) == thread  # refused before anything was saved
    # A revision is not a redraft: it works on the edited text without asking.
    assert list(workspace.chat("ann", plan.id, "transformation", "make it shorter"))[-1].kind == "done"
    done = list(workspace.chat("ann", plan.id, "transformation", "Draft this section", replace=True))[-1]
    assert done.kind == "done" and "The officer's own closing sentence stays." not in [s.text for s in done.record.section.sentences]
    # The replaced text is a version, so it can come back.
    assert any("The officer's own closing sentence stays." in [s.text for s in v.section.sentences]
               for v in workspace.versions("ann", plan.id, "transformation"))
    # A fresh draft holds nothing of the officer's: redrafting it again needs no confirmation,
    # and saving its text unchanged from the editor is no edit either.
    assert workspace.redraft_warning("ann", plan.id, "transformation") == ""
    workspace.edit("ann", plan.id, "transformation", section_body(done.record.section))
    assert workspace.redraft_warning("ann", plan.id, "transformation") == ""
    assert workspace.versions("ann", plan.id, "transformation")[0].kind == "draft"


def test_revision_reply_lists_what_changed_not_the_whole_section(workspace):
    plan, before = drafted(workspace)
    reply = list(workspace.chat("ann", plan.id, "transformation", "make it shorter"))[-1].text
    after = workspace.section("ann", plan.id, "transformation").section
    removed = [s.text for s in before.section.sentences if s.text not in {x.text for x in after.sentences}]
    assert removed and "**Removed:**" in reply and all(t in reply for t in removed)
    assert section_body(after) not in reply  # the section is not printed again
    assert f"{len(removed)} removed" in reply


def test_review_decisions_follow_a_sentence_across_versions(workspace):
    plan, record = drafted(workspace)
    first, second = workspace.review("ann", plan.id)[:2]
    workspace.decide("ann", plan.id, first.key, "approved", "checked against the report")
    workspace.decide("ann", plan.id, second.key, "rejected", "out of date")
    with pytest.raises(ConfirmationNeeded, match="1 approved sentence"):
        list(workspace.chat("ann", plan.id, "transformation", "redraft"))
    list(workspace.chat("ann", plan.id, "transformation", "redraft", replace=True))  # the offline drafter keeps its sentences
    rows = {r.text: r for r in workspace.review("ann", plan.id)}
    assert (rows[first.text].decision, rows[first.text].comment, rows[first.text].reviewer) == (
        "approved", "checked against the report", "ann")
    assert rows[second.text].decision == "rejected"
    # The same words with other spacing and case keep the decision; other words go back to pending.
    text = section_body(workspace.section("ann", plan.id, "transformation").section)
    text = text.replace(first.text, "  " + first.text.upper().replace(" ", "  "), 1).replace(second.text, "Reworded: " + second.text, 1)
    workspace.edit("ann", plan.id, "transformation", text)
    rows = workspace.review("ann", plan.id)
    assert rows[0].decision == "approved" and rows[1].decision == "pending"
    # Undo brings the earlier text back, and with it the decision on its rejected sentence.
    workspace.restore("ann", plan.id, "transformation", 1)
    assert workspace.review("ann", plan.id)[1].decision == "rejected"


def test_a_section_with_a_rejected_sentence_cannot_be_accepted(workspace):
    plan, _ = drafted(workspace)
    row = workspace.review("ann", plan.id)[-1]
    workspace.decide("ann", plan.id, row.key, "rejected", "not what the minutes say")
    with pytest.raises(WorkspaceError, match=f"rejected 1 sentence.*sentence {row.index}"):
        workspace.accept("ann", plan.id, "transformation")
    workspace.decide("ann", plan.id, row.key, "approved")
    assert workspace.accept("ann", plan.id, "transformation").status == "accepted"


def test_next_flagged_and_the_csv_follow_the_filter(workspace, tmp_path):
    plan, record = drafted(workspace)
    extra = ["This first sentence cites nothing.", "This second sentence cites nothing either."]
    workspace.edit("ann", plan.id, "transformation", section_body(record.section) + "\n\n" + " ".join(extra))
    flagged = workspace.review("ann", plan.id, flagged_only=True)
    assert [r.text for r in flagged] == extra
    assert workspace.next_flagged("ann", plan.id, None).text == extra[0]
    assert workspace.next_flagged("ann", plan.id, flagged[0].key).text == extra[1]
    workspace.decide("ann", plan.id, flagged[0].key, "rejected")
    # From the second, the pending one is the second itself, so it wraps to the next flagged one.
    assert workspace.next_flagged("ann", plan.id, flagged[1].key).text == extra[0]
    assert workspace.review_row("ann", plan.id, flagged[0].key).decision == "rejected"
    only = workspace.export_review_csv("ann", plan.id, tmp_path, flagged_only=True)
    table = list(csv.DictReader(io.StringIO(only.read_text(encoding="utf-8-sig"))))
    assert [r["text"] for r in table] == extra and table[0]["decision"] == "rejected"
    everything = workspace.export_review_csv("ann", plan.id, tmp_path)
    assert len(list(csv.DictReader(io.StringIO(everything.read_text(encoding="utf-8-sig"))))) == len(record.section.sentences) + 2


def test_an_old_workspace_upgrades_keeping_sections_and_decisions(corpus_assistant, tmp_path):
    """A workspace file written before versions existed (only m001): its sections become version 1 and
    its review decisions, keyed the old way, are found under the new keys."""
    import hashlib
    import json
    import sqlite3

    from assistant.workspace import db as dbmod

    path = tmp_path / "old.sqlite3"
    section = corpus_assistant.draft_section("transformation")
    old = sqlite3.connect(path)
    old.row_factory = sqlite3.Row
    dbmod.m001_initial(old)
    old.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    old.execute("INSERT INTO _migrations VALUES ('m001_initial', '2026-01-01T00:00:00+00:00')")
    old.execute("INSERT INTO plans VALUES ('p1', 'ann', 'Old plan', 'productivity_plan', '2026-01-01', '2026-01-01')")
    old.execute("INSERT INTO sections VALUES ('p1', 'transformation', 'drafted', ?, '2026-01-02T09:00:00+00:00')",
                (json.dumps(section.to_dict()),))
    text = section.sentences[0].text
    old_key = f"transformation:{hashlib.sha1(text.strip().encode('utf-8')).hexdigest()[:12]}"
    old.execute("INSERT INTO reviews VALUES ('p1', ?, 'approved', 'fine', 'bob', '2026-01-03')", (old_key,))
    old.commit()
    old.close()

    upgraded = Workspace(corpus_assistant, WorkspaceDB(path))
    assert upgraded.db.applied_migrations() == ["m001_initial", "m002_council_and_exports", "m003_section_versions",
                                                "m004_review_keys_by_normalised_text", "m005_corpus_titles_log_and_document_sets"]
    assert upgraded.section("ann", "p1", "transformation").section.to_dict() == section.to_dict()
    [version] = upgraded.versions("ann", "p1", "transformation")
    assert (version.number, version.kind, version.author, version.created_at) == (1, "draft", "ann", "2026-01-02T09:00:00+00:00")
    row = upgraded.review("ann", "p1")[0]
    assert (row.text, row.decision, row.comment, row.reviewer) == (text, "approved", "fine", "bob")


def test_a_chat_that_changes_nothing_says_so_and_makes_no_version(workspace):
    plan, record = drafted(workspace)
    reply = list(workspace.chat("ann", plan.id, "transformation", "what is the weather"))[-1]
    assert reply.kind == "done"
    assert reply.record.section.to_dict()["sentences"] == record.section.to_dict()["sentences"]  # off topic: offline keeps it
    assert reply.text.startswith("Nothing changed") and "what is the weather" in reply.text
    assert len(workspace.versions("ann", plan.id, "transformation")) == 1
