"""Hostile uploads through the web app's path (CorpusManager): names that try to leave the upload
folder, types the server must refuse, and names that clean to one another. Each batch has a good
file, and the store must hold nothing of a refused upload."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.workspace.corpus import CorpusManager
from tests.filemakers import seeded_bytes
from tests.reliability.hostile_support import AREA, good_file, hostile, snapshot  # noqa: F401 (fixtures)


@pytest.mark.parametrize("name, stored_as", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("/etc/cron.d/evil-job.md", "evil-job.md"),
    ("..\\..\\Windows\\System32\\drivers-note.txt", "drivers-note.txt"),
    ("Évaluation – Ærø budget 2024.txt", "Évaluation – Ærø budget 2024.txt"),
    ("notes for cabinet <script>.html", "notes for cabinet _script_.html"),
], ids=["dot-dot", "absolute", "backslashes", "unicode", "markup"])
def test_uploaded_names_cannot_leave_the_upload_folder(hostile, tmp_path, reliability, name, stored_as):
    manager = CorpusManager(hostile)
    temp = tmp_path / "browser-temp-file"
    temp.write_text(f"Uploaded note\n\nThe uploaded note {stored_as} says the council met its recycling target of 52% in 2024.\n", encoding="utf-8")
    good = good_file(tmp_path, f"upload {stored_as}")
    before = snapshot(hostile)
    result = manager.upload([(name, temp), (good.name, good)])
    target = manager.upload_dir / stored_as
    assert result.rejected == [] and result.report.failed == [], result.summary()
    assert target.exists() and target.resolve().parent == manager.upload_dir.resolve()
    assert str(target.resolve()) in result.report.added and str((manager.upload_dir / good.name).resolve()) in result.report.added
    assert all(Path(p).resolve().is_relative_to(manager.upload_dir.resolve()) for p in result.report.added)
    after = snapshot(hostile)
    assert all(after[i] == before[i] for i in before)
    reliability.record(AREA, f"upload named {name!r}", f"stored as uploads/{stored_as} and ingested; nothing written outside uploads/")


def test_upload_of_an_unsupported_type_is_refused(hostile, tmp_path, reliability):
    manager = CorpusManager(hostile)
    temp = tmp_path / "upload.bin"
    temp.write_bytes(seeded_bytes(2000, seed=4))
    good = good_file(tmp_path, "upload unsupported")
    before = snapshot(hostile)
    result = manager.upload([("payload.exe", temp), (good.name, good)])
    assert [n for n, _ in result.rejected] == ["payload.exe"] and ".exe files are not accepted" in result.rejected[0][1]
    assert not (manager.upload_dir / "payload.exe").exists()
    assert str((manager.upload_dir / good.name).resolve()) in result.report.added
    assert all(snapshot(hostile)[i] == before[i] for i in before)
    reliability.record(AREA, "upload of an .exe", f"refused: 'payload.exe: {result.rejected[0][1]}'; the good upload ingested")


def test_two_uploads_that_clean_to_one_name_do_not_overwrite_each_other(hostile, tmp_path, reliability):
    manager = CorpusManager(hostile)
    first, second = tmp_path / "first-temp", tmp_path / "second-temp"
    first.write_text("Minutes\n\nThe first minutes record the council approved the leisure centre refurbishment.\n", encoding="utf-8")
    second.write_text("Minutes\n\nThe second minutes record the council deferred the car park charges review.\n", encoding="utf-8")
    before = snapshot(hostile)
    result = manager.upload([("cabinet/minutes-clash.txt", first), ("scrutiny\\minutes-clash.txt", second)])
    target = manager.upload_dir / "minutes-clash.txt"
    assert result.report.added == [str(target.resolve())]
    assert "leisure centre" in target.read_text(encoding="utf-8"), "the first upload was not overwritten"
    assert [n for n, _ in result.rejected] == ["minutes-clash.txt"] and "also named minutes-clash.txt" in result.rejected[0][1]
    assert all(snapshot(hostile)[i] == before[i] for i in before)
    reliability.record(AREA, "two uploads whose names clean to the same file name ('cabinet/minutes-clash.txt', 'scrutiny\\minutes-clash.txt')",
                       f"the first ingested; the second refused: 'minutes-clash.txt: {result.rejected[0][1]}'")
