"""Who is asking, and how a refused action is told: shared by every tab's handlers."""

from __future__ import annotations

import functools
import inspect
from html import escape

import gradio as gr

from assistant.workspace.service import WorkspaceError


def user_of(request: gr.Request | None) -> str:
    """The signed-in user; everyone is 'local' when the app runs on loopback without sign-in."""
    return (getattr(request, "username", None) or "local") if request is not None else "local"


def refuse(exc: Exception) -> None:
    """Say why an action was refused, in one message.

    `gr.Error` would mark every output of the event with a red "Error" badge that stays over the
    panel and blocks its clicks; a warning toast leaves the panels alone. Gradio renders the
    toast's text as HTML, and refusals quote titles a document or an officer wrote: escaped.
    API clients read the message from the event's log (gradio_client: the job's status updates).
    """
    gr.Warning(escape(str(exc).strip("'\"")), title="Not done")


REFUSALS = (WorkspaceError, KeyError)


def friendly(fn):
    """Workspace refusals become one message in the page, and every output keeps what it showed."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def streaming(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except REFUSALS as exc:
                refuse(exc)
                yield gr.skip()  # one skip() leaves every output as it was

        return streaming

    @functools.wraps(fn)
    def plain(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except REFUSALS as exc:
            refuse(exc)
            return gr.skip()

    return plain
