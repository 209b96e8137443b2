"""Chunker: blocks -> token-sized chunks that keep their page and heading.

Blocks that share a page and heading are joined, then split by tokens on
paragraph and sentence boundaries (LangChain's recursive splitter measured with
tiktoken). A chunk never spans two pages or two headings, so its citation
(document, page) is exact.
"""

from __future__ import annotations

import hashlib
from itertools import groupby

from assistant.records import TABLE, Chunk, LoadedDocument
from assistant.tokens import ENCODING_NAME

_SEPARATORS = ["\n\n", "\n", ". ", "; ", ", ", " ", ""]


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def doc_id_for(source: str) -> str:
    """A document is identified by where it lives; its content hash says which version."""
    return sha256_hex(source)[:16]


def _splitter(chunk_tokens: int, overlap: int):
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter.from_tiktoken_encoder(
        encoding_name=ENCODING_NAME,
        chunk_size=chunk_tokens,
        chunk_overlap=overlap,
        separators=_SEPARATORS,
        keep_separator="end",
    )


def chunk_document(doc: LoadedDocument, file_hash: str, chunk_tokens: int = 180, overlap: int = 30) -> list[Chunk]:
    splitter = _splitter(chunk_tokens, overlap)
    doc_id = doc_id_for(doc.source)
    chunks: list[Chunk] = []
    for (page, heading, form), group in groupby(doc.blocks, key=lambda b: (b.page, b.heading, b.form)):
        # Table rows are one per line, so a chunk of a table splits between rows, never inside one.
        text = ("\n" if form == TABLE else "\n\n").join(b.text for b in group if b.text.strip())
        for piece in splitter.split_text(text):
            piece = piece.strip()
            if len(piece.split()) < 3:  # "None." under a minute heading says nothing worth finding
                continue
            index = len(chunks)
            chunks.append(
                Chunk(
                    # The id includes the file hash, so a changed file's new chunks never
                    # overwrite the old ones before the swap completes (see ingest.pipeline).
                    id=f"{doc_id}:{file_hash[:12]}:{index:05d}",
                    doc_id=doc_id,
                    text=piece,
                    source=doc.source,
                    title=doc.title,
                    page=page,
                    heading=heading,
                    index=index,
                    content_hash=sha256_hex(piece)[:16],
                    file_hash=file_hash,
                    form=form,
                )
            )
    return chunks
