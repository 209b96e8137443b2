"""Hostile files (issue 6): every case is generated here, ingested beside a good file into a
real Chroma store with the real embedder, and must either be read correctly or refused with one
line naming the file and what is wrong; the good file must ingest and the store must hold
nothing of a refused file (no chunk lost, none added, none duplicated).

One store is shared by each module: each case adds only its own tiny good file, and its checks
compare the store before and after that batch, so cases do not depend on one another.
"""

from __future__ import annotations

import os
import shutil
import tracemalloc
from pathlib import Path

import pytest

from assistant.ingest.loaders import LoadError, load
from assistant.workspace.corpus import CorpusManager
from tests.filemakers import docx_entity_expansion, docx_huge_xml, docx_nested_xml, docx_zip_bomb, encrypt_pdf, make_scanned_pdf, seeded_bytes, sparse_file
from tests.reliability.hostile_support import AREA, assert_refused, hostile, own_docx, own_pdf, refused_outcome, run_batch, samples, snapshot  # noqa: F401 (fixtures)


def _corrupt_pdf(d, s):
    p = d / "corrupt.pdf"
    p.write_bytes(s["pdf"].read_bytes()[:9] + seeded_bytes(4000))  # a PDF header, then noise
    return p


def _truncated_pdf(d, s):
    data = s["pdf"].read_bytes()
    p = d / "truncated.pdf"
    p.write_bytes(data[: len(data) // 2])  # a download cut off half way
    return p


def _password_pdf(d, s):
    return encrypt_pdf(s["pdf"], d / "locked.pdf", user_password="s3cret")


def _scanned_pdf(d, s):
    return make_scanned_pdf(d / "scanned-minutes.pdf")


def _empty(ext):
    def build(d, s):
        p = d / f"empty{ext}"
        p.write_bytes(b"")
        return p
    return build


def _binary(ext):
    def build(d, s):
        p = d / f"binary-data{ext}"
        p.write_bytes(seeded_bytes(6000, seed=len(ext)))
        return p
    return build


def _zip_bomb(d, s):
    return docx_zip_bomb(s["docx"], d / "bomb.docx", megabytes=300)


def _huge_xml(d, s):
    return docx_huge_xml(s["docx"], d / "huge-xml.docx", megabytes=60)


def _nested_xml(d, s):
    return docx_nested_xml(s["docx"], d / "nested-xml.docx")


def _entities(d, s):
    return docx_entity_expansion(s["docx"], d / "billion-laughs.docx")


def _unsupported(d, s):
    p = d / "figures.xlsx"
    p.write_bytes(seeded_bytes(3000, seed=9))
    return p


def _bad_utf8_name(d, s):
    p = Path(os.fsdecode(os.path.join(os.fsencode(d), b"r\xe9sum\xe9-latin1-name.txt")))  # shown as r?sum?-latin1-name.txt
    p.write_text("The latin-1 named file says the council met its target.\n", encoding="utf-8")
    return p


REFUSED = [
    # (case id, what the case is, builder, expected words in the reason)
    ("corrupt-pdf", "corrupt PDF (valid header, noise after it)", _corrupt_pdf, "not a readable PDF"),
    ("truncated-pdf", "truncated PDF (first half of a real one)", _truncated_pdf, "not a readable PDF"),
    ("password-pdf", "encrypted PDF with a user password", _password_pdf, "password-protected"),
    ("scanned-pdf", "scanned PDF with no text layer", _scanned_pdf, "no extractable text"),
    *[(f"empty{ext}", f"zero-byte {ext} file", _empty(ext), "the file is empty") for ext in (".pdf", ".docx", ".html", ".md", ".txt")],
    ("binary.txt", "binary data named .txt", _binary(".txt"), "binary data, not text"),
    ("binary.md", "binary data named .md", _binary(".md"), "binary data, not text"),
    ("binary.html", "binary data named .html", _binary(".html"), "binary data, not HTML"),
    ("binary.pdf", "binary data named .pdf", _binary(".pdf"), "not a readable PDF"),
    ("binary.docx", "binary data named .docx", _binary(".docx"), "not a readable Word document"),
    ("zip-bomb", "DOCX zip bomb (document.xml inflates to 300 MB)", _zip_bomb, "zip bomb"),
    ("huge-xml", "DOCX with 60 MB of XML paragraphs", _huge_xml, "over the 32 MB limit"),
    ("nested-xml", "DOCX with XML nested 10,000 deep", _nested_xml, "Excessive depth"),
    ("entity-expansion", "DOCX with nested XML entities (billion laughs)", _entities, "not a readable Word document"),
    ("unsupported", "unsupported extension (.xlsx)", _unsupported, "unsupported file type '.xlsx'"),
    ("bad-utf8-name", "file name that is not valid UTF-8", _bad_utf8_name, "not valid UTF-8"),
]


@pytest.mark.parametrize("case_id, case, build, expected", REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_with_one_line_naming_the_file(hostile, samples, tmp_path, reliability, case_id, case, build, expected):
    path = build(tmp_path, samples)
    tracemalloc.start()
    try:
        batch = run_batch(hostile, tmp_path, case_id, [path])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    reason = assert_refused(batch, path, expected)
    if case_id in ("zip-bomb", "huge-xml"):
        # Refused from the zip's directory: the 300 MB (or 60 MB) part was never inflated.
        assert peak < 64 * 1024 * 1024, f"peak Python memory {peak / 1e6:.0f} MB"
    reliability.record(AREA, case, refused_outcome(path, reason))


def test_file_over_the_size_limit_is_refused_before_it_is_read(hostile, tmp_path, reliability):
    big = sparse_file(tmp_path / "council-archive 2019.pdf", 200 * 1024 * 1024)
    tracemalloc.start()
    try:
        batch = run_batch(hostile, tmp_path, "200 MB", [big])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    reason = assert_refused(batch, big, "over the 50 MB limit")
    assert "200 MB" in reason and "ASSISTANT_MAX_FILE_MB" in reason
    assert peak < 64 * 1024 * 1024, "the file was not read into memory"
    # The web app's upload refuses it too, before copying it.
    uploads = CorpusManager(hostile)
    result = uploads.upload([("council-archive 2019.pdf", big)])
    assert result.rejected and "over the 50 MB limit" in result.rejected[0][1]
    assert not (uploads.upload_dir / "council-archive 2019.pdf").exists()
    reliability.record(AREA, "200 MB file (sparse) named .pdf", refused_outcome(big, reason)
                       + f"; upload refused: '{result.rejected[0][0]}: {result.rejected[0][1]}'")


def test_a_stored_file_replaced_by_garbage_keeps_its_stored_version(hostile, samples, tmp_path, reliability):
    doc = own_pdf(tmp_path / "budget-statement.pdf", "overwritten")
    first = hostile.ingest([doc])
    assert first.added == [str(doc.resolve())]
    doc.write_bytes(seeded_bytes(5000, seed=3))  # overwritten on the share by something else
    batch = run_batch(hostile, tmp_path, "garbage over stored", [doc])
    reason = assert_refused(batch, doc, "not a readable PDF")
    kept = [c for c in hostile.store.iter_chunks() if c.source == str(doc.resolve())]
    assert kept and any("£212,000" in c.text for c in kept), "the stored version is kept"
    reliability.record(AREA, "stored PDF overwritten with garbage, re-ingested",
                       refused_outcome(doc, reason) + f"; its stored version ({len(kept)} chunks) kept")


# -- files that must be read correctly -------------------------------------------------------------

def test_encrypted_pdf_with_empty_user_password_is_read(hostile, samples, tmp_path, reliability):
    plain = own_pdf(tmp_path / "plain.pdf", "empty password")
    path = encrypt_pdf(plain, tmp_path / "edit-protected.pdf", user_password="")
    batch = run_batch(hostile, tmp_path, "empty password", [path])
    assert str(path.resolve()) in batch.report.added
    assert any("£212,000" in t for t in batch.texts_of(path))
    reliability.record(AREA, "encrypted PDF with an empty user password", "read: its text (with '£212,000') ingested with the good file")


@pytest.mark.parametrize("encoding, text, checks", [
    ("cp1252", "Café budget note\n\nThe council’s café saved £4,500 and €1,200 – a “modest” saving in Ærø ward.\n",
     ["café", "£4,500", "€1,200", "“modest”", "Ærø"]),
    ("latin-1", "Façade repairs note\n\nThe façade repairs cost £18,000; the naïve estimate was £12,500 in Öland Street.\n",
     ["façade", "£18,000", "naïve", "Öland"]),
    ("utf-16", "Résumé of the décision\n\nThe council agreed £75,000 for the crèche in Château Road.\n",
     ["£75,000", "crèche", "Château"]),
], ids=["cp1252", "latin-1", "utf-16"])
def test_legacy_and_unicode_text_encodings_are_decoded(hostile, tmp_path, reliability, encoding, text, checks):
    path = tmp_path / f"note-in-{encoding}.txt"
    path.write_bytes(text.encode(encoding))  # Python's utf-16 codec writes a byte-order mark
    batch = run_batch(hostile, tmp_path, encoding, [path])
    assert str(path.resolve()) in batch.report.added, batch.report.failed
    joined = " ".join(batch.texts_of(path))
    for expected in checks:
        assert expected in joined, (expected, joined)
    label = {"utf-16": "UTF-16 text with a byte-order mark"}.get(encoding, f"text in {encoding}")
    reliability.record(AREA, label, f"read: {', '.join(repr(c) for c in checks)} survive in the chunks")


def test_html_scripts_styles_iframes_and_handlers_never_reach_the_chunks(hostile, tmp_path, reliability):
    path = tmp_path / "committee-page.html"
    path.write_text(
        "<html><head><title>Committee</title><style>body{color:red} /* STYLEMARKER */</style>"
        "<script>var SCRIPTMARKER = 'steal(document.cookie)';</script></head>"
        "<body onload=\"HANDLERMARKER()\"><h1>Planning committee</h1>"
        "<p onclick=\"alert('CLICKMARKER')\">The committee approved 120 new homes at Mill Lane in March 2024.</p>"
        "<iframe srcdoc=\"&lt;p&gt;IFRAMEMARKER&lt;/p&gt;\">IFRAMEFALLBACK</iframe>"
        "<noscript>NOSCRIPTMARKER enable JavaScript</noscript>"
        "<p>Next meeting <a href=\"javascript:HREFMARKER()\">details</a> in June.</p>"
        "<script type=\"module\">import('MODULEMARKER')</script><object data=\"x.swf\">OBJECTMARKER</object></body></html>",
        encoding="utf-8",
    )
    batch = run_batch(hostile, tmp_path, "html", [path])
    joined = " ".join(batch.texts_of(path))
    assert "120 new homes at Mill Lane" in joined
    leaked = [m for m in ("STYLEMARKER", "SCRIPTMARKER", "HANDLERMARKER", "CLICKMARKER", "IFRAMEMARKER", "IFRAMEFALLBACK",
                          "NOSCRIPTMARKER", "HREFMARKER", "MODULEMARKER", "steal(") if m in joined]
    assert leaked == [], joined
    reliability.record(AREA, "HTML with scripts, styles, an iframe, noscript and event handlers",
                       "read: the paragraph text ingested; no script, style, iframe, noscript or handler text in any chunk")


def test_html_nested_20000_deep_with_loose_text_is_read(hostile, tmp_path, reliability):
    path = tmp_path / "nested-page.html"
    path.write_text(
        "<html><body>Text straight in the body says the council agreed the housing strategy."
        + "<div>" * 20_000 + "<p>The deepest paragraph records a £3,400 grant to the youth club.</p>" + "</div>" * 20_000
        + "<span>Loose text after the nesting notes the next review in 2025.</span></body></html>",
        encoding="utf-8",
    )
    batch = run_batch(hostile, tmp_path, "nested html", [path])
    assert str(path.resolve()) in batch.report.added, batch.report.failed
    joined = " ".join(batch.texts_of(path))
    for expected in ("agreed the housing strategy", "£3,400 grant to the youth club", "next review in 2025"):
        assert expected in joined
    reliability.record(AREA, "HTML with <div>s nested 20,000 deep and text outside any paragraph",
                       "read: the nested paragraph and the loose text before and after it ingested")


def test_markdown_built_to_make_the_parser_backtrack_is_read(hostile, tmp_path, reliability):
    """Lines that made the Markdown patterns backtrack: minutes for a heading followed by
    spaces, quadratic time for a long line of unpaired emphasis markers."""
    path = tmp_path / "backtracking.md"
    path.write_text(
        "# Scrutiny" + " " * 50_000 + "notes\n\n"
        "The committee asked for the [report [draft] (2024) on waste.\n\n" + "_x " * 7_000 + "\n\n"
        "Unclosed **emphasis and `code and [links](to nowhere are left as typed.\n",
        encoding="utf-8",
    )
    batch = run_batch(hostile, tmp_path, "backtracking markdown", [path])
    assert str(path.resolve()) in batch.report.added, batch.report.failed
    texts = batch.texts_of(path)
    assert any("asked for the [report [draft] (2024) on waste" in t for t in texts)
    assert any("Unclosed emphasis and code and [links](to nowhere are left as typed." in t for t in texts)
    chunks = [c for c in hostile.store.iter_chunks() if c.source == str(path.resolve())]
    assert {c.heading for c in chunks} == {"Scrutiny notes"}
    reliability.record(AREA, "Markdown with a heading padded by 50,000 spaces and a 21 KB line of unpaired emphasis markers",
                       "read: heading 'Scrutiny notes', every line's text ingested, unpaired markers left as typed")


def test_wrong_extensions_are_read_by_their_content(hostile, samples, tmp_path, reliability):
    pdf_as_docx = own_pdf(tmp_path / "really-a-pdf.docx", "wrong extension")
    docx_as_pdf = own_docx(tmp_path / "really-a-word-file.pdf", "wrong extension")
    batch = run_batch(hostile, tmp_path, "wrong extension", [pdf_as_docx, docx_as_pdf])
    assert {str(pdf_as_docx.resolve()), str(docx_as_pdf.resolve())} <= set(batch.report.added), batch.report.failed
    kinds = {Path(d.source).name: d.kind for d in hostile.sources()}
    assert kinds["really-a-pdf.docx"] == "pdf" and kinds["really-a-word-file.pdf"] == "docx"
    assert any("£212,000" in t for t in batch.texts_of(pdf_as_docx))
    assert any("six libraries" in t for t in batch.texts_of(docx_as_pdf))
    reliability.record(AREA, "real PDF named .docx", "read as a PDF (its content's signature), text ingested")
    reliability.record(AREA, "real DOCX named .pdf", "read as a Word document (its content's signature), text ingested")


def test_names_with_spaces_and_unicode_are_kept(hostile, tmp_path, reliability):
    spaced = tmp_path / "budget report 2024 final (v2).txt"
    spaced.write_text("Budget report\n\nThe final budget report set council tax at £1,987 for a band D home.\n", encoding="utf-8")
    unicode_name = tmp_path / "Plan stratégique – Ærø 2024 ✓.md"
    unicode_name.write_text("# Plan\n\nThe strategic plan commits the council to net zero by 2040 in every service.\n", encoding="utf-8")
    batch = run_batch(hostile, tmp_path, "names", [spaced, unicode_name])
    assert {str(spaced.resolve()), str(unicode_name.resolve())} <= set(batch.report.added)
    names = {Path(d.source).name for d in hostile.sources()}
    assert {spaced.name, unicode_name.name} <= names
    reliability.record(AREA, "file name with spaces and brackets", f"read; listed as '{spaced.name}'")
    reliability.record(AREA, "file name with accents, a dash and a symbol", f"read; listed as '{unicode_name.name}'")


def test_the_same_document_under_two_names_is_stored_once(hostile, samples, tmp_path, reliability):
    first = own_pdf(tmp_path / "cabinet-report.pdf", "twins")
    second = tmp_path / "copy of cabinet-report.pdf"
    shutil.copy(first, second)
    batch = run_batch(hostile, tmp_path, "twins", [first, second])
    assert batch.report.added.count(str(first.resolve())) == 1
    assert batch.report.duplicates == [(str(second.resolve()), str(first.resolve()))]
    new_sources = {row[0] for i, row in batch.after.items() if i not in batch.before}
    assert str(second.resolve()) not in new_sources
    again = hostile.ingest([second])  # and on a later run, once the first is stored
    assert again.duplicates == [(str(second.resolve()), str(first.resolve()))] and snapshot(hostile) == batch.after
    reliability.record(AREA, "the same PDF twice under different names",
                       f"stored once; '{second.name}' reported as the same content as '{first.name}', in the batch and on a re-run")


def test_symlink_loop_and_folder_named_like_a_file(hostile, tmp_path, reliability):
    folder = tmp_path / "share"
    folder.mkdir()
    (folder / "loop-a.pdf").symlink_to(folder / "loop-b.pdf")
    (folder / "loop-b.pdf").symlink_to(folder / "loop-a.pdf")
    (folder / "self-link").symlink_to(folder, target_is_directory=True)  # a folder loop
    odd = folder / "annual-report.pdf"
    odd.mkdir()  # a folder whose name looks like a file
    inner = odd / "inside-the-folder.txt"
    inner.write_text("Inside note\n\nThe note inside the oddly named folder records a £9,000 grant to the food bank.\n", encoding="utf-8")
    batch = run_batch(hostile, folder, "links", None)
    for link in ("loop-a.pdf", "loop-b.pdf"):
        reason = batch.failure(folder / link)
        assert "symbolic link" in reason
    assert str(inner.resolve()) in batch.report.added
    assert not any("self-link" in src for src, _ in batch.report.failed + [(s, "") for s in batch.report.added])
    reliability.record(AREA, "two symbolic links pointing at each other, in an ingested folder",
                       f"refused: 'loop-a.pdf: {batch.failure(folder / 'loop-a.pdf')}' (and loop-b.pdf); rest of the folder ingested")
    reliability.record(AREA, "a folder that links to itself, and a folder named annual-report.pdf",
                       "the loop is not followed; the folder's file inside is ingested; no error")


def test_loader_refuses_the_zip_bomb_without_inflating_it(samples, tmp_path):
    """The loader on its own (no pipeline): the check happens before python-docx opens the package."""
    bomb = docx_zip_bomb(samples["docx"], tmp_path / "bomb-direct.docx", megabytes=120)
    tracemalloc.start()
    try:
        with pytest.raises(LoadError, match="zip bomb"):
            load(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024
