"""The question the workspace asks before an action that cannot be taken back (redraft over the officer's text,
remove a document, delete a plan): hidden until asked, the question as text, then yes and no."""

from __future__ import annotations

import gradio as gr


def confirmation(box_id: str, text_id: str, yes: str, yes_id: str, no: str, no_id: str):
    """Built in the Blocks being built; returns (box, question text, yes button, no button)."""
    with gr.Group(visible=False, elem_id=box_id) as box:
        text = gr.Markdown(elem_id=text_id)
        with gr.Row():
            yes_button = gr.Button(yes, variant="stop", elem_id=yes_id)
            no_button = gr.Button(no, elem_id=no_id)
    return box, text, yes_button, no_button
