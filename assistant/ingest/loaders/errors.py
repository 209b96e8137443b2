from __future__ import annotations

from pathlib import Path


class LoadError(Exception):
    """A file could not be loaded. str() is one line naming the file and what to do."""

    def __init__(self, path: Path | str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
