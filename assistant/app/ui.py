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

from assistant.app.confirm import confirmation
from assistant.app.corpus_tab import build_corpus_tab
from assistant.app.draft_tab import DRAFT_MESSAGE, build_draft_tab  # noqa: F401 - DRAFT_MESSAGE: part of this module's API
from assistant.app.files import PrivateFiles
from assistant.app.refusals import REFUSALS, friendly, refuse, user_of  # noqa: F401 - user_of: part of this module's API
from assistant.app.review_tab import build_review_tab
from assistant.app.views import WELCOME, export_status, markdown_text
from assistant.workspace.corpus import CorpusManager
from assistant.workspace.service import Workspace, WorkspaceError


def build_app(workspace: Workspace, corpus: CorpusManager, files: PrivateFiles | None = None) -> gr.Blocks:
    template = workspace.template
    files = files or PrivateFiles()  # exports are registered to their user (see app/files.py)
    export_dir = Path(tempfile.mkdtemp(prefix="cda-exports-"))  # Gradio copies downloads from here into its cache

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
        with gr.Row(elem_id="plan-bar"):
            plan = gr.Dropdown(label="Plan", choices=[], value=None, scale=3, elem_id="plan")
            new_title = gr.Textbox(label="New plan title", placeholder="Productivity Plan 2024", scale=2, elem_id="new-title")
            create = gr.Button("Create plan", scale=1, elem_id="create-plan")
        with gr.Accordion("Rename or delete this plan", open=False, elem_id="plan-admin"):
            with gr.Row():
                rename_to = gr.Textbox(label="Rename the plan to", scale=2)
                rename = gr.Button("Rename", scale=1)
                delete_plan = gr.Button("Delete this plan", variant="stop", scale=1, elem_id="delete-plan")
            # Deleting takes every version, the chat and the review decisions with it: asked first.
            delete_box, delete_text, delete_yes, delete_no = confirmation(
                "confirm-delete", "confirm-delete-text", "Delete the plan", "confirm-delete-yes", "Keep it", "confirm-delete-no")
        # The first screen of an officer with no plan: what to do first (shown until a plan is chosen).
        with gr.Column(visible=False, elem_id="welcome") as welcome:
            gr.Markdown(WELCOME)
        # Opened by the page script on wide screens only: a phone opens on the plan (app/layout.py).
        with gr.Sidebar(label="Page budget", open=False, position="right", width=340, elem_id="budget-sidebar"):
            # In a sidebar so the budget stays in view on every tab.
            gr.Markdown("### Page budget")
            budget = gr.HTML(elem_id="budget", js_on_load=None)
        with gr.Tabs():
            draft_tab = build_draft_tab(workspace, plan, budget)
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

        plan_outputs = [*draft_tab.outputs, welcome, council]

        def plan_view(user: str, plan_id: str | None, theme_id: str | None = None) -> list:
            """The Draft tab for a plan, the first screen when there is none, and the council its exports print."""
            return [*draft_tab.view(user, plan_id, theme_id), gr.Column(visible=not plan_id),
                    workspace.plan(user, plan_id).council if plan_id else ""]

        # -- plans -------------------------------------------------------------------------------
        @friendly
        def on_load(request: gr.Request):
            user = user_of(request)
            choices = plan_choices(user)
            plan_id = choices[0][1] if choices else None
            who = getattr(request, "username", None)  # None when the app runs on loopback without sign-in
            return [gr.Dropdown(choices=choices, value=plan_id), *plan_view(user, plan_id),
                    gr.Textbox(value=who or "", visible=bool(who)), gr.Button(visible=bool(who))]

        app.load(on_load, None, [plan, *plan_outputs, signed_in, sign_out], api_name="load")

        @friendly
        def on_create(title: str, request: gr.Request):
            user = user_of(request)
            created = workspace.create_plan(user, title)
            return [gr.Dropdown(choices=plan_choices(user), value=created.id), "", *plan_view(user, created.id)]

        create.click(on_create, [new_title], [plan, new_title, *plan_outputs], api_name="create_plan")

        @friendly
        def on_rename(plan_id: str, title: str, request: gr.Request):
            user = user_of(request)
            workspace.rename_plan(user, plan_id, title)
            return gr.Dropdown(choices=plan_choices(user), value=plan_id), ""

        rename.click(on_rename, [plan, rename_to], [plan, rename_to], api_name="rename_plan")

        @friendly
        def on_open(plan_id: str, theme_id: str, request: gr.Request):
            return plan_view(user_of(request), plan_id, theme_id)

        plan.input(on_open, [plan, draft_tab.theme], plan_outputs, api_name="open_plan")

        @friendly
        def on_ask_delete(plan_id: str, request: gr.Request):
            if not plan_id:
                raise WorkspaceError("Choose the plan to delete.")
            title = workspace.plan_summary(user_of(request), plan_id).title
            return gr.Group(visible=True), (f"**Delete \u201c{markdown_text(title)}\u201d?** Its sections, every version of them, "
                                            "the chat and the review decisions are deleted with it. This cannot be undone.")

        delete_plan.click(on_ask_delete, [plan], [delete_box, delete_text])
        delete_no.click(lambda: (gr.Group(visible=False), ""), None, [delete_box, delete_text])

        @friendly
        def on_delete_plan(plan_id: str, request: gr.Request):
            """Delete the plan (the officer confirmed), then open the next one, or the first screen when none is left."""
            if not plan_id:
                raise WorkspaceError("Choose the plan to delete.")
            user = user_of(request)
            workspace.delete_plan(user, plan_id)
            choices = plan_choices(user)
            opened = choices[0][1] if choices else None
            return [gr.Dropdown(choices=choices, value=opened), *plan_view(user, opened), gr.Group(visible=False), ""]

        delete_yes.click(on_delete_plan, [plan], [plan, *plan_outputs, delete_box, delete_text], api_name="delete_plan")

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
