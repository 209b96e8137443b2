"""Crashes (issue 6): real processes killed with SIGKILL at points the test can observe, then
the product reopened. Ingest must finish on the next run with every document complete, nothing
duplicated and the keyword index agreeing with the store; a plan being saved (workspace SQLite,
the CLI's drafts/latest.json) must come back as the last version saved in full.

The killed processes are the real CLI (`python -m assistant.cli ingest`) or small scripts that
drive the real Workspace / Assistant; nothing is monkeypatched. While a process runs, the test
watches the Chroma SQLite file read-only (chunks stored so far) rather than opening the store,
so its own process never caches a view of a store another process is writing.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.config import PROJECT_ROOT
from assistant.ingest.chunker import chunk_document
from assistant.ingest.loaders import load
from assistant.ingest.pipeline import file_sha256
from assistant.retrieve import KeywordIndex
from tests.conftest import make_settings

AREA = "Crashes"
FILES = 8
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "PYTHONUNBUFFERED": "1"}
for _var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT", "CHROMA_HOST"):
    ENV.pop(_var, None)


# -- helpers -------------------------------------------------------------------------------------

def write_corpus(folder: Path, version: int) -> dict[str, str]:
    """FILES small reports (about eight chunks each); returns file name -> its unique marker word."""
    folder.mkdir(exist_ok=True)
    markers = {}
    for n in range(FILES):
        marker = f"zqmarker{n}v{version}"
        name = f"report-{n:02d}.txt"
        paras = [f"Report {n} version {version}", ""]
        for p in range(12):
            paras.append(
                f"Paragraph {p} of report {n}: the council reviewed service area {n * 13 + p} and found that the "
                f"{marker} programme saved {p + 1},{n}00 pounds across {p + 3} wards while waiting lists for "
                f"assessments fell by {p + n} per cent, which the committee noted with thanks to the staff concerned."
            )
            paras.append("")
        (folder / name).write_text("\n".join(paras), encoding="utf-8")
        markers[name] = marker
    return markers


def expected_chunks(folder: Path, settings) -> dict[str, str]:
    """What a clean ingest stores for these files (the chunker run on its own): chunk id -> text."""
    out = {}
    for path in sorted(folder.iterdir()):
        path = path.resolve()
        chunks = chunk_document(load(path), file_sha256(path), settings.chunk_tokens, settings.chunk_overlap)
        out.update({c.id: c.text for c in chunks})
    return out


def stored_chunks(data_dir: Path) -> int:
    """Chunks in the store, read from Chroma's SQLite file without opening the store."""
    db_file = data_dir / "chroma" / "chroma.sqlite3"
    if not db_file.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
    except sqlite3.Error:  # not created yet, or busy for a moment
        return -1


def stored_ids(data_dir: Path) -> set[str]:
    try:
        with sqlite3.connect(f"file:{data_dir / 'chroma' / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=1) as db:
            return {row[0] for row in db.execute("SELECT embedding_id FROM embeddings")}
    except sqlite3.Error:
        return set()


def cli(data_dir: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "assistant.cli", "--data-dir", str(data_dir), *args], cwd=PROJECT_ROOT,
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def kill_when(proc: subprocess.Popen, ready, what: str, limit: float = 240) -> None:
    """SIGKILL `proc` as soon as `ready()` holds (polled every 10 ms)."""
    deadline = time.monotonic() + limit
    while not ready():
        if proc.poll() is not None:
            pytest.fail(f"the process ended before {what}: {proc.stdout.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL


def run_to_end(proc: subprocess.Popen) -> str:
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, out
    return out


def script(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], cwd=PROJECT_ROOT, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


SEARCH = """
import json, sys
from pathlib import Path
from assistant.api import Assistant
from assistant.config import Settings
a = Assistant(Settings(data_dir=Path(sys.argv[1])))
found = {m: sorted({h.chunk.source for h in a.retriever.search(m, k=4, mode="keyword")}) for m in sys.argv[2:]}
print(json.dumps({"found": found, "index": [p.name for p in a.retriever.index_root.iterdir()]}))
"""


def keyword_search(data_dir: Path, markers) -> dict:
    """Keyword search in a fresh process, as the next CLI command would (it saves the index it builds)."""
    out = run_to_end(script(SEARCH, str(data_dir), *markers))
    return json.loads(out.strip().splitlines()[-1])


def read_store(data_dir: Path) -> dict:
    """Chunks and catalogue as stored in Chroma's SQLite file, read without opening the store
    (so this process caches nothing of a store other processes write to next)."""
    rows: dict[str, dict] = {}
    with sqlite3.connect(f"file:{data_dir / 'chroma' / 'chroma.sqlite3'}?mode=ro", uri=True) as db:
        for cid, key, text, number in db.execute(
            "SELECT e.embedding_id, m.key, m.string_value, m.int_value FROM embeddings e JOIN embedding_metadata m ON m.id = e.id "
            "WHERE m.key IN ('source', 'chroma:document', 'file_hash', 'chunk_count')"
        ):
            rows.setdefault(cid, {})[key] = text if number is None else number
    chunks = {cid: [r["source"], r["chroma:document"], r["file_hash"]] for cid, r in rows.items()}
    docs: dict[str, list] = {}
    for r in rows.values():
        doc = docs.setdefault(r["source"], [0, set(), r["chunk_count"]])
        doc[0] += 1
        doc[1].add(r["file_hash"])
    # complete: one version, and as many chunks as that version recorded (the catalogue's rule)
    return {"chunks": chunks, "docs": {src: [n, len(hashes) == 1 and n == expected] for src, (n, hashes, expected) in docs.items()}}


def assert_matches_clean(state: dict, expected: dict[str, str], folder: Path, markers: dict[str, str]) -> None:
    chunks = state["chunks"]
    assert set(chunks) == set(expected), "no chunk missing, none extra, no old version left"
    assert all(chunks[i][1] == expected[i] for i in expected), "each chunk's text is the clean ingest's"
    texts = [(src, text) for src, text, _ in chunks.values()]
    assert len(texts) == len(set(texts)), "no chunk stored twice"
    sources = {str((folder / name).resolve()) for name in markers}
    assert set(state["docs"]) == sources
    for source, (count, complete) in state["docs"].items():
        assert complete, f"{source} is complete (one version, its recorded chunk count)"
        assert count == sum(1 for i in expected if chunks[i][0] == source)
    for name, marker in markers.items() if "found" in state else ():
        assert state["found"][marker] == [str((folder / name).resolve())], f"keyword search finds {name}"


# -- ingest killed ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_ingest_killed_mid_run_then_rerun_leaves_every_document_whole(tmp_path, reliability):
    folder = tmp_path / "share"
    data = tmp_path / "data"
    settings = make_settings(data)
    v1 = write_corpus(folder, 1)
    expected_v1 = expected_chunks(folder, settings)

    # 1. Killed while the model embeds: the first files are stored, the rest are not.
    proc = cli(data, "ingest", str(folder))
    kill_when(proc, lambda: stored_chunks(data) > 0, "the first chunks were stored")
    at_kill = stored_chunks(data)
    assert 0 < at_kill < len(expected_v1)
    out = run_to_end(cli(data, "ingest", str(folder)))
    assert "0 failed" in out, out
    state = read_store(data)
    assert_matches_clean(state, expected_v1, folder, v1)
    searched = keyword_search(data, v1.values())  # builds and saves the keyword index of this revision
    assert searched["found"] == {marker: [str((folder / name).resolve())] for name, marker in v1.items()}
    assert len(searched["index"]) == 1
    reliability.record(AREA, "kill -9 of `assistant ingest` on 8 files once its first chunks were stored (the rest being embedded)",
                       "re-run finished the ingest: every document complete, chunk ids and texts identical to a clean "
                       "ingest, none duplicated, catalogue consistent with the chunks, keyword search (index saved) "
                       "finds every document")

    # 2. Every file changed, killed as soon as a new version's chunks are seen: usually while
    #    the old version's are still there (new ones are written first), at worst just after.
    v2 = write_corpus(folder, 2)
    proc = cli(data, "ingest", str(folder))
    kill_when(proc, lambda: bool(stored_ids(data) - set(expected_v1)), "the first changed file's new chunks were stored")
    out = run_to_end(cli(data, "ingest", str(folder)))
    assert "0 failed" in out, out

    # The reference: the same files ingested cleanly into another store.
    clean = Assistant(make_settings(tmp_path / "clean"))
    assert clean.ingest([folder]).ok
    expected_v2 = {c.id: c.text for c in clean.store.iter_chunks()}
    assert set(expected_v2) == set(expected_chunks(folder, settings))

    crashed = Assistant(settings)  # the first time this process opens the crashed store
    state = {
        "chunks": {c.id: [c.source, c.text, c.file_hash] for c in crashed.store.iter_chunks()},
        "docs": {d.source: [d.chunks, crashed.store.document_state(d.doc_id).complete] for d in crashed.sources()},
        "found": {m: sorted({h.chunk.source for h in crashed.retriever.search(m, k=4, mode="keyword")}) for m in v2.values()},
    }
    assert_matches_clean(state, expected_v2, folder, v2)
    for old in v1.values():
        assert crashed.retriever.search(old, k=4, mode="keyword") == [], "no old version's text is found"
    assert [(d.source, d.chunks) for d in crashed.sources()] == [(d.source, d.chunks) for d in clean.sources()]
    # The keyword index saved on disk is the one for the store as it is now, and holds exactly its chunks.
    saved = [p for p in crashed.retriever.index_root.iterdir() if ".tmp-" not in p.name]
    assert len(saved) == 1 and saved[0].name != searched["index"][0], "the index saved before the crash was replaced"
    assert set(KeywordIndex.load(saved[0]).ids) == set(expected_v2)
    for name, marker in v2.items():  # and dense search still reaches every document
        hits = crashed.retriever.search(f"the {marker} programme saved pounds in report {name[7:9].lstrip('0') or '0'}", k=3, mode="dense")
        assert hits
    reliability.record(AREA, "kill -9 of `assistant ingest` re-ingesting 8 changed files, as soon as the first new version's chunks were stored",
                       "re-run completed the swap: only the new versions are stored, ids and texts identical to a clean "
                       "ingest into another store, catalogue equal to the clean one, the saved keyword index holds exactly "
                       "the store's chunks and finds every document's new text and none of the old")


# -- saving a plan killed --------------------------------------------------------------------------

WORKSPACE_WRITER = """
import json, sys, time
from pathlib import Path
from assistant.api import Assistant
from assistant.config import Settings
from assistant.records import Section, Sentence
from assistant.workspace.service import Workspace

data_dir, mode, sync = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
ws = Workspace(Assistant(Settings(data_dir=data_dir)))
theme = ws.template.themes[0]

def section(version):
    text = f"Version {version} of the section says the council saved £{version},000."
    return Section(theme.id, theme.title, [Sentence(text, [1])], [], notes=[f"version {version}", "x" * 20000])

plan = ws.create_plan("officer", "Plan that survives a crash")
ws._save_section(plan.id, section(1))
ws._add_message(plan.id, theme.id, "user", "saved version 1")
print(json.dumps({"plan": plan.id, "theme": theme.id}), flush=True)
if mode == "hold":
    # Version 2 written inside a transaction that the kill interrupts before COMMIT.
    with ws.db.write() as db:
        ws._save_section(plan.id, section(2), db=db)
        ws._add_message(plan.id, theme.id, "user", "saved version 2", db=db)
        sync.write_text("in transaction")
        time.sleep(600)
else:
    version = 1
    while True:  # save after save, each its own transaction, until killed
        version += 1
        with ws.db.write() as db:
            ws._save_section(plan.id, section(version), db=db)
            ws._add_message(plan.id, theme.id, "user", f"saved version {version}", db=db)
        sync.write_text(str(version))
"""


def _open_workspace(data_dir: Path):
    from assistant.workspace.service import Workspace

    return Workspace(Assistant(make_settings(data_dir)))


def test_workspace_killed_inside_a_save_keeps_the_last_saved_version(tmp_path, reliability):
    data, sync = tmp_path / "data", tmp_path / "sync"
    proc = script(WORKSPACE_WRITER, str(data), "hold", str(sync))
    ids = json.loads(proc.stdout.readline())
    kill_when(proc, sync.exists, "version 2's transaction was open")
    ws = _open_workspace(data)
    with ws.db.read() as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    record = ws.section("officer", ids["plan"], ids["theme"])
    assert record.section.notes[0] == "version 1" and "£1,000" in record.section.sentences[0].text
    assert [m["content"] for m in ws.messages("officer", ids["plan"], ids["theme"])] == ["saved version 1"]
    ws.edit("officer", ids["plan"], ids["theme"], "The council saved money [1].")  # and it can be written again at once
    reliability.record(AREA, "kill -9 of a process holding an open workspace transaction (version 2 of a section written, not committed)",
                       "reopened: SQLite integrity ok, section and chat are version 1 exactly, the next save succeeds")


def test_workspace_killed_between_saves_keeps_the_latest_committed(tmp_path, reliability):
    data, sync = tmp_path / "data", tmp_path / "sync"
    proc = script(WORKSPACE_WRITER, str(data), "loop", str(sync))
    ids = json.loads(proc.stdout.readline())

    def enough():
        try:
            return int(sync.read_text() or 0) >= 15
        except (OSError, ValueError):
            return False

    kill_when(proc, enough, "fifteen saves")
    last_seen = int(sync.read_text() or 0)
    ws = _open_workspace(data)
    section = ws.section("officer", ids["plan"], ids["theme"]).section
    version = int(section.notes[0].split()[1])
    assert version >= last_seen and f"£{version},000" in section.sentences[0].text
    messages = [m["content"] for m in ws.messages("officer", ids["plan"], ids["theme"])]
    assert messages == [f"saved version {v}" for v in range(1, version + 1)], "section and chat saved together or not at all"
    reliability.record(AREA, "kill -9 of a process saving a section over and over (one transaction per save)",
                       "reopened: the section is the last committed version, whole, and the chat holds exactly the "
                       "messages of the versions saved")


DRAFT_WRITER = """
import sys
from pathlib import Path
from assistant.api import Assistant
from assistant.config import Settings
from assistant.records import Plan, Section, Sentence

a = Assistant(Settings(data_dir=Path(sys.argv[1])))
version = 0
while True:
    version += 1
    body = [Sentence(f"Sentence {i} of version {version}.", [1]) for i in range(4000)]
    a.save_plan(Plan("productivity_plan", f"Plan version {version}", [Section("t", "T", body, [])], 4, 600))
    print(version, flush=True)
"""


def test_cli_draft_save_killed_mid_write_keeps_a_whole_draft(tmp_path, reliability):
    data = tmp_path / "data"
    proc = script(DRAFT_WRITER, str(data))
    saved = []
    while len(saved) < 3:  # a few whole saves first
        line = proc.stdout.readline()
        assert line, "the writer ended early"
        saved.append(int(line))
    tmp = data / "drafts" / "latest.tmp"
    kill_when(proc, tmp.exists, "a save was being written")
    a = Assistant(make_settings(data))
    plan = a.load_plan()  # parses: never a half-written file
    version = int(plan.title.split()[-1])
    assert version >= saved[-1]
    assert len(plan.sections[0].sentences) == 4000 and plan.sections[0].sentences[-1].text == f"Sentence 3999 of version {version}."
    a.save_plan(plan)  # a leftover latest.tmp does not stop the next save
    assert a.load_plan().title == plan.title and not tmp.exists()
    reliability.record(AREA, "kill -9 while `drafts/latest.json` is being saved over and over (the CLI's saved draft)",
                       "latest.json loads as the last whole version saved; the leftover latest.tmp is replaced by the next save")
