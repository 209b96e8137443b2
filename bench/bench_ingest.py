"""Ingest throughput against the pure-embedding bound, and re-ingest of the unchanged corpus.

The bound is the same chunks through the embedder alone, measured in the same
run. The corpus is taken in a few rounds, each measuring its files' bound and
their ingest back to back (alternating which goes first), so a change in the
machine's load during the run weighs on both sides alike. Targets: ingest >= 0.9 of the bound;
re-ingest <= 2% of the first ingest.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import QUICK, RESULTS, Clock, load_average, save, table, timed, verdict
from bench.synth import write_pdf_corpus

DOCUMENTS, PAGES_PER_DOCUMENT = (4, 20) if QUICK else (24, 21)
ROUNDS = 2 if QUICK else 4
TARGET_RATIO = 0.9
TARGET_REINGEST = 0.02


def main() -> dict:
    from assistant.api import Assistant
    from assistant.config import Settings
    from assistant.embed import base_embedder, get_embedder
    from assistant.ingest.chunker import chunk_document
    from assistant.ingest.loaders import load
    from assistant.ingest.pipeline import file_sha256

    settings0 = Settings()
    with timed() as generate:
        folder = RESULTS / "corpus" / f"pdf-{DOCUMENTS}x{PAGES_PER_DOCUMENT}-v2"
        paths = write_pdf_corpus(folder, DOCUMENTS, PAGES_PER_DOCUMENT)

    embedder = base_embedder(get_embedder(settings0.embedder))  # the model itself, under any cache wrapper
    with timed() as model_load:
        embedder.encode(["warm up the model"])

    # The exact texts the ingest will embed (each chunk as `vector_text`: title, heading, text), prepared outside any timing.
    with timed() as prepare:
        docs = [load(p.resolve()) for p in paths]
        texts_by_file = [[c.vector_text() for c in chunk_document(d, file_sha256(p), settings0.chunk_tokens, settings0.chunk_overlap)]
                         for p, d in zip(paths, docs)]
    texts = [t for file_texts in texts_by_file for t in file_texts]
    pages = sum(d.page_count or 0 for d in docs)
    assert pages >= (40 if QUICK else 500), f"the generated corpus has only {pages} pages"

    # Interleaved rounds, alternating which goes first (ABBA), so a change in the machine's
    # load during the run weighs on the bound and the ingest alike.
    rounds = _rounds(paths, ROUNDS)
    texts_of = dict(zip(paths, texts_by_file))
    bound, ingest, store_open = Clock(), Clock(), Clock()
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        settings = settings0.with_(data_dir=Path(tmp) / "data")
        written = 0
        for number, part in enumerate(rounds):
            folder_part = Path(tmp) / "rounds" / f"round-{number}"
            folder_part.mkdir(parents=True)
            for path in part:  # hard links: same files, one folder per round
                (folder_part / path.name).hardlink_to(path)
            for step in (("bound", "ingest") if number % 2 == 0 else ("ingest", "bound")):
                if step == "bound":
                    with timed() as clock:
                        embedder.encode([t for p in part for t in texts_of[p]])
                    bound.add(clock)
                else:
                    embedder.cache.clear()  # nothing the ingest embeds may come from a cache
                    # Opening the store is start-up, timed apart like the model load: one
                    # `assistant ingest` pays it once, and the rounds would pay it four times.
                    with timed() as opening:
                        assistant = Assistant(settings)
                        assistant.store.count()
                    store_open.add(opening)
                    with timed() as clock:
                        report = assistant.ingest([folder_part])
                    ingest.add(clock)
                    assert report.ok, report.failed
                    written += report.chunks_written
        assert written == len(texts), (written, len(texts))
        with timed() as reingest:  # a new Assistant on the same store, as a second `assistant ingest` is
            again = Assistant(settings).ingest([Path(tmp) / "rounds"])
        assert len(again.unchanged) == len(paths) and again.chunks_written == 0
    load_after = load_average()

    bound_wall, bound_cpu = bound.wall, bound.cpu
    n = len(texts)
    ratio = bound_wall / ingest.wall
    share = reingest.wall / ingest.wall
    data = {
        "documents": len(paths), "pages": pages, "chunks": n,
        "generate_s": generate.wall, "model_load_s": model_load.wall, "store_open_s": store_open.wall / len(rounds), "load_and_chunk_serial_s": prepare.wall,
        "bound": {"wall_s": bound_wall, "cpu_s": bound_cpu, "pages_per_s": pages / bound_wall, "chunks_per_s": n / bound_wall},
        "ingest": {"wall_s": ingest.wall, "cpu_s": ingest.cpu, "pages_per_s": pages / ingest.wall, "chunks_per_s": n / ingest.wall},
        "ratio_wall": ratio, "ratio_cpu": bound_cpu / ingest.cpu,
        "reingest": {"wall_s": reingest.wall, "share_of_ingest": share},
        "load_average_before": load_before, "load_average_after": load_after,
        "targets": {"ratio": TARGET_RATIO, "reingest_share": TARGET_REINGEST},
    }
    rows = [
        ["Embedding alone (bound)", f"{bound_wall:.1f}", f"{pages / bound_wall:.1f}", f"{n / bound_wall:.1f}", "1.00", ""],
        ["Ingest (load, chunk, embed, store)", f"{ingest.wall:.1f}", f"{pages / ingest.wall:.1f}", f"{n / ingest.wall:.1f}",
         f"{ratio:.3f}", f">= {TARGET_RATIO}: {verdict(ratio >= TARGET_RATIO)}"],
        ["Re-ingest, unchanged", f"{reingest.wall:.2f}", "", "", f"{share:.2%} of ingest",
         f"<= {TARGET_REINGEST:.0%}: {verdict(share <= TARGET_REINGEST)}"],
    ]
    title = (f"Ingest: {len(paths)} generated PDFs, {pages} pages, {n} chunks, in {len(rounds)} interleaved rounds "
             f"(load and chunk alone, serial: {prepare.wall:.1f} s; opening the store, apart: {data['store_open_s']:.2f} s; CPU-time ratio {data['ratio_cpu']:.2f}; "
             f"load average {load_before} -> {load_after})")
    save("ingest", data, [table(title, ["Run", "Seconds", "Pages/s", "Chunks/s", "Ratio to bound", "Target"], rows)])
    return data


def _rounds(paths: list[Path], rounds: int) -> list[list[Path]]:
    size = -(-len(paths) // rounds)
    return [paths[i : i + size] for i in range(0, len(paths), size)]


if __name__ == "__main__":
    main()
