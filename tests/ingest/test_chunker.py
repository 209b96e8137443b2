from __future__ import annotations

from assistant.ingest.chunker import chunk_document
from assistant.records import Block, LoadedDocument
from assistant.tokens import count_tokens


def _doc(blocks):
    return LoadedDocument(source="/x/report.pdf", title="Report", kind="pdf", blocks=blocks, page_count=2)


def test_chunks_stay_within_token_limit_and_never_span_pages_or_headings():
    long_para = " ".join(f"Sentence number {i} describes the council budget in some detail." for i in range(80))
    doc = _doc([Block(long_para, 1, "Budget"), Block("Short text on page two about staffing levels.", 2, "Budget"),
                Block("Another heading's paragraph about the estate review.", 2, "Estate")])
    chunks = chunk_document(doc, "f" * 64, chunk_tokens=120, overlap=20)
    assert all(count_tokens(c.text) <= 120 for c in chunks)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert {(c.page, c.heading) for c in chunks} == {(1, "Budget"), (2, "Budget"), (2, "Estate")}
    assert all(not (c.page == 2 and "Sentence number" in c.text) for c in chunks)
    assert len({c.id for c in chunks}) == len(chunks)
    assert all(c.title == "Report" and c.source == "/x/report.pdf" and c.file_hash == "f" * 64 for c in chunks)


def test_chunk_ids_are_stable_for_the_same_file_and_change_with_its_content():
    doc = _doc([Block("The council approved the budget for the coming year.", 1, "")])
    a = chunk_document(doc, "a" * 64)
    b = chunk_document(doc, "a" * 64)
    c = chunk_document(doc, "b" * 64)
    assert [x.id for x in a] == [x.id for x in b]
    assert {x.id for x in a}.isdisjoint(x.id for x in c)
