"""The Draft tab: the plan's sections, one section's text beside its evidence, the chat, the editor, the versions.

Widgets and handlers together, a thin shell over `Workspace` like the Review tab. The section's
column is on the left and its evidence on the right, sticky (app/layout.py), so a passage stays
beside the sentence that cites it. `view()` is everything the tab shows for a plan and section,
including whether its controls work: an accepted section is locked, so the chat, drafting and
editing are disabled (not only refused when used) until the officer reopens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import gradio as gr

from assistant.app.refusals import REFUSALS, friendly, refuse, user_of
from assistant.app.confirm import confirmation
from assistant.app.views import (
    budget_html, chat_messages, evidence_html, gaps_markdown, markdown_text, notes_markdown, readable_stream, section_html,
    section_state_html, theme_label, version_choices,
)
from assistant.render import section_body
from assistant.workspace.service import ConfirmationNeeded, Workspace, WorkspaceError

DRAFT_MESSAGE = "Draft this section"


@dataclass
class DraftTab:
    outputs: list  # the components `view` fills, in order (API clients index the first ones: keep them first)
    view: Callable[..., list]  # view(user, plan_id, theme_id) -> one value per output
    theme: gr.Radio


def build_draft_tab(workspace: Workspace, plan: gr.Dropdown, budget: gr.HTML) -> DraftTab:
    """The tab's widgets, in the Tabs being built, and their handlers; `plan` is the plan chooser and `budget`
    the page meter in the sidebar, which every change here updates."""
    template = workspace.template
    first_theme = template.themes[0].id
    with gr.Tab("Draft", elem_id="draft-tab") as tab:
        theme = gr.Radio(label="Sections", choices=[(t.title, t.id) for t in template.themes], value=first_theme, elem_id="themes")
        with gr.Row(elem_id="draft-columns"):
            with gr.Column(scale=3, min_width=320, elem_id="section-column"):
                state = gr.HTML(elem_id="section-state", js_on_load=None)
                with gr.Row():
                    draft = gr.Button(DRAFT_MESSAGE, variant="primary", elem_id="draft")
                    accept = gr.Button("Accept and lock", elem_id="accept")
                    reopen = gr.Button("Reopen", elem_id="reopen")
                # Asked before a redraft replaces the officer's edits or approved sentences.
                confirm_box, confirm_text, confirm_replace, confirm_cancel = confirmation(
                    "confirm-redraft", "confirm-text", "Replace with a new draft", "confirm-replace", "Keep my text", "confirm-cancel")
                section_view = gr.HTML(elem_id="section", js_on_load=None)
                gaps = gr.Markdown(elem_id="gaps")
                notes = gr.Markdown(elem_id="notes")
                chatbot = gr.Chatbot(label="Chat about this section", height=320, elem_id="chat")
                message = gr.Textbox(label="Message", placeholder="\u201cdraft this section\u201d, \u201cshorter\u201d, "
                                     "\u201cadd the SEND pressures\u201d", elem_id="message")
                send = gr.Button("Send", elem_id="send")
                with gr.Accordion("Edit the text yourself", open=False):
                    editor = gr.Textbox(label="Section text ([n] cites passage n)", lines=10, elem_id="editor")
                    save_edit = gr.Button("Save and re-check", elem_id="save-edit")
                with gr.Accordion("Versions (undo)", open=False, elem_id="versions-box"):
                    versions = gr.Dropdown(label="Every version of this section, newest first", choices=[], elem_id="versions")
                    restore = gr.Button("Restore this version", elem_id="restore")
            with gr.Column(scale=2, min_width=300, elem_id="evidence-column"):
                gr.Markdown("### Evidence\nClick a citation in the section to show its passage, the words it shares "
                            "with the sentence marked.")
                evidence = gr.HTML(elem_id="evidence", js_on_load=None)

    @friendly
    def on_back_to_draft(plan_id: str | None, theme_id: str, request: gr.Request):
        # Passages under their documents' titles as they are now (one may have been retitled in the
        # Corpus tab); only the evidence panel, so unsaved text in the editor stays.
        record = workspace.section(user_of(request), plan_id, theme_id) if plan_id else None
        return evidence_html(record.section if record else None)

    tab.select(on_back_to_draft, [plan, theme], [evidence])

    # API clients read these by position (tests/app/test_web_flows.py): new outputs go at the end.
    named = dict(theme=theme, budget=budget, chatbot=chatbot, section=section_view, editor=editor, evidence=evidence, gaps=gaps,
                 notes=notes, versions=versions, message=message, state=state, send=send, draft=draft, accept=accept,
                 reopen=reopen, save_edit=save_edit, restore=restore)
    position = {name: i for i, name in enumerate(named)}

    def only(**values) -> list:
        """Every output left as it is, but those named."""
        out = [gr.skip()] * len(named)
        for name, value in values.items():
            out[position[name]] = value
        return out

    def controls(locked: bool, message_value: str | None) -> tuple:
        """The message box and the buttons (send, draft, accept, reopen, save edit, restore) for a section that is
        locked or not: a locked section can only be reopened. `message_value` None leaves the typed message."""
        box = gr.Textbox(interactive=not locked, **({} if message_value is None else {"value": message_value}))
        buttons = [gr.Button(interactive=not locked) for _ in range(3)] + [gr.Button(interactive=locked)]
        return box, buttons + [gr.Button(interactive=not locked) for _ in range(2)]

    def view(user: str, plan_id: str | None, theme_id: str | None, message_value: str | None = None) -> list:
        theme_id = theme_id or first_theme
        if not plan_id:
            # Enabled: pressed with no plan, they say what to do first (a refusal, app/refusals.py).
            box, buttons = controls(False, message_value)
            empty = "<p><em>Create a plan to start.</em></p>"
            return [gr.Radio(choices=[(t.title, t.id) for t in template.themes], value=theme_id), empty, [], empty,
                    gr.Textbox(value="", interactive=True), "", "", "", gr.Dropdown(choices=[], value=None), box, "", *buttons]
        overview = workspace.overview(user, plan_id)
        records = workspace.sections(user, plan_id)
        record = next(r for r in records if r.theme_id == theme_id)
        section = record.section
        box, buttons = controls(record.locked, message_value)
        return [
            gr.Radio(choices=[(theme_label(r, overview), r.theme_id) for r in records], value=theme_id),
            budget_html(overview),
            chat_messages(workspace.messages(user, plan_id, theme_id)),
            section_html(section),
            gr.Textbox(value=section_body(section) if section else "", interactive=not record.locked),
            evidence_html(section),
            gaps_markdown(section),
            notes_markdown(section),
            gr.Dropdown(choices=version_choices(workspace.versions(user, plan_id, theme_id)), value=None),
            box,
            section_state_html(record),
            *buttons,
        ]

    outputs = list(named.values())

    @friendly
    def on_open(plan_id: str, theme_id: str, request: gr.Request):
        return view(user_of(request), plan_id, theme_id)

    theme.input(on_open, [plan, theme], outputs, api_name="open_section")

    # -- chat: draft and revise, streamed ------------------------------------------------------
    @friendly
    def on_chat(plan_id: str, theme_id: str, text: str, request: gr.Request, replace: bool = False):
        user = user_of(request)
        if not plan_id:
            raise WorkspaceError("Create or choose a plan first.")
        shown = chat_messages(workspace.messages(user, plan_id, theme_id) + [{"role": "user", "content": text}])
        hidden = [gr.Group(visible=False), ""]
        yield [*only(chatbot=shown, message=""), *hidden]
        partial = ""
        try:
            for event in workspace.chat(user, plan_id, theme_id, text, replace=replace):
                if event.kind == "text":
                    partial += event.text
                    streamed = shown + chat_messages([{"role": "assistant", "content": readable_stream(partial)}])
                    yield [*only(chatbot=streamed), gr.skip(), gr.skip()]
                elif event.kind == "restart":
                    partial = ""
        except ConfirmationNeeded as asked:
            # Nothing was changed: show the section as it is, and ask.
            question = f"**Replace this section?** {markdown_text(str(asked))}"
            yield [*view(user, plan_id, theme_id, text), gr.Group(visible=True), question]
            return
        except REFUSALS as exc:
            # The officer's message was already echoed into the chat and cleared from the box: put both back.
            refuse(exc)
            yield [*only(chatbot=shown[:-1], message=text), gr.skip(), gr.skip()]
            return
        yield [*view(user, plan_id, theme_id, ""), *hidden]

    chat_outputs = [*outputs, confirm_box, confirm_text]
    send.click(on_chat, [plan, theme, message], chat_outputs, api_name="chat")
    message.submit(on_chat, [plan, theme, message], chat_outputs)

    def on_draft(plan_id: str, theme_id: str, request: gr.Request):
        yield from on_chat(plan_id, theme_id, DRAFT_MESSAGE, request)

    draft.click(on_draft, [plan, theme], chat_outputs, api_name="draft_section")

    def on_replace(plan_id: str, theme_id: str, request: gr.Request):
        yield from on_chat(plan_id, theme_id, DRAFT_MESSAGE, request, replace=True)

    confirm_replace.click(on_replace, [plan, theme], chat_outputs, api_name="redraft_section")
    confirm_cancel.click(lambda: (gr.Group(visible=False), "", ""), None, [confirm_box, confirm_text, message])

    @friendly
    def on_restore(plan_id: str, theme_id: str, number: int | None, request: gr.Request):
        if not number:
            raise WorkspaceError("Choose the version to go back to.")
        user = user_of(request)
        workspace.restore(user, plan_id, theme_id, int(number))
        return view(user, plan_id, theme_id)

    restore.click(on_restore, [plan, theme, versions], outputs, api_name="restore_version")

    @friendly
    def on_edit(plan_id: str, theme_id: str, text: str, request: gr.Request):
        user = user_of(request)
        workspace.edit(user, plan_id, theme_id, text)
        return view(user, plan_id, theme_id)

    save_edit.click(on_edit, [plan, theme, editor], outputs, api_name="edit_section")

    def section_action(action):
        """A button that changes the section's status (accept, reopen), then shows the section again."""

        @friendly
        def handler(plan_id: str, theme_id: str, request: gr.Request):
            user = user_of(request)
            action(user, plan_id, theme_id)
            return view(user, plan_id, theme_id)

        return handler

    accept.click(section_action(workspace.accept), [plan, theme], outputs, api_name="accept_section")
    reopen.click(section_action(workspace.reopen), [plan, theme], outputs, api_name="reopen_section")
    return DraftTab(outputs, view, theme)
