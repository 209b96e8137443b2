"""The command line as a user runs it: real subprocesses, a temp data dir."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CORPUS


def run(args, data_dir, env_extra=None, **kw):
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), "COLUMNS": "200", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True, env=env, timeout=300, **kw)


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory):
    data = tmp_path_factory.mktemp("cli-data")
    docs = tmp_path_factory.mktemp("cli-docs")
    for f in CORPUS.iterdir():
        shutil.copy(f, docs / f.name)
    (docs / "broken.pdf").write_bytes(b"%PDF-1.5 nothing here")
    result = run(["ingest", str(docs)], data)
    return data, docs, result


def test_ingest_reports_a_bad_file_in_one_line_and_ingests_the_rest(cli_store):
    _, docs, result = cli_store
    assert result.returncode == 0, result.stderr
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed")]
    assert len(failed) == 1 and "broken.pdf" in failed[0] and "not a readable PDF" in failed[0]
    assert "6 added" in result.stderr and "1 failed" in result.stderr


def test_sources_lists_documents_with_pages_and_chunks(cli_store):
    data, _, _ = cli_store
    result = run(["sources"], data)
    assert result.returncode == 0, result.stderr
    assert "Council Plan 2024 to 2028" in result.stdout and "council-plan-2024-2028.pdf" in result.stdout
    assert "mtfs-summary" in result.stdout


def test_draft_json_to_stdout_and_summary_table_to_stderr(cli_store):
    data, _, _ = cli_store
    result = run(["draft", "--theme", "wasteful_spend", "--format", "json"], data)
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert [s["theme_id"] for s in plan["sections"]] == ["wasteful_spend"]
    section = plan["sections"][0]
    assert section["sentences"] and all(s["citations"] for s in section["sentences"])
    assert [g["question_id"] for g in section["gaps"]] == ["t3_edi"]
    assert "Reducing wasteful spend" in result.stderr and "Evidence gaps" in result.stderr


def test_draft_from_named_documents_cites_only_them(cli_store):
    """`--document` drafts from a set of the ingested documents (as a plan's document set does in the web app),
    named by file name or title; an unknown name is an error listing what there is, not a draft from everything."""
    data, _, _ = cli_store
    every = json.loads(run(["draft", "--theme", "wasteful_spend", "--format", "json"], data).stdout)["sections"][0]
    assert len({Path(e["source"]).name for e in every["evidence"]}) > 1
    named = "mtfs-summary-2024-25-to-2027-28.docx"
    result = run(["draft", "--theme", "wasteful_spend", "--format", "json", "--document", named.upper()], data)
    assert result.returncode == 0, result.stderr
    section = json.loads(result.stdout)["sections"][0]
    assert section["sentences"] and {Path(e["source"]).name for e in section["evidence"]} == {named}
    assert {Path(c["source"]).name for s in section["sentences"] for c in s["citations"]} == {named}
    wrong = run(["draft", "--theme", "wasteful_spend", "--document", "mtfs.docx"], data)
    assert wrong.returncode == 1 and "no ingested document is called 'mtfs.docx'" in " ".join(wrong.stderr.split())
    assert named in " ".join(wrong.stderr.split()) and not wrong.stdout


def test_draft_writes_markdown_file(cli_store, tmp_path):
    data, _, _ = cli_store
    out = tmp_path / "out" / "plan.md"
    result = run(["draft", "--out", str(out)], data, env_extra={"ASSISTANT_COUNCIL": "Test Borough Council"})
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.count("\n## ") == 5  # four themes and the references
    assert "Total" in result.stderr and "of 4" in result.stderr
    assert text.startswith("> **DRAFT"), "nothing is accepted on the command line: the output is a draft"
    assert "> **DRAFT \u2014 not the final plan.** Test Borough Council," in text  # ASSISTANT_COUNCIL
    # The table's pages are the web meter's and the export check's (budget.plan_pages), references included.
    from assistant.api import Assistant
    from assistant.budget import plan_pages
    from assistant.config import Settings

    assistant = Assistant(Settings(data_dir=data))
    budget = plan_pages(assistant.load_plan(), assistant.template)
    assert f"{budget.pages:.2f} of 4" in result.stderr
    assert f"References: {budget.references} references, one line each: counted in the page limit" in " ".join(result.stderr.split())


def test_unknown_theme_is_a_clear_error(cli_store):
    data, _, _ = cli_store
    result = run(["draft", "--theme", "nope"], data)
    assert result.returncode == 1
    assert "no theme 'nope'" in result.stderr and "transformation" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_is_fast_because_heavy_parts_load_lazily(tmp_path):
    start = time.perf_counter()
    result = run(["--help"], tmp_path)
    assert result.returncode == 0 and "ingest" in result.stdout and "draft" in result.stdout
    assert time.perf_counter() - start < 5  # generous here; bench/ measures the real figure


def test_revise_works_on_the_saved_draft(cli_store, tmp_path):
    data, _, _ = cli_store
    assert run(["draft", "--theme", "barriers", "--out", str(tmp_path / "first.md")], data).returncode == 0
    result = run(["revise", "barriers", "make it shorter", "--out", str(tmp_path / "revised.md")], data)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("## The barriers preventing progress")
    assert "shortened" in result.stderr
    assert len((tmp_path / "revised.md").read_text()) < len((tmp_path / "first.md").read_text())
    missing = run(["revise", "technology", "shorter"], data)
    assert missing.returncode == 1 and "no 'technology' section" in missing.stderr


def test_draft_explain_says_why_each_gap_is_a_gap(cli_store):
    data, _, _ = cli_store
    result = run(["draft", "--theme", "wasteful_spend", "--format", "json", "--explain"], data)
    assert result.returncode == 0, result.stderr
    gap = json.loads(result.stdout)["sections"][0]["gaps"][0]
    assert gap["question_id"] == "t3_edi" and gap["reason"] and gap["score"] is not None
    explained = " ".join(result.stderr.split())
    assert "Guidance questions" in explained and "t3_edi" in explained
    # The reason the JSON gives, shown to the officer: its opening words and its score.
    assert " ".join(gap["reason"].split()[:4]) in explained and f"scored {gap['score']:.2f}" in explained


def test_text_with_rich_markup_is_printed_as_written(tmp_path):
    """Brackets a document, a file name or an officer wrote are text: `[/red]` once crashed `revise` (MarkupError)
    after the plan was saved, and `[bold]` would silently vanish from a title."""
    data, docs = tmp_path / "data", tmp_path / "docs"
    docs.mkdir()
    (docs / "strategy.md").write_text(
        "# [/red] Digital [bold]strategy\n\nThe Council moved 60 per cent of customer contact online in 2023 [/yellow] and "
        "removed barriers to digital services for residents.\n\nThe main barrier to progress is the [red]legacy housing "
        "system[/red], which the Council will replace in 2025.\n", encoding="utf-8")
    (docs / "[red]minutes[bold].pdf").write_bytes(b"%PDF-1.5 nothing here")
    ingested = run(["ingest", str(docs)], data)
    assert ingested.returncode == 0, ingested.stderr
    assert "failed" in ingested.stderr and "[red]minutes[bold].pdf" in ingested.stderr
    listed = run(["sources"], data)
    assert listed.returncode == 0 and "[/red] Digital [bold]strategy" in listed.stdout, listed.stderr

    assert run(["draft", "--theme", "barriers"], data).returncode == 0
    revised = run(["revise", "barriers", "[/red] add the [bold]legacy system[/bold] barrier"], data)
    assert revised.returncode == 0, revised.stderr
    assert "MarkupError" not in revised.stderr and "Traceback" not in revised.stderr
    assert "\u201c[/red] add the [bold]legacy system[/bold] barrier\u201d" in revised.stderr  # the note, as typed
    assert "Total" in revised.stderr  # the summary table was printed to the end
    unknown = run(["revise", "[/red]nope", "shorter"], data)
    assert unknown.returncode != 0 and "Traceback" not in unknown.stderr and "[/red]nope" in unknown.stderr


def test_ingest_from_the_command_line_is_in_the_corpus_log_the_web_app_shows(tmp_path):
    """Documents ingested, re-ingested after a change, or pruned from the command line show in the workspace's
    corpus log under the name given, as an upload in the web app does; an unchanged file logs nothing."""
    from assistant.workspace.db import WorkspaceDB
    from assistant.workspace.documents import CorpusRecords

    docs, data = tmp_path / "docs", tmp_path / "data"
    docs.mkdir()
    (docs / "workforce-report.txt").write_text("Workforce report\n\nThe council cut agency spend by 12% in 2023.\n")
    (docs / "estates-review.txt").write_text("Estates review\n\nThe council sold two depots in 2023.\n")
    assert run(["ingest", str(docs), "--by", "ops-team"], data).returncode == 0
    (docs / "workforce-report.txt").write_text("Workforce report\n\nThe council cut agency spend by 15% in 2024.\n")
    (docs / "estates-review.txt").unlink()
    result = run(["ingest", str(docs), "--prune", "--by", "ops-team"], data)
    assert result.returncode == 0, result.stderr
    assert "1 updated" in result.stderr and "1 pruned" in result.stderr
    assert run(["ingest", str(docs), "--by", "ops-team"], data).returncode == 0  # unchanged: nothing to log

    events = CorpusRecords(WorkspaceDB(data / "workspace.sqlite3")).events()
    log = sorted((e.user, e.action, e.file_name) for e in events)
    assert log == [("ops-team", "added", "estates-review.txt"), ("ops-team", "added", "workforce-report.txt"),
                   ("ops-team", "removed", "estates-review.txt"), ("ops-team", "updated", "workforce-report.txt")]
    [removed] = [e for e in events if e.action == "removed"]
    assert "its file is gone" in removed.detail
