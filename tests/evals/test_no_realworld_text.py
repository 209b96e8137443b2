"""The real-world development set is read from ../shared/realworld at test time and never copied into the repository.

Its documents are other councils' publications, lent for measuring the product: code, tests, docs and eval data
name them by council, file and key, and invent sentences of the same shape where a rule needs an example. This
test fails when any run of WORDS consecutive words of a real-world document appears in a file of the repository.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from assistant.config import PROJECT_ROOT
from evals.realworld import available, realworld_dir

WORDS = 12  # about 70 characters: longer than a title or a stock phrase ("as set out in Appendix A to the report")
_WORD = re.compile(r"[a-z0-9£%]+")
_SKIP = {".git", ".venv", ".venv-llm", "out", "node_modules", "__pycache__", "corpus"}  # corpus/: our own sample
_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".txt", ".toml", ".cfg", ".json", ".html", ".css", ".js"}


def _shingles(text: str) -> set[int]:
    words = _WORD.findall(text.lower())
    return {hash(tuple(words[i:i + WORDS])) for i in range(len(words) - WORDS + 1)}


def _repository_files():
    """What a commit would hold: git's tracked and untracked files, less what .gitignore keeps out (eval results under
    evals/results/*.json hold drafted text and are never committed)."""
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=PROJECT_ROOT,
                                capture_output=True, text=True, check=True).stdout.splitlines()
        paths = [PROJECT_ROOT / name for name in listed]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (an sdist): every file
        paths = list(PROJECT_ROOT.rglob("*"))
    for path in paths:
        if path.is_file() and path.suffix in _SUFFIXES and not _SKIP & set(path.relative_to(PROJECT_ROOT).parts):
            yield path


@pytest.mark.skipif(not available(), reason="../shared/realworld is not here")
def test_no_file_of_the_repository_copies_a_real_council_s_text():
    folder = realworld_dir()
    real: set[int] = set()
    for document in folder.rglob("*.txt"):
        real |= _shingles(document.read_text(encoding="utf-8", errors="ignore"))
    copied = {}
    for path in _repository_files():
        text = path.read_text(encoding="utf-8", errors="ignore")
        words = _WORD.findall(text.lower())
        runs = [" ".join(words[i:i + WORDS]) for i in range(len(words) - WORDS + 1) if hash(tuple(words[i:i + WORDS])) in real]
        if runs:
            copied[str(path.relative_to(PROJECT_ROOT))] = runs[0]
    assert not copied, f"real-world text copied into the repository (first run of {WORDS} words per file): {copied}"


def test_the_check_sees_a_copied_sentence():
    """The shingles match a run of words whatever the spacing and case, and not a run that differs by one word."""
    source = _shingles("The council saved   £2.5m on agency staff by filling posts in planning.")
    assert _shingles("the Council saved £2.5m on agency staff by filling posts\nin planning") == source
    assert not _shingles("The council saved £2.5m on agency staff by filling roles in planning.") & source
