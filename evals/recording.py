"""The product's Assistant with a copy of each section as the drafter wrote it, before verification.

The evals score citations before verification too: for the offline judge (which is the verifier)
that is the only figure that measures the drafter rather than the verifier.
"""

from __future__ import annotations

import copy

from assistant.api import Assistant
from assistant.config import Settings


class RecordingAssistant(Assistant):
    """The product's Assistant, keeping a copy of each section as the drafter wrote it, before verification."""

    def __init__(self, settings: Settings):
        super().__init__(settings)
        self.raw_sections: dict[str, object] = {}

    def drafter(self, name: str | None = None):
        return _Recorder(super().drafter(name), self.raw_sections)


class _Recorder:
    def __init__(self, inner, sink: dict):
        self.inner, self.sink, self.name = inner, sink, inner.name

    def draft(self, request):
        section = self.inner.draft(request)
        self.sink[request.theme.id] = copy.deepcopy(section)
        return section

    def __getattr__(self, name):
        return getattr(self.inner, name)
