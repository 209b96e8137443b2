"""What the workspace refuses, each with a message the user can act on."""

from __future__ import annotations


class WorkspaceError(Exception):
    """A request the workspace refuses, with a message the user can act on."""


class ConfirmationNeeded(WorkspaceError):
    """Redrafting would replace the officer's edits or approved sentences: ask first, then pass replace=True."""


class PlanNotFound(WorkspaceError):
    def __init__(self) -> None:
        super().__init__("No such plan in your workspace. Choose one of your plans or create a new one.")
