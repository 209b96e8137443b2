"""The command line: a thin shell over `assistant.api.Assistant`.

Heavy imports (torch, chromadb) happen inside commands, so `assistant --help` is quick.
"""

from __future__ import annotations

import getpass
import logging
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False, help="Council Drafting Assistant: draft council plans grounded in the council's own documents.")
state: dict = {}


def _console(stderr: bool = True):
    from rich.console import Console

    return Console(stderr=stderr)


def _say(*parts, console=None) -> None:
    """Print text on stderr without reading markup in it: documents, plans and officers write brackets
    (`[/red]` in an instruction once crashed `revise` after it had saved). Each part is text, or
    (text, style) for the CLI's own labels."""
    from rich.text import Text

    (console or _console()).print(Text.assemble(*parts), highlight=False)


def _text(value):
    """A table cell shown as written (a str cell would be read as markup)."""
    from rich.text import Text

    return Text(str(value))


class _RichProgress:
    """Shows the core's progress as a rich progress bar on stderr."""

    def __init__(self):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = _console()
        self.bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.fields[detail]}"),
            console=self.console, transient=False,
        )
        self.task = None

    def start(self, total: int, label: str) -> None:
        self.bar.start()
        self.task = self.bar.add_task(label, total=total, detail="")

    def advance(self, detail: str = "", n: int = 1) -> None:
        self.bar.update(self.task, advance=n, detail=detail)

    def warn(self, message: str) -> None:
        _say(("error", "red"), f" {message}", console=self.bar.console)

    def finish(self) -> None:
        self.bar.stop()


def _settings(local_model: bool = False, required: bool = True):
    """The settings from the environment; with `local_model`, drafting with the managed local model, started now.
    When it cannot run: an error when `required`, else a warning and the offline drafter."""
    from assistant.config import Settings

    settings = Settings.from_env(data_dir=state.get("data_dir"), template=state.get("template"))
    if not local_model:
        return settings
    from assistant.llm.local_server import LocalServerError
    from assistant.llm.managed import start_local_model

    console = _console()
    try:
        settings, backend = start_local_model(settings, say=lambda m: console.print(m, highlight=False, markup=False))
    except LocalServerError as exc:
        if required:
            _fail(f"{exc}\n(the offline drafter still works: run the command without --local-model)")
        console.print(f"[red]error:[/red] the local model cannot run, so the offline drafter drafts: {exc}", highlight=False)
        return settings.with_(drafter="offline")
    console.print(f"Drafting with {backend.describe()}", highlight=False, markup=False)
    return settings


def _assistant(local_model: bool = False):
    from assistant.api import Assistant

    return Assistant(_settings(local_model))


def _fail(message: str, code: int = 1):
    _say(("error:", "red"), f" {message}")
    raise typer.Exit(code)


@app.callback()
def main_options(
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Where the store lives (default .assistant/, or ASSISTANT_DATA_DIR)."),
    template: Optional[str] = typer.Option(None, "--template", help="Plan template name in prompts/templates/ (default productivity_plan)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log what each stage does."),
):
    state["data_dir"] = data_dir
    state["template"] = template
    level = logging.INFO if verbose else getattr(logging, os.environ.get("ASSISTANT_LOG_LEVEL", "WARNING").upper(), logging.WARNING)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@app.command()
def ingest(
    paths: List[Path] = typer.Argument(..., help="Files or folders of council documents (PDF, DOCX, HTML, Markdown, text)."),
    prune: bool = typer.Option(False, "--prune", help="Remove documents whose files no longer exist."),
    by: Optional[str] = typer.Option(None, "--by", help="Who to name in the corpus log the web app shows (default: your login name)."),
):
    """Load, chunk, embed and store documents. Unchanged files are skipped. What is added, updated or pruned goes
    into the corpus log, as an upload in the web app does."""
    from assistant.workspace.corpus import CorpusManager  # the workspace's SQLite, only for this command

    assistant = _assistant()
    report = CorpusManager(assistant).ingest_in_place(by or _login_name(), paths, prune=prune, progress=_RichProgress())
    console = _console()
    for path, reason in report.failed:
        _say(("failed", "red"), f" {path}: {reason}", console=console)
    for path, twin in report.duplicates:
        _say(("skipped", "yellow"), f" {path}: same content as {twin}, already ingested", console=console)
    _say(
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.pruned)} pruned, {len(report.failed)} failed; {report.chunks_written} chunks written to {assistant.store.location}",
        console=console,
    )


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container): still say where the change came from
        return "command line"


@app.command()
def sources():
    """List ingested documents with pages, chunk counts and ingest time."""
    from rich.table import Table

    docs = _assistant().sources()
    if not docs:
        _fail("nothing ingested yet: run `assistant ingest PATH`")
    table = Table("Document", "File", "Type", "Pages", "Chunks", "Ingested (UTC)")
    for d in docs:
        table.add_row(_text(d.title), _text(Path(d.source).name), d.kind, str(d.pages or "-"), str(d.chunks),
                      d.ingested_at.replace("T", " ")[:16])
    _console(stderr=False).print(table)


def _document_set(docs, names: List[str]) -> list[str]:
    """The ids of the ingested documents named by file name or title (any case); an unknown name is an error that
    lists what there is, so a typo never drafts from every document."""
    chosen = []
    for name in names:
        key = name.strip().casefold()
        found = [d.doc_id for d in docs if key in (Path(d.source).name.casefold(), d.title.casefold())]
        if not found:
            known = ", ".join(sorted(Path(d.source).name for d in docs)) or "none (run `assistant ingest PATH`)"
            _fail(f"no ingested document is called '{name}'; ingested: {known}")
        chosen += found
    return list(dict.fromkeys(chosen))


@app.command()
def draft(
    theme: Optional[List[str]] = typer.Option(None, "--theme", help="Draft only this theme id (repeatable)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the plan here instead of printing it."),
    fmt: str = typer.Option("md", "--format", help="md or json."),
    drafter: Optional[str] = typer.Option(None, "--drafter", help="offline or llm (default: llm when an endpoint is configured, else offline)."),
    llm: bool = typer.Option(False, "--llm", help="Draft with the configured OpenAI-compatible model (same as --drafter llm)."),
    explain: bool = typer.Option(False, "--explain", help="Also list every guidance question: answered, or why it is an evidence gap."),
    local_model: bool = typer.Option(False, "--local-model", help="Draft with the local Qwen model the assistant runs itself (installed on first use)."),
    document: Optional[List[str]] = typer.Option(None, "--document", help="Draft only from this ingested document: its file name or title, as `assistant sources` lists them (repeatable)."),
):
    """Draft the plan (or some themes) from the ingested documents, with citations. The draft is also saved for `revise`."""
    from assistant.budget import plan_budget
    from assistant.export import plan_json, plan_markdown
    from assistant.templates import TemplateError

    if fmt not in ("md", "json"):
        _fail("--format must be md or json")
    assistant = _assistant(local_model)
    doc_ids = _document_set(assistant.sources(), document) if document else None
    try:
        plan = assistant.draft_plan(theme_ids=theme, drafter="llm" if llm else drafter, progress=_RichProgress(), doc_ids=doc_ids)
    except (TemplateError, RuntimeError, ValueError) as exc:
        _fail(str(exc))
    assistant.save_plan(plan)
    _print_notes(plan.sections)
    text = plan_json(plan, assistant.template) if fmt == "json" else plan_markdown(plan, assistant.template)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    _print_summary(plan, assistant.template, plan_budget, out)
    if explain:
        _print_explanation(plan, assistant.template)


def _print_explanation(plan, template):
    """Per guidance question: how many sentences answer it and from which documents, or why it is a gap."""
    from rich.table import Table
    from rich.text import Text

    table = Table("Question", "Verdict", "Score", "Why / from", title="Guidance questions")
    for section in plan.sections:
        evidence = section.evidence_by_number()
        gaps = {g.question_id: g for g in section.gaps}
        for question in template.theme(section.theme_id).questions:
            gap = gaps.get(question.id)
            if gap is not None:
                score = "-" if gap.score is None else f"{gap.score:.2f}"
                # Text, not markup: questions and reasons may hold brackets a document or template wrote.
                table.add_row(Text(question.id), Text("gap", style="yellow"), score, Text(gap.reason or "not answered"))
                continue
            sentences = [s for s in section.sentences if s.question_id == question.id]
            titles = sorted({evidence[n].title for s in sentences for n in s.citations if n in evidence})
            table.add_row(Text(question.id), Text(f"{len(sentences)} sentences"), "", Text("; ".join(titles)))
    _console().print(table)


def _print_notes(sections):
    console = _console()
    for section in sections:
        for note in section.notes:
            _say((section.title, "yellow"), f": {note}", console=console)


@app.command()
def revise(
    theme: str = typer.Argument(..., help="Theme id of the section to revise (see the template)."),
    instruction: str = typer.Argument(..., help='What to change, e.g. "shorter" or "add the temporary accommodation pressures".'),
    drafter: Optional[str] = typer.Option(None, "--drafter", help="offline or llm (default as for draft)."),
    llm: bool = typer.Option(False, "--llm", help="Revise with the configured model."),
    out: Optional[Path] = typer.Option(None, "--out", help="Also write the whole revised plan (Markdown) here."),
):
    """Revise one section of the last saved draft as instructed, re-verify it and save it."""
    from assistant.budget import plan_budget
    from assistant.export import plan_markdown
    from assistant.render import section_markdown
    from assistant.templates import TemplateError

    assistant = _assistant()
    try:
        plan = assistant.load_plan()
        section = next((s for s in plan.sections if s.theme_id == theme), None)
        if section is None:
            assistant.template.theme(theme)  # names the valid themes if this one is unknown
            _fail(f"the saved draft has no '{theme}' section: draft it first with `assistant draft --theme {theme}`")
        revised = assistant.revise_section(section, instruction, drafter="llm" if llm else drafter)
    except (TemplateError, RuntimeError, ValueError) as exc:
        _fail(str(exc))
    plan = assistant.replace_section(plan, revised)
    assistant.save_plan(plan)
    sys.stdout.write(section_markdown(revised, assistant.template.theme(theme).heading) + "\n")
    _print_notes([revised])
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(plan_markdown(plan, assistant.template), encoding="utf-8")
    _print_summary(plan, assistant.template, plan_budget, out)


def _print_summary(plan, template, plan_budget, out):
    from rich.table import Table

    from assistant.budget import plan_pages

    budget = plan_pages(plan, template)  # the same figures as the web meter and the export's page check
    table = Table("Theme", "Tokens", "Allowed", "Pages", "Citations", "Evidence gaps (guidance questions with no evidence)",
                  title=_text(plan.title))
    for section, line in zip(plan.sections, budget.lines):
        citations = sum(len(s.citations) for s in section.sentences)
        gaps = "\n".join(g.question for g in section.gaps) or "-"
        style = "red" if line.over else None
        table.add_row(_text(section.title), str(line.tokens), str(line.allowance), f"{line.pages:.2f}", str(citations), _text(gaps),
                      style=style)
    limit = template.budget_tokens
    table.add_row("Total", str(budget.counted_tokens), str(limit), f"{budget.pages:.2f} of {template.page_limit}", "", "",
                  style="red" if budget.over else "bold")
    console = _console()
    console.print(table)
    console.print(f"Pages as the Word export prints them. References: {budget.references_note()}.", highlight=False, markup=False)
    if out:
        _say(f"wrote {out}", console=console)


@app.command()
def templates():
    """List the plan templates in prompts/templates/."""
    from assistant.config import Settings

    for path in sorted((Settings.from_env().prompts_dir / "templates").glob("*.yaml")):
        print(path.stem)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on. Anything but loopback needs --auth or --users-file."),
    port: int = typer.Option(7860, "--port"),
    auth: Optional[List[str]] = typer.Option(None, "--auth", help="user:password allowed to sign in (repeatable)."),
    users_file: Optional[Path] = typer.Option(None, "--users-file", help="File of user:password or user:<hash> lines (see hash-password)."),
    local_model: bool = typer.Option(False, "--local-model", help="Draft with the local Qwen model the assistant runs itself (installed on first use)."),
):
    """Serve the drafting workspace (Gradio) in the browser."""
    from assistant.app.auth import AuthError, check_bind, load_users

    try:
        users = load_users(auth, users_file)
        check_bind(host, users)
    except AuthError as exc:
        _fail(str(exc), code=2)
    from assistant.app.server import start

    settings = _settings(local_model, required=False)
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    _say(f"Serving the workspace on http://{shown}:{port} (Ctrl+C to stop)")
    start(settings, host, port, users, block=True)


@app.command("hash-password")
def hash_password_command():
    """Print a hashed password for a users file line (user:<hash>)."""
    from assistant.app.auth import hash_password

    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    print(hash_password(password))


@app.command("eval")
def eval_command(
    dataset: Optional[List[str]] = typer.Option(None, "--dataset", help="corpus or seeds (repeatable; default both, seeds when present)."),
    llm: bool = typer.Option(False, "--llm", help="Draft with the LLM drafter (configured endpoint, else the local Qwen server)."),
    judge: str = typer.Option("offline", "--judge", help="Judge for coverage and citations: offline or llm."),
    llm_judge: bool = typer.Option(False, "--llm-judge", help="Also validate the LLM judge on the labelled pairs."),
    no_render: bool = typer.Option(False, "--no-render", help="Skip the LibreOffice page count."),
):
    """Run the evals (coverage, citations, figures, pages, retrieval) and write evals/results/; exit 1 under a threshold."""
    from assistant.config import PROJECT_ROOT

    if not (PROJECT_ROOT / "evals" / "run.py").exists():
        _fail("the evals live in the project checkout (evals/); run this from a checkout, not an installed package")
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))  # evals/ is not part of the installed package
    from evals.run import main as run_evals

    argv = [arg for d in dataset or [] for arg in ("--dataset", d)] + ["--judge", judge]
    argv += ["--llm"] * llm + ["--llm-judge"] * llm_judge + ["--no-render"] * no_render
    raise typer.Exit(run_evals(argv))


def main():
    app()


if __name__ == "__main__":
    main()
