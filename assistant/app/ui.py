"""The Gradio workspace: a thin shell over `Workspace` and `CorpusManager`.

Handlers only translate between widgets and the workspace API; every rule
(who owns a plan, what may be accepted, what an upload may be) lives in the
workspace. Each handler has an `api_name`, so `gradio_client` drives the same
flows a browser does.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from assistant.app.corpus_tab import build_corpus_tab
from assistant.app.files import PrivateFiles
from assistant.app.refusals import REFUSALS, friendly, refuse, user_of  # noqa: F401 - user_of: part of this module's API
from assistant.app.review_tab import build_review_tab
from assistant.app.views import (
    budget_html, chat_messages, evidence_html, export_status, gaps_markdown, markdown_text, notes_markdown, readable_stream,
    section_html, theme_label, version_choices,
)
from assistant.render import section_body
from assistant.workspace.corpus import CorpusManager
from assistant.workspace.service import ConfirmationNeeded, Workspace, WorkspaceError

DRAFT_MESSAGE = "Draft this section"


def build_app(workspace: Workspace, corpus: CorpusManager, files: PrivateFiles | None = None) -> gr.Blocks:
    template = workspace.template
    files = files or PrivateFiles()  # exports are registered to their user (see app/files.py)
    first_theme = template.themes[0].id
    export_dir = Path(tempfile.mkdtemp(prefix="cda-exports-"))  # Gradio copies downloads from here into its cache

    # -- what the draft tab shows for a plan and theme -------------------------------------------
    def view(user: str, plan_id: str | None, theme_id: str | None):
        theme_id = theme_id or first_theme
        if not plan_id:
            empty = "<p><em>Create a plan to start.</em></p>"
            return [gr.Radio(choices=[(t.title, t.id) for t in template.themes], value=theme_id), empty, [], empty, "", "", "", "",
                    gr.Dropdown(choices=[], value=None)]
        overview = workspace.overview(user, plan_id)
        records = workspace.sections(user, plan_id)
        record = next(r for r in records if r.theme_id == theme_id)
        section = record.section
        status = f"**Status:** {record.status}" + (" (locked: reopen to change)" if record.locked else "")
        notes = "\n\n".join(x for x in (status, notes_markdown(section)) if x)
        return [
            gr.Radio(choices=[(theme_label(r, overview), r.theme_id) for r in records], value=theme_id),
            budget_html(overview),
            chat_messages(workspace.messages(user, plan_id, theme_id)),
            section_html(section),
            section_body(section) if section else "",
            evidence_html(section),
            gaps_markdown(section),
            notes,
            gr.Dropdown(choices=version_choices(workspace.versions(user, plan_id, theme_id)), value=None),
        ]

    def plan_choices(user: str):
        return [(p.title, p.id) for p in workspace.plans(user)]

    # Exported files sit in Gradio's cache, private to their owner only while this server runs
    # (app/files.py); delete them after a day, and all of them when the server stops.
    with gr.Blocks(title="Council Drafting Assistant", delete_cache=(3600, 86400)) as app:
        with gr.Row(equal_height=True):
            gr.Markdown(f"## Council Drafting Assistant \u2014 {markdown_text(template.title)}\n{workspace.drafter_banner()}",
                        elem_id="banner")
            signed_in = gr.Textbox(label="Signed in as", interactive=False, visible=False, scale=0, min_width=160,
                                   elem_id="signed-in")
            # Gradio's own route: forgets the session cookie, then shows the sign-in page.
            sign_out = gr.Button("Sign out", link="logout", visible=False, scale=0, min_width=110, elem_id="sign-out")
        with gr.Row():
            plan = gr.Dropdown(label="Plan", choices=[], value=None, scale=3, elem_id="plan")
            new_title = gr.Textbox(label="New plan title", placeholder="Productivity Plan 2024", scale=2)
            create = gr.Button("Create plan", scale=1)
            rename_to = gr.Textbox(label="Rename the plan to", scale=2)
            rename = gr.Button("Rename", scale=1)
        with gr.Sidebar(label="Page budget", open=True, position="right", width=340):
            # In a sidebar so the budget stays in view on every tab.
            gr.Markdown("### Page budget")
            budget = gr.HTML(elem_id="budget", js_on_load=None)
        with gr.Tabs():
            with gr.Tab("Draft") as draft_tab:
                with gr.Row():
                    with gr.Column(scale=1):
                        theme = gr.Radio(label="Sections", choices=[(t.title, t.id) for t in template.themes], value=first_theme,
                                         elem_id="themes")
                    with gr.Column(scale=2):
                        chatbot = gr.Chatbot(label="Chat about this section", height=360, elem_id="chat")
                        message = gr.Textbox(label="Message", placeholder="\u201cdraft this section\u201d, \u201cshorter\u201d, "
                                             "\u201cadd the SEND pressures\u201d", elem_id="message")
                        with gr.Row():
                            send = gr.Button("Send", variant="primary")
                            draft = gr.Button(DRAFT_MESSAGE, elem_id="draft")
                            accept = gr.Button("Accept and lock", elem_id="accept")
                            reopen = gr.Button("Reopen")
                        # Asked before a redraft replaces the officer's edits or approved sentences.
                        with gr.Group(visible=False, elem_id="confirm-redraft") as confirm_box:
                            confirm_text = gr.Markdown(elem_id="confirm-text")
                            with gr.Row():
                                confirm_replace = gr.Button("Replace with a new draft", variant="stop", elem_id="confirm-replace")
                                confirm_cancel = gr.Button("Keep my text", elem_id="confirm-cancel")
                        section_view = gr.HTML(elem_id="section", js_on_load=None)
                        gaps = gr.Markdown(elem_id="gaps")
                        notes = gr.Markdown(elem_id="notes")
                        with gr.Accordion("Edit the text yourself", open=False):
                            editor = gr.Textbox(label="Section text ([n] cites passage n)", lines=10, elem_id="editor")
                            save_edit = gr.Button("Save and re-check")
                        with gr.Accordion("Versions (undo)", open=False, elem_id="versions-box"):
                            versions = gr.Dropdown(label="Every version of this section, newest first", choices=[],
                                                   elem_id="versions")
                            restore = gr.Button("Restore this version", elem_id="restore")
                    with gr.Column(scale=2):
                        gr.Markdown("### Evidence\nClick a citation in the section to show its passage.")
                        evidence = gr.HTML(elem_id="evidence", js_on_load=None)
            build_review_tab(workspace, plan, files, export_dir)
            build_corpus_tab(app, workspace, corpus, plan)  # uploads, titles, removal, the log, the plan's documents
            with gr.Tab("Export"):
                with gr.Row():
                    export_docx = gr.Button("Word (DOCX)", variant="primary")
                    export_md = gr.Button("Markdown")
                with gr.Row():
                    council = gr.Textbox(label="Council, as the export prints it", placeholder="Brackenridge Borough Council",
                                         scale=3, elem_id="council")
                    save_council = gr.Button("Save council", scale=1)
                page_check = gr.Markdown()
                download = gr.File(label="Download", interactive=False, elem_id="download")

        view_outputs = [theme, budget, chatbot, section_view, editor, evidence, gaps, notes, versions]

        # -- plans -------------------------------------------------------------------------------
        @friendly
        def on_load(request: gr.Request):
            user = user_of(request)
            choices = plan_choices(user)
            plan_id = choices[0][1] if choices else None
            who = getattr(request, "username", None)  # None when the app runs on loopback without sign-in
            return [gr.Dropdown(choices=choices, value=plan_id), *view(user, plan_id, first_theme),
                    gr.Textbox(value=who or "", visible=bool(who)), gr.Button(visible=bool(who))]

        app.load(on_load, None, [plan, *view_outputs, signed_in, sign_out], api_name="load")

        @friendly
        def on_create(title: str, request: gr.Request):
            user = user_of(request)
            created = workspace.create_plan(user, title)
            return [gr.Dropdown(choices=plan_choices(user), value=created.id), "", *view(user, created.id, first_theme)]

        create.click(on_create, [new_title], [plan, new_title, *view_outputs], api_name="create_plan")

        @friendly
        def on_rename(plan_id: str, title: str, request: gr.Request):
            user = user_of(request)
            workspace.rename_plan(user, plan_id, title)
            return gr.Dropdown(choices=plan_choices(user), value=plan_id), ""

        rename.click(on_rename, [plan, rename_to], [plan, rename_to], api_name="rename_plan")

        @friendly
        def on_open(plan_id: str, theme_id: str, request: gr.Request):
            return view(user_of(request), plan_id, theme_id)

        plan.input(on_open, [plan, theme], view_outputs, api_name="open_plan")
        theme.input(on_open, [plan, theme], view_outputs, api_name="open_section")

        @friendly
        def on_back_to_draft(plan_id: str | None, theme_id: str, request: gr.Request):
            # Passages under their documents' titles as they are now (one may have been retitled in the
            # Corpus tab); only the evidence panel, so unsaved text in the editor stays.
            record = workspace.section(user_of(request), plan_id, theme_id) if plan_id else None
            return evidence_html(record.section if record else None)

        draft_tab.select(on_back_to_draft, [plan, theme], [evidence])

        # -- chat: draft and revise, streamed ------------------------------------------------------
        @friendly
        def on_chat(plan_id: str, theme_id: str, text: str, request: gr.Request, replace: bool = False):
            user = user_of(request)
            if not plan_id:
                raise WorkspaceError("Create or choose a plan first.")
            shown = chat_messages(workspace.messages(user, plan_id, theme_id) + [{"role": "user", "content": text}])
            skip = [gr.skip()] * (len(view_outputs) - 3)
            hidden = [gr.Group(visible=False), ""]
            yield [gr.skip(), gr.skip(), shown, *skip, "", *hidden]
            partial = ""
            try:
                for event in workspace.chat(user, plan_id, theme_id, text, replace=replace):
                    if event.kind == "text":
                        partial += event.text
                        streamed = shown + chat_messages([{"role": "assistant", "content": readable_stream(partial)}])
                        yield [gr.skip(), gr.skip(), streamed, *skip, gr.skip(), gr.skip(), gr.skip()]
                    elif event.kind == "restart":
                        partial = ""
            except ConfirmationNeeded as asked:
                # Nothing was changed: show the section as it is, and ask.
                question = f"**Replace this section?** {markdown_text(str(asked))}"
                yield [*view(user, plan_id, theme_id), text, gr.Group(visible=True), question]
                return
            except REFUSALS as exc:
                # The officer's message was already echoed into the chat and cleared from the box: put both back.
                refuse(exc)
                yield [gr.skip(), gr.skip(), shown[:-1], *skip, text, gr.skip(), gr.skip()]
                return
            yield [*view(user, plan_id, theme_id), "", *hidden]

        chat_outputs = [*view_outputs, message, confirm_box, confirm_text]
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

        restore.click(on_restore, [plan, theme, versions], view_outputs, api_name="restore_version")

        @friendly
        def on_edit(plan_id: str, theme_id: str, text: str, request: gr.Request):
            user = user_of(request)
            workspace.edit(user, plan_id, theme_id, text)
            return view(user, plan_id, theme_id)

        save_edit.click(on_edit, [plan, theme, editor], view_outputs, api_name="edit_section")

        def section_action(action):
            """A button that changes the section's status (accept, reopen), then shows the section again."""

            @friendly
            def handler(plan_id: str, theme_id: str, request: gr.Request):
                user = user_of(request)
                action(user, plan_id, theme_id)
                return view(user, plan_id, theme_id)

            return handler

        accept.click(section_action(workspace.accept), [plan, theme], view_outputs, api_name="accept_section")
        reopen.click(section_action(workspace.reopen), [plan, theme], view_outputs, api_name="reopen_section")

        # -- export ----------------------------------------------------------------------------------
        @friendly
        def on_export_docx(plan_id: str, request: gr.Request):
            if not plan_id:
                raise WorkspaceError("Create or choose a plan first.")
            user = user_of(request)
            path, check = workspace.export_docx(user, plan_id, Path(tempfile.mkdtemp(dir=export_dir)))
            status = export_status(workspace.release(user, plan_id))
            return files.own(user, path), f"{status}\n\n" + ("\u26a0 " if check.over else "\u2713 ") + check.message()

        export_docx.click(on_export_docx, [plan], [download, page_check], api_name="export_docx")

        @friendly
        def on_export_md(plan_id: str, request: gr.Request):
            if not plan_id:
                raise WorkspaceError("Create or choose a plan first.")
            user = user_of(request)
            path = workspace.export_markdown(user, plan_id, Path(tempfile.mkdtemp(dir=export_dir)))
            return files.own(user, path), export_status(workspace.release(user, plan_id))

        export_md.click(on_export_md, [plan], [download, page_check], api_name="export_markdown")

        @friendly
        def on_council(plan_id: str, name: str, request: gr.Request):
            if not plan_id:
                raise WorkspaceError("Create or choose a plan first.")
            saved = workspace.set_council(user_of(request), plan_id, name)
            return saved.council, f"Exports of this plan will print \u201c{saved.council}\u201d."

        save_council.click(on_council, [plan, council], [council, page_check], api_name="set_council")

    return app
