"""The reliability report plugin: a passing test's cases reach docs/reliability.md, a failing
test's do not replace what was there, and a test that no longer exists loses its rows."""

from __future__ import annotations

import json
from pathlib import Path

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
CONFTEST = 'pytest_plugins = ["tests.reliability_log"]\n'


def run(pytester, monkeypatch, docs, source: str):
    monkeypatch.setenv("RELIABILITY_DOCS_DIR", str(docs))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the subprocess imports tests.reliability_log
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_cases=source)
    pytester.runpytest_subprocess("-p", "no:cacheprovider")
    cases = json.loads((docs / "reliability.cases.json").read_text())
    return cases, (docs / "reliability.md").read_text()


def test_passing_cases_are_written_and_failing_ones_keep_the_old_rows(pytester, monkeypatch, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    first = """
def test_empty(reliability):
    reliability.record("Hostile files", "zero-byte a.pdf", "refused: 'a.pdf: the file is empty'")

def test_bomb(reliability):
    reliability.record("Hostile files", "zip bomb b.docx", "refused before inflating")
"""
    cases, report = run(pytester, monkeypatch, docs, first)
    assert len(cases) == 2
    assert "| zero-byte a.pdf | refused: 'a.pdf: the file is empty' |" in report
    assert "2 cases in 1 areas" in report

    second = """
def test_empty(reliability):
    reliability.record("Hostile files", "zero-byte a.pdf", "now handled | differently")

def test_bomb(reliability):
    reliability.record("Hostile files", "zip bomb b.docx", "inflated it")
    assert False
"""
    cases, report = run(pytester, monkeypatch, docs, second)
    assert "now handled \\| differently" in report  # a | in an outcome cannot break the table
    assert "refused before inflating" in report and "inflated it" not in report  # a failing test changes nothing

    third = """
def test_empty(reliability):
    reliability.record("Crashes", "kill -9", "nothing lost")
"""
    cases, report = run(pytester, monkeypatch, docs, third)
    assert list(cases) == ["test_cases.py::test_empty"]  # test_bomb is gone from its file
    assert "### Crashes (1 cases)" in report and "Hostile files" not in report
