"""ChunkStore's Chroma-server path (CHROMA_HOST / CHROMA_PORT), against a real `chroma run`
started on a free loopback port with a temp path, and always stopped afterwards."""

from __future__ import annotations

import shutil

import pytest

from assistant.api import Assistant
from bench.chroma_server import chroma_server
from tests.conftest import CORPUS, make_settings

pytestmark = pytest.mark.slow

DOCS = ("cabinet-minutes-2024-06-18.txt", "mtfs-summary-2024-25-to-2027-28.docx", "council-plan-2024-2028.pdf")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with chroma_server(tmp_path_factory.mktemp("chroma-server") / "chroma") as running:
        yield running


def _client(server, data_dir):
    return Assistant(make_settings(data_dir, chroma_host=server.host, chroma_port=server.port, collection="server-test"))


def test_ingest_search_and_catalogue_through_a_chroma_server(server, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in DOCS:
        shutil.copy(CORPUS / name, folder / name)
    assistant = _client(server, tmp_path / "data")
    assert f"{server.host}:{server.port}" in assistant.store.location

    report = assistant.ingest([folder])
    assert report.ok and len(report.added) == 3 and report.chunks_written == assistant.store.count()
    assert {d.kind for d in assistant.sources()} == {"txt", "docx", "pdf"}

    hits = assistant.retriever.search("How much did the council spend on consultants and agency staff?", k=5)
    assert any("Spend on consultants was £385,000" in h.chunk.text for h in hits)
    keyword = assistant.retriever.search("1,900 officer hours", k=3, mode="keyword")
    assert keyword and "1,900 officer hours" in keyword[0].chunk.text

    # Another client of the same server (another machine's CLI): it reads the same catalogue,
    # so nothing is ingested twice, and what it adds is searchable from the first client.
    other = _client(server, tmp_path / "other-data")
    again = other.ingest([folder])
    assert len(again.unchanged) == 3 and again.chunks_written == 0
    note = tmp_path / "note.md"
    note.write_text("# Depot\n\nThe Wexcombe depot roof was replaced in 2023 for £48,000.\n", encoding="utf-8")
    assert other.ingest([note]).added == [str(note.resolve())]
    assistant.retriever.revision_ttl = 0  # read the store's revision now, not within the second
    found = assistant.retriever.search("Wexcombe depot roof", k=3, mode="keyword")
    assert found and "Wexcombe" in found[0].chunk.text


def test_unreachable_server_is_reported_with_what_to_do(tmp_path):
    from bench.chroma_server import free_port
    from assistant.store import StoreError

    port = free_port()  # nothing listens there
    with pytest.raises(StoreError, match="chroma run"):
        _ = Assistant(make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=port)).store
