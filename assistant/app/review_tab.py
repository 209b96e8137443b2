"""The Review tab: every sentence beside its passages, a decision on each, the CSV.

Widgets and handlers together, as a thin shell over the workspace's review desk
(`assistant/workspace/reviews.py`): opening the tab shows the table, choosing a
sentence shows its own decision, and the CSV holds the rows the filter shows.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from assistant.app.files import PrivateFiles
from assistant.app.refusals import friendly, user_of
from assistant.app.views import review_choice, review_html, reviewer_markdown
from assistant.workspace.service import Workspace, WorkspaceError


def build_review_tab(workspace: Workspace, plan: gr.Dropdown, files: PrivateFiles, export_dir: Path) -> None:
    """The tab's widgets, in the Tabs being built, and their handlers; `plan` is the plan chooser."""
    with gr.Tab("Review", elem_id="review-tab") as review_tab:
        reviewer = gr.Markdown(elem_id="reviewer")
        with gr.Row():
            flagged_only = gr.Checkbox(label="Only flagged sentences", value=False)
            refresh_review = gr.Button("Refresh")
        review_table = gr.HTML(elem_id="review", js_on_load=None)
        with gr.Row():
            review_sentence = gr.Dropdown(label="Sentence", choices=[], scale=3, elem_id="review-sentence")
            # No default: a decision shows only once a sentence is chosen, and then it is that sentence's.
            decision = gr.Radio(label="Decision", choices=["pending", "approved", "rejected"], value=None, scale=2,
                                elem_id="decision")
            comment = gr.Textbox(label="Comment", scale=3, elem_id="comment")
            with gr.Column(scale=1, min_width=160):
                decide = gr.Button("Save decision")
                decide_next = gr.Button("Save and next flagged", variant="primary", elem_id="decide-next")
        review_csv_button = gr.Button("Export the review as CSV")
        review_csv_file = gr.File(label="Review CSV", interactive=False)

    @friendly
    def on_review(plan_id: str, only_flagged: bool, request: gr.Request):
        if not plan_id:
            return review_html([]), gr.Dropdown(choices=[])
        rows = workspace.review(user_of(request), plan_id, flagged_only=only_flagged)
        return review_html(rows), gr.Dropdown(choices=[review_choice(r) for r in rows], value=None)

    refresh_review.click(on_review, [plan, flagged_only], [review_table, review_sentence], api_name="review")
    flagged_only.input(on_review, [plan, flagged_only], [review_table, review_sentence])
    # Opening the tab shows the table as it stands, and whose name the decisions are saved under.
    review_tab.select(on_review, [plan, flagged_only], [review_table, review_sentence])

    def on_reviewer(request: gr.Request):
        return reviewer_markdown(user_of(request))

    review_tab.select(on_reviewer, None, [reviewer])

    @friendly
    def on_choose(plan_id: str, key: str | None, request: gr.Request):
        """The chosen sentence's own decision and comment, never the last one's."""
        if not plan_id or not key:
            return None, ""
        row = workspace.review_row(user_of(request), plan_id, key)
        return row.decision, row.comment

    review_sentence.change(on_choose, [plan, review_sentence], [decision, comment], api_name="review_sentence")

    def save_decision(plan_id: str, key: str, choice: str, note: str, request: gr.Request):
        if not key:
            raise WorkspaceError("Choose a sentence to decide on.")
        return workspace.decide(user_of(request), plan_id, key, choice, note)

    @friendly
    def on_decide(plan_id: str, key: str, choice: str, note: str, only_flagged: bool, request: gr.Request):
        saved = save_decision(plan_id, key, choice, note, request)
        table, _ = on_review(plan_id, only_flagged, request)
        return table, saved.comment

    decide.click(on_decide, [plan, review_sentence, decision, comment, flagged_only], [review_table, comment], api_name="decide")

    @friendly
    def on_decide_next(plan_id: str, key: str, choice: str, note: str, only_flagged: bool, request: gr.Request):
        save_decision(plan_id, key, choice, note, request)
        user = user_of(request)
        upcoming = workspace.next_flagged(user, plan_id, key)
        rows = workspace.review(user, plan_id, flagged_only=only_flagged)
        choices = [review_choice(r) for r in rows]
        if upcoming is None:
            gr.Info("Saved. No other sentence is flagged.")
            return review_html(rows), gr.Dropdown(choices=choices, value=key), choice, note
        return review_html(rows), gr.Dropdown(choices=choices, value=upcoming.key), upcoming.decision, upcoming.comment

    decide_next.click(on_decide_next, [plan, review_sentence, decision, comment, flagged_only],
                      [review_table, review_sentence, decision, comment], api_name="decide_next")

    @friendly
    def on_review_csv(plan_id: str, only_flagged: bool, request: gr.Request):
        user = user_of(request)
        out = Path(tempfile.mkdtemp(dir=export_dir))
        return files.own(user, workspace.export_review_csv(user, plan_id, out, flagged_only=bool(only_flagged)))

    review_csv_button.click(on_review_csv, [plan, flagged_only], [review_csv_file], api_name="review_csv")
