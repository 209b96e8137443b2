"""Against the obvious LangChain recipe, on the same corpus and labelled questions, in the same run.

Naive RAG: PyPDFLoader / TextLoader (and the matching LangChain loaders for DOCX
and HTML) + RecursiveCharacterTextSplitter at its tutorial settings (1,000
characters, 200 overlap) + langchain-chroma similarity search, with the same
MiniLM model passed in as its embeddings (Chroma's default embedding function
downloads a model, which fails offline, and a different model would not be a
fair comparison). Ours: `Assistant.ingest` + `HybridRetriever.search`.

Labels: evals/datasets/corpus.yaml (shared with the evals): each question names
the passages that answer it by file and a distinctive phrase, so the same label
scores both systems' differently cut chunks. recall@10 = share of a question's
answering passages found in the top 10; MRR = 1 / rank of the first one found
(0 if none in the top 10); both averaged over the questions.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import QUICK, RESULTS, ROOT, save, table, timed

K = 10
CORPUS = ROOT / "corpus"
DISTRACTORS = 1 if QUICK else 4  # generated report PDFs added to the sample corpus for the second comparison


def labelled_questions():
    from assistant.config import Settings
    from assistant.templates import load_template
    from evals.data import load_dataset

    settings = Settings()
    dataset = load_dataset("corpus", load_template(settings.prompts_dir, settings.template))
    return dataset.retrieval


def score(questions, results: list[list[tuple[str, str]]]) -> dict:
    """results[i]: the top-K (source, text) for questions[i], best first."""
    recalls, reciprocal = [], []
    per_question = []
    for question, hits in zip(questions, results):
        found = [any(label.matches(src, text) for src, text in hits) for label in question.relevant]
        first = next((rank for rank, (src, text) in enumerate(hits, 1)
                      if any(label.matches(src, text) for label in question.relevant)), None)
        recalls.append(sum(found) / len(found))
        reciprocal.append(1.0 / first if first else 0.0)
        per_question.append({"id": question.id, "recall": recalls[-1], "first_rank": first})
    n = len(questions)
    return {"recall_at_10": sum(recalls) / n, "mrr": sum(reciprocal) / n, "questions": per_question}


class _LangChainMiniLM:
    """The same MiniLM model, as LangChain embeddings (built lazily: langchain_core is imported here only)."""

    def __new__(cls, model):
        from langchain_core.embeddings import Embeddings

        class MiniLM(Embeddings):
            def embed_documents(self, texts):
                return model.encode(list(texts)).tolist()

            def embed_query(self, text):
                return model.encode([text])[0].tolist()

        return MiniLM()


def naive_ingest(folder: Path, persist: Path, embeddings):
    from langchain_chroma import Chroma
    from langchain_community.document_loaders import BSHTMLLoader, Docx2txtLoader, PyPDFLoader, TextLoader
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    loaders = {".pdf": PyPDFLoader, ".txt": TextLoader, ".md": TextLoader, ".docx": Docx2txtLoader, ".html": BSHTMLLoader}
    docs = []
    for path in sorted(folder.iterdir()):
        loader = loaders.get(path.suffix.lower())
        if loader is not None:
            docs.extend(loader(str(path)).load())
    splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    store = Chroma(collection_name="naive", embedding_function=embeddings, persist_directory=str(persist))
    store.add_documents(splits)
    return store, len(splits)


def compare(folder: Path, questions, tmp: Path) -> dict:
    """Both systems on one folder: ingest time, then the labelled questions."""
    from assistant.api import Assistant
    from assistant.config import Settings
    from assistant.embed import base_embedder

    ours = Assistant(Settings(data_dir=tmp / "ours"))
    model = base_embedder(ours.embedder)
    model.encode(["warm up the model"])  # neither side pays the model load
    with timed() as naive_time:
        naive, naive_chunks = naive_ingest(folder, tmp / "naive", _LangChainMiniLM(model))
    model.cache.clear()  # nothing our ingest embeds may come from a cache
    with timed() as ours_time:
        report = ours.ingest([folder])
    assert report.ok, report.failed

    naive_hits = [[(d.metadata.get("source", ""), d.page_content) for d in naive.similarity_search(q.query, k=K)]
                  for q in questions]
    dense_hits = [[(h.chunk.source, h.chunk.text) for h in ours.retriever.search(q.query, k=K, mode="dense")]
                  for q in questions]
    hybrid_hits = [[(h.chunk.source, h.chunk.text) for h in ours.retriever.search(q.query, k=K)] for q in questions]
    return {
        "naive": {**score(questions, naive_hits), "ingest_s": naive_time.wall, "chunks": naive_chunks},
        "ours_dense": score(questions, dense_hits),
        "ours_hybrid": {**score(questions, hybrid_hits), "ingest_s": ours_time.wall, "chunks": ours.store.count()},
    }


def with_distractors(tmp: Path, documents: int) -> tuple[Path, int]:
    """The sample corpus plus generated council reports that answer none of the questions
    (same services, other figures): a store as full as a council's, not six documents."""
    from bench.bench_ingest import PAGES_PER_DOCUMENT
    from bench.synth import write_pdf_corpus

    folder = tmp / "corpus-with-distractors"
    folder.mkdir()
    for path in CORPUS.iterdir():
        if path.is_file():
            (folder / path.name).symlink_to(path)
    generated = write_pdf_corpus(RESULTS / "corpus" / f"distractors-{documents}x{PAGES_PER_DOCUMENT}-v2", documents, PAGES_PER_DOCUMENT)
    for path in generated:
        (folder / path.name).symlink_to(path)
    from pypdf import PdfReader

    return folder, sum(len(PdfReader(str(p)).pages) for p in generated)


def main() -> dict:
    questions = labelled_questions()
    n_labels = sum(len(q.relevant) for q in questions)
    data: dict = {"questions": len(questions), "labels": n_labels, "corpora": {}}
    tables = []
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as tmp:
        corpora = [("sample corpus (6 documents)", CORPUS)]
        if DISTRACTORS:
            folder, pages = with_distractors(Path(tmp), DISTRACTORS)
            corpora.append((f"sample corpus + {DISTRACTORS} generated reports ({pages} pages) as distractors", folder))
        for number, (name, folder) in enumerate(corpora):
            work = Path(tmp) / f"run-{number}"
            work.mkdir()
            result = data["corpora"][name] = compare(folder, questions, work)
            naive, dense, hybrid = result["naive"], result["ours_dense"], result["ours_hybrid"]
            rows = [
                ["Naive LangChain RAG", f"{naive['recall_at_10']:.3f}", f"{naive['mrr']:.3f}", f"{naive['ingest_s']:.1f}", naive["chunks"]],
                ["Ours, dense only", f"{dense['recall_at_10']:.3f}", f"{dense['mrr']:.3f}", "(same store)", hybrid["chunks"]],
                ["Ours, hybrid (the product)", f"{hybrid['recall_at_10']:.3f}", f"{hybrid['mrr']:.3f}", f"{hybrid['ingest_s']:.1f}", hybrid["chunks"]],
            ]
            title = (f"Against a naive LangChain RAG, {name}: {len(questions)} labelled questions "
                     f"({n_labels} answering passages, evals/datasets/corpus.yaml), same MiniLM model")
            tables.append(table(title, ["System", f"recall@{K}", "MRR", "Ingest s", "Chunks"], rows))
    save("baseline", data, tables)
    return data


if __name__ == "__main__":
    main()
