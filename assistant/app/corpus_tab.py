"""The Corpus tab: upload and ingest, documents and their titles, removal, the corpus log, and the
documents the open plan drafts from.

Widgets and handlers together, a thin shell over `CorpusManager` (uploads, name clashes, titles,
removal, the log) and the workspace's document sets; nothing here knows how the store keeps them.
Two actions ask first, in a box under the button, as a redraft does: an upload named like a stored
document but different from it (Replace / Keep both / Cancel), and a removal (which plans cite it).
Document titles are text the document or an officer chose: the table and lists show them as text,
and the Markdown boxes get them through `views.markdown_text`.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr
from gradio.data_classes import FileData
from gradio.utils import NamedString

from assistant.app.refusals import friendly, user_of
from assistant.app.confirm import confirmation
from assistant.app.views import markdown_text
from assistant.progress import Progress
from assistant.workspace.corpus import CorpusManager, UploadResult
from assistant.workspace.service import Workspace, WorkspaceError

DOCUMENT_HEADERS = ["Title", "File", "Type", "Pages", "Passages", "Id"]
LOG_HEADERS = ["When", "Who", "What", "Document", "Detail"]


class UploadBox(gr.File):
    """Gradio's file widget, whose `file_types` only filter the browser's picker.

    Gradio's server-side check refuses a whole batch with "Invalid file type" and names no file;
    `CorpusManager.check_upload` refuses each bad file by name and ingests the rest, so the type
    check is left to it.
    """

    is_template = True  # rendered by Gradio's own File component in the browser

    def _process_single_file(self, f: FileData) -> NamedString:
        return NamedString(f.path)


class DocumentChoices(gr.CheckboxGroup):
    """Gradio's checkbox group, without its check of the ticked values against the choices it last sent.

    That check raises an error badge when another officer removed a document since the list was shown,
    and refuses an API client that never loaded the list; `Workspace.set_document_set` checks the ids
    against the store itself and says, as a refusal, that a chosen document has gone.
    """

    is_template = True  # rendered by Gradio's own CheckboxGroup in the browser

    def preprocess(self, payload: list[str] | None) -> list[str]:
        return [str(value) for value in payload or []]


class GradioProgress(Progress):
    def __init__(self, progress: gr.Progress):
        self.progress, self.total, self.done, self.label = progress, 0, 0, ""

    def start(self, total: int, label: str) -> None:
        self.total, self.done, self.label = total, 0, label
        self.progress((0, total), desc=label)

    def advance(self, detail: str = "", n: int = 1) -> None:
        self.done += n
        self.progress((self.done, self.total), desc=f"{self.label}: {detail}")


def clash_markdown(result: UploadResult) -> str:
    """The question a name clash asks (titles and names as text)."""
    lines = ["**A document with this name is already in the corpus.**", ""]
    lines += [f"- {markdown_text(c.question())}" for c in result.clashes]
    lines += ["", "**Replace** it with the new file (plans that cite the old one keep the passages they cite), or "
              "**keep both** (the new file is added under a name of its own, such as \u201cname (2)\u201d)?"]
    return "\n".join(lines)


def build_corpus_tab(app: gr.Blocks, workspace: Workspace, corpus: CorpusManager, plan: gr.Dropdown) -> None:
    """The tab's widgets, in the Tabs being built, and their handlers; `plan` is the plan chooser."""
    with gr.Tab("Corpus", elem_id="corpus-tab") as tab:
        uploads = UploadBox(label="Council documents", file_count="multiple", file_types=corpus.allowed_extensions(),
                            type="filepath")
        ingest = gr.Button("Ingest", variant="primary")
        # Plain text: the status names files and titles a document chose.
        status = gr.Textbox(label="Last change to the corpus", interactive=False, lines=2, elem_id="ingest-status")
        with gr.Group(visible=False, elem_id="confirm-clash") as clash_box:
            clash_text = gr.Markdown(elem_id="clash-text")
            with gr.Row():
                replace = gr.Button("Replace", variant="stop", elem_id="clash-replace")
                keep_both = gr.Button("Keep both", variant="primary", elem_id="clash-keep-both")
                cancel = gr.Button("Cancel the upload", elem_id="clash-cancel")
        clash_tokens = gr.Textbox(visible=False, elem_id="clash-tokens")  # the held uploads, until answered
        documents = gr.Dataframe(headers=DOCUMENT_HEADERS, interactive=False, label="Documents in the corpus", elem_id="documents")
        with gr.Row():
            # Custom values allowed for the same reason as DocumentChoices: the corpus checks the id.
            chosen = gr.Dropdown(label="Document", choices=[], scale=3, elem_id="document", allow_custom_value=True)
            title = gr.Textbox(label="Its title (as citations and references show it)", scale=3, elem_id="document-title")
            retitle = gr.Button("Save title", scale=1, elem_id="retitle")
            remove = gr.Button("Remove", variant="stop", scale=1, elem_id="remove")
        remove_box, remove_text, remove_yes, remove_no = confirmation(
            "confirm-remove", "remove-text", "Remove it", "remove-confirm", "Keep it", "remove-cancel")
        doomed = gr.Textbox(visible=False)  # the document the question was about, whatever is chosen since
        with gr.Accordion("Documents this plan drafts from", open=True, elem_id="plan-documents-box"):
            every = gr.Checkbox(label="All documents, including ones added later", value=True, elem_id="all-documents")
            chosen_set = DocumentChoices(label="Only these", choices=[], elem_id="plan-documents")
            save_set = gr.Button("Save this plan's documents", elem_id="save-plan-documents")
            set_status = gr.Markdown(elem_id="plan-documents-status")
        history = gr.Dataframe(headers=LOG_HEADERS, interactive=False, label="Changes to the corpus (newest first)",
                               elem_id="corpus-log")

    # -- what the tab shows ------------------------------------------------------------------------
    def plan_documents(user: str, plan_id: str | None, docs):
        choices = [(f"{d.title} ({Path(d.source).name})", d.doc_id) for d in docs]
        limited = workspace.document_set(user, plan_id) if plan_id else None
        known = {d.doc_id for d in docs}
        value = [d.doc_id for d in docs] if limited is None else [i for i in limited if i in known]
        return gr.Checkbox(value=limited is None), gr.CheckboxGroup(choices=choices, value=value)

    def shown() -> list:
        """Documents, the chooser and the log: what any user's change to the shared corpus moves."""
        docs = corpus.documents()
        table = [[d.title, Path(d.source).name, d.kind, d.pages or "", d.chunks, d.doc_id] for d in docs]
        choices = gr.Dropdown(choices=[(f"{d.title} ({Path(d.source).name})", d.doc_id) for d in docs], value=None)
        return [table, choices, [event.row() for event in corpus.history()]]

    view = [documents, chosen, history]

    @friendly
    def on_plan(plan_id: str | None, request: gr.Request):
        return plan_documents(user_of(request), plan_id, corpus.documents())

    def refreshed(event) -> None:
        """After a change to the corpus, the plan's list of documents shows it too (the endpoints keep
        their inputs: API clients need not name a plan to upload or remove a document)."""
        event.then(on_plan, [plan], [every, chosen_set])

    app.load(shown, None, view, api_name="corpus")
    refreshed(tab.select(shown, None, view))  # the corpus is shared: show it as it is now

    # -- upload, and the answer to a name clash ----------------------------------------------------
    def after_upload(result: UploadResult) -> list:
        asked = bool(result.clashes)
        return [result.summary(), *shown(), gr.Group(visible=asked), clash_markdown(result) if asked else "",
                " ".join(c.token for c in result.clashes)]

    def on_ingest(paths: list[str] | None, request: gr.Request, progress=gr.Progress()):
        # A refused ingest is said in the status line beside the button (one message, which API
        # clients read too); the chosen files stay chosen and the documents table is untouched.
        keep = [gr.skip()] * (len(view) + 4)
        if not paths:
            return ["Choose one or more files to ingest first.", *keep]
        user = user_of(request)
        result = corpus.upload([(Path(p).name, Path(p)) for p in paths], progress=GradioProgress(progress), user=user)
        r = result.report
        if result.rejected and not (r.added or r.updated or r.unchanged or r.duplicates or r.failed or result.clashes):
            return ["Nothing was ingested: the file type, size or content was refused. "
                    + "; ".join(f"{name}: {why}" for name, why in result.rejected), *keep]
        out = after_upload(result)
        return [*out[:1 + len(view)], None, *out[1 + len(view):]]

    refreshed(ingest.click(on_ingest, [uploads], [status, *view, uploads, clash_box, clash_text, clash_tokens], api_name="ingest",
                           concurrency_limit=1))

    def answer(choice: str):
        @friendly
        def handler(tokens: str, request: gr.Request, progress=gr.Progress()):
            if not (tokens or "").split():
                raise WorkspaceError("No upload is waiting for an answer.")
            user = user_of(request)
            results = [corpus.resolve(user, token, choice, GradioProgress(progress)) for token in tokens.split()]
            merged = UploadResult(results[0].report, notes=[n for r in results for n in r.notes])
            for extra in results[1:]:
                for name in ("added", "updated", "unchanged", "duplicates", "failed"):
                    getattr(merged.report, name).extend(getattr(extra.report, name))
                merged.report.chunks_written += extra.report.chunks_written
            return after_upload(merged)

        return handler

    answered = [status, *view, clash_box, clash_text, clash_tokens]
    for button, choice, name in ((replace, "replace", "replace_upload"), (keep_both, "keep_both", "keep_both_uploads"),
                                 (cancel, "cancel", "cancel_upload")):
        refreshed(button.click(answer(choice), [clash_tokens], answered, api_name=name, concurrency_limit=1))

    # -- titles --------------------------------------------------------------------------------------
    def on_choose(doc_id: str | None):
        # Quietly empty for an id that is not (or no longer) a document: Save title and Remove say why.
        return next((d.title for d in corpus.documents() if d.doc_id == doc_id), "") if doc_id else ""

    chosen.change(on_choose, [chosen], [title])

    @friendly
    def on_retitle(doc_id: str | None, new_title: str, request: gr.Request):
        if not doc_id:
            raise WorkspaceError("Choose the document to retitle.")
        saved = corpus.retitle(user_of(request), doc_id, new_title)
        return [f"Retitled {Path(saved.source).name}: \u201c{saved.title}\u201d.", *shown(), saved.title]

    refreshed(retitle.click(on_retitle, [chosen, title], [status, *view, title], api_name="retitle_document"))

    # -- removal: ask first, saying which plans cite it ---------------------------------------------
    @friendly
    def on_ask_remove(doc_id: str | None, request: gr.Request):
        if not doc_id:
            raise WorkspaceError("Choose a document to remove.")
        check = corpus.removal_check(user_of(request), doc_id)
        return gr.Group(visible=True), markdown_text(check.question()), doc_id

    remove.click(on_ask_remove, [chosen], [remove_box, remove_text, doomed], api_name="ask_remove_document")

    @friendly
    def on_remove(doc_id: str | None, request: gr.Request):
        if not doc_id:
            raise WorkspaceError("Choose a document to remove.")
        removed = corpus.delete(doc_id, user=user_of(request))
        return [f"Removed {removed.title} ({removed.chunks} passages).", *shown(), gr.Group(visible=False), "", ""]

    # The confirmed removal (what the question's "Remove it" does): its own endpoint, so an API client
    # that removes a document has asked first (`ask_remove_document`) or knowingly skipped it.
    refreshed(remove_yes.click(on_remove, [doomed], [status, *view, remove_box, remove_text, doomed], api_name="delete_document",
                               concurrency_limit=1))
    remove_no.click(lambda: (gr.Group(visible=False), "", ""), None, [remove_box, remove_text, doomed])

    # -- the plan's documents ------------------------------------------------------------------------
    plan.change(on_plan, [plan], [every, chosen_set]).then(lambda: "", None, [set_status])

    def on_every(on: bool):
        # Ticking "all" ticks every document; unticking it leaves the list for the officer to choose from.
        return gr.CheckboxGroup(value=[d.doc_id for d in corpus.documents()]) if on else gr.skip()

    every.input(on_every, [every], [chosen_set])
    chosen_set.input(lambda ids: len(ids or []) == len(corpus.documents()), [chosen_set], [every])

    @friendly
    def on_save_set(plan_id: str | None, everything: bool, doc_ids: list[str] | None, request: gr.Request):
        if not plan_id:
            raise WorkspaceError("Create or choose a plan first.")
        user = user_of(request)
        everyone = {d.doc_id for d in corpus.documents()}
        # "All" counts only with every document ticked: unticking one clears "all" after a round trip, and a
        # Save clicked before it lands must not widen the plan to documents the officer just unticked.
        wide = everything and set(doc_ids or []) >= everyone
        said = workspace.set_document_set(user, plan_id, None if wide else (doc_ids or []))
        return [markdown_text(said), *plan_documents(user, plan_id, corpus.documents())]

    save_set.click(on_save_set, [plan, every, chosen_set], [set_status, every, chosen_set], api_name="set_plan_documents")
