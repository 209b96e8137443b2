"""The overlapped ingest (issue 7: load ahead, embed in batches across files, write behind)
must report and store exactly what the one-file-at-a-time ingest did."""

from __future__ import annotations

import numpy as np

from assistant.embed import base_embedder
from assistant.progress import Progress
from assistant.records import Chunk


class RecordingProgress(Progress):
    def __init__(self):
        self.advanced: list[str] = []
        self.warnings: list[str] = []

    def advance(self, detail: str = "", n: int = 1) -> None:
        self.advanced.append(detail)

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def _folder(tmp_path, files: dict[str, str]):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


NOTES = {
    f"note-{i:02d}.md": f"# Note {i}\n\nThe {word} depot spent £{i + 1},000 on repairs in 2023/24, the report says.\n"
    for i, word in enumerate(["Quillford", "Wexcombe", "Ashcombe", "Brayford", "Calder", "Denholm", "Elstow", "Farnby"])
}


def test_results_are_reported_in_file_order_whatever_finishes_first(assistant, tmp_path):
    files = dict(NOTES)
    files["note-03.md"] = ""  # fails: empty
    files["note-05.md"] = NOTES["note-01.md"]  # same content as note-01: a duplicate within one run
    folder = _folder(tmp_path, files)
    progress = RecordingProgress()
    report = assistant.ingest([folder], progress=progress)
    names = sorted(files)
    assert progress.advanced == names, "one advance per file, in order"
    assert [p.rsplit("/", 1)[1] for p in report.added] == [n for n in names if n not in ("note-03.md", "note-05.md")]
    assert [(d.rsplit("/", 1)[1], t.rsplit("/", 1)[1]) for d, t in report.duplicates] == [("note-05.md", "note-01.md")]
    assert [f.rsplit("/", 1)[1] for f, _ in report.failed] == ["note-03.md"]
    assert len(progress.warnings) == 1
    assert report.chunks_written == assistant.store.count() == len(names) - 2


def test_each_file_gets_its_own_vectors_when_files_share_a_model_call(assistant, tmp_path):
    assistant.ingest([_folder(tmp_path, NOTES)])
    model = base_embedder(assistant.embedder)
    got = assistant.store.collection.get(include=["documents", "metadatas", "embeddings"])
    assert len(got["ids"]) == len(NOTES)
    chunks = [Chunk.from_store(*row) for row in zip(got["ids"], got["documents"], got["metadatas"])]
    fresh = model.encode([c.vector_text() for c in chunks])  # each passage on its own terms, no cache
    similarity = np.sum(np.asarray(got["embeddings"]) * fresh, axis=1)
    assert similarity.min() > 0.999, "a chunk was stored with another chunk's vector"


def test_an_embedding_failure_fails_its_files_and_the_run_goes_on(assistant, tmp_path, monkeypatch):
    model = base_embedder(assistant.embedder)
    real = model.encode

    def flaky(texts):
        if any("Quillford" in t for t in texts):
            raise RuntimeError("the model fell over")
        return real(texts)

    monkeypatch.setattr(model, "encode", flaky)
    model.cache.clear()
    bad = _folder(tmp_path, {"bad.md": NOTES["note-00.md"]})
    report = assistant.ingest([bad])
    assert [f.rsplit("/", 1)[1] for f, _ in report.failed] == ["bad.md"]
    assert "the model fell over" in report.failed[0][1]
    assert assistant.store.count() == 0
    good = tmp_path / "good.md"
    good.write_text(NOTES["note-01.md"], encoding="utf-8")
    assert assistant.ingest([good]).added == [str(good.resolve())]
