"""Starting the web app: checks first (where it listens, who may sign in), then Gradio.

`start()` returns the running app for tests; `serve()` blocks for the CLI.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from assistant.app.auth import authenticator, check_bind
from assistant.config import Settings

log = logging.getLogger(__name__)

# Officers draft a few sections at a time; the model endpoint, not the app, is the bottleneck.
QUEUE_CONCURRENCY = 4


@dataclass
class RunningApp:
    app: object  # gr.Blocks
    url: str

    def close(self) -> None:
        self.app.close()


def start(settings: Settings, host: str = "127.0.0.1", port: int = 7860, users: dict[str, str] | None = None,
          block: bool = False, assistant=None, limiter=None) -> RunningApp:
    users = users or {}
    check_bind(host, users)  # before anything slow: a refusal should be instant
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from starlette.middleware import Middleware

    from assistant.api import Assistant
    from assistant.app.files import PrivateFiles, PrivateFilesMiddleware
    from assistant.app.headers import SecurityHeadersMiddleware
    from assistant.app.signin import MAX_FAILURES, LOCKOUT_SECONDS, SignInLimiter, SignInLimitMiddleware
    from assistant.app.ui import build_app
    from assistant.app.layout import PAGE_CSS, PAGE_JS
    from assistant.workspace.corpus import CorpusManager
    from assistant.workspace.service import Workspace

    assistant = assistant or Assistant(settings)
    files = PrivateFiles()
    workspace = Workspace(assistant)
    # One database for both: the corpus log, document titles and plans' document sets sit beside the plans.
    app = build_app(workspace, CorpusManager(assistant, workspace.db), files)
    app.queue(default_concurrency_limit=QUEUE_CONCURRENCY)
    _, url, _ = app.launch(
        server_name=host,
        server_port=port,
        auth=authenticator(users) if users else None,
        auth_message=(f"Sign in with your council account for the drafting assistant. After {MAX_FAILURES} failed "
                      f"sign-ins an account, and the address they came from, wait {LOCKOUT_SECONDS // 60} minutes."
                      if users else None),
        max_file_size=f"{settings.max_file_mb}mb",  # enforced by the server before the upload handler sees it
        prevent_thread_lock=not block,
        share=False,
        quiet=not block,
        footer_links=["api"],
        ssr_mode=False,  # server-side rendering needs Node and a second port; nothing here gains from it
        css=PAGE_CSS,
        js=PAGE_JS,
        # Gradio lets any signed-in user fetch any cached file by its URL; exports are their owner's alone.
        # Listed outermost first: headers go on every answer, including the sign-in limit's refusals.
        app_kwargs={"middleware": [Middleware(SecurityHeadersMiddleware),
                                   Middleware(SignInLimitMiddleware, limiter=limiter or SignInLimiter()),
                                   Middleware(PrivateFilesMiddleware, files=files)]},
    )
    return RunningApp(app, url)
