"""Progress reporting without coupling: the core calls a `Progress`, shells decide what to show.

The defaults do nothing, so library callers and tests need not care; the CLI
passes a rich progress bar and the web app its own.
"""

from __future__ import annotations


class Progress:
    def start(self, total: int, label: str) -> None:
        """A long step begins, made of `total` units."""

    def advance(self, detail: str = "", n: int = 1) -> None:
        """`n` units are done; `detail` names the last one (a file, a theme)."""

    def warn(self, message: str) -> None:
        """Something failed but the work goes on (a file that could not be read)."""

    def finish(self) -> None:
        """The step is over."""


NO_PROGRESS = Progress()
