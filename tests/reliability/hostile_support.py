"""What the hostile-file tests share: a store per module, sample documents, a good file per
batch, and the checks that a batch refused a file cleanly and left the store as it was."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.api import Assistant
from tests.conftest import make_settings
from tests.filemakers import make_docx, make_pdf

AREA = "Hostile files"
PARAGRAPHS = ["# Waste collection review", "The council saved £212,000 in 2023/24 by moving to alternate weekly collections in every ward."]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Assistant:
    return Assistant(make_settings(tmp_path_factory.mktemp("hostile-store")))


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, Path]:
    """Real documents the cases are made from (built once)."""
    d = tmp_path_factory.mktemp("samples")
    return {
        "pdf": make_pdf(d / "sample.pdf", [PARAGRAPHS, ["Page two covers temporary accommodation pressures in the borough."]]),
        "docx": make_docx(d / "sample.docx", [("h1", "Library opening hours"), ("p", "The council kept all six libraries open on Saturdays through volunteer support.")]),
    }


def own_pdf(path: Path, case: str) -> Path:
    """A real PDF with text of its own (the shared store must not see it as a copy of another case's)."""
    return make_pdf(path, [[*PARAGRAPHS, f"This copy belongs to the {case} case."]])


def own_docx(path: Path, case: str) -> Path:
    return make_docx(path, [("h1", "Library opening hours"),
                            ("p", f"The council kept all six libraries open on Saturdays; this copy belongs to the {case} case.")])


def snapshot(a: Assistant) -> dict[str, tuple[str, str, str, int]]:
    """Every chunk in the store: id -> (source, content hash, file hash, index)."""
    return {c.id: (c.source, c.content_hash, c.file_hash, c.index) for c in a.store.iter_chunks()}


def good_file(folder: Path, case: str) -> Path:
    """A tiny valid document, different for every case so it is never a duplicate."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in case)[:40]
    path = folder / f"good-note-{slug}.md"
    path.write_text(f"# Good note\n\nThe good note for the {case} case says the council met its housing target in 2024.\n", encoding="utf-8")
    return path


@dataclass
class Batch:
    report: object
    before: dict
    after: dict
    good: Path

    def failure(self, path: Path) -> str:
        """The one-line reason given for `path` (there must be exactly one)."""
        reasons = [why for source, why in self.report.failed if Path(source).name == path.name]
        assert len(reasons) == 1, self.report.failed
        line = f"{path.name}: {reasons[0]}"  # as the CLI and the web app show it
        assert "\n" not in line and len(line) < 400
        return reasons[0]

    def texts_of(self, path: Path) -> list[str]:
        return [t for t in self._texts if Path(self._sources[t]).name == path.name]


def run_batch(a: Assistant, folder: Path, case: str, paths: list[Path] | None = None) -> Batch:
    """Ingest the case's files with a good one, and check the good one went in whole and
    that nothing stored before was lost or duplicated."""
    good = good_file(folder, case)
    before = snapshot(a)
    report = a.ingest(paths + [good] if paths is not None else [folder])
    after = snapshot(a)
    assert str(good.resolve()) in report.added, report
    assert set(before) <= set(after) and all(after[i] == before[i] for i in before), "nothing stored before is lost"
    # A document may repeat a passage, so duplicates are judged by position: one version per
    # file, each chunk index of it stored once.
    positions = [(src, index) for src, _, _, index in after.values()]
    assert len(positions) == len(set(positions)), "no chunk stored twice"
    assert all(len({fh for src2, _, fh, _ in after.values() if src2 == src}) == 1 for src in {p[0] for p in positions})
    batch = Batch(report, before, after, good)
    chunks = [c for c in a.store.iter_chunks() if c.id not in before]
    batch._texts = [c.text for c in chunks]
    batch._sources = {c.text: c.source for c in chunks}
    return batch


def assert_refused(batch: Batch, path: Path, expected: str) -> str:
    reason = batch.failure(path)
    assert expected.lower() in reason.lower(), reason
    new_sources = {row[0] for i, row in batch.after.items() if i not in batch.before}
    assert new_sources == {str(batch.good.resolve())}, "only the good file was added"
    return reason


def printable(text: str) -> str:
    """A file name as the report can store it: bytes that are not UTF-8 shown as '?'."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\ufffd", "?")


def refused_outcome(path: Path, reason: str) -> str:
    return f"refused: '{printable(path.name)}: {printable(reason)}'; good file in the batch ingested; store otherwise unchanged"


# -- files that must be refused ------------------------------------------------------------------
