"""A workspace plan's exports: what state it is in, which version, and the files.

The release state (assistant/release.py) needs what only the workspace knows: each
section's status and the reviewers' decisions. The version number counts distinct
exported contents: exporting twice with nothing changed gives the same version, any
change to the text, a status or a decision gives the next one, so "version 3" on a
printed copy always means one content.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.release import Release, release_state
from assistant.workspace.db import now

if TYPE_CHECKING:
    from assistant.workspace.service import Workspace


def _decisions(workspace: "Workspace", plan_id: str) -> dict[str, dict]:
    with workspace.db.read() as db:
        return {r["sentence_key"]: dict(r) for r in db.execute("SELECT * FROM reviews WHERE plan_id = ?", (plan_id,))}


def release(workspace: "Workspace", user: str, plan_id: str, version: int = 0) -> Release:
    statuses = {r.theme_id: r.status for r in workspace.sections(user, plan_id)}
    return release_state(workspace.plan(user, plan_id), workspace.template, statuses, _decisions(workspace, plan_id),
                         version=version, author=user)  # the council is the plan's (Workspace.plan)


def _content_hash(workspace: "Workspace", user: str, plan_id: str, state: Release) -> str:
    content = {
        "plan": workspace.plan(user, plan_id).to_dict(),
        "not_accepted": state.not_accepted,
        "marks": [[m.theme_id, m.index, m.reasons] for m in state.flagged + state.rejected],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def versioned_release(workspace: "Workspace", user: str, plan_id: str) -> Release:
    """The release state with its version: the version already given to this content, or the next one."""
    state = release(workspace, user, plan_id)
    digest = _content_hash(workspace, user, plan_id, state)
    with workspace.db.write() as db:
        row = db.execute("SELECT version FROM exports WHERE plan_id = ? AND content_hash = ?", (plan_id, digest)).fetchone()
        if row is None:
            latest = db.execute("SELECT MAX(version) AS v FROM exports WHERE plan_id = ?", (plan_id,)).fetchone()["v"] or 0
            row = {"version": latest + 1}
            db.execute("INSERT INTO exports VALUES (?, ?, ?, ?, ?)", (plan_id, row["version"], digest, user, now()))
    state.version = row["version"]
    return state


def write_markdown(workspace: "Workspace", user: str, plan_id: str, path: Path) -> Path:
    from assistant.export import plan_markdown

    state = versioned_release(workspace, user, plan_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(plan_markdown(workspace.plan(user, plan_id), workspace.template, state), encoding="utf-8")
    return path


def write_docx(workspace: "Workspace", user: str, plan_id: str, path: Path):
    from assistant.export_docx import check_pages, plan_docx

    state = versioned_release(workspace, user, plan_id)
    plan = workspace.plan(user, plan_id)
    path = plan_docx(plan, workspace.template, path, state)
    return path, check_pages(path, plan, workspace.template)
