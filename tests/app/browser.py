"""Headless Chromium (Debian's, driven by Playwright) on the launched app, for the browser tests."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.app.server import start
from assistant.config import PROJECT_ROOT
from tests.app.conftest import free_port

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the networking flags Chromium keeps dialling Google's hosts, which this machine refuses.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUTPUT = Path(os.environ.get("TEST_OUTPUT_DIR", PROJECT_ROOT / "out" / "test-output")) / "browser"


@contextmanager
def app_in_chromium(assistant, profile: Path, screenshot: str, users: dict[str, str] | None = None, limiter=None):
    """Serve the app for `assistant` and open it in a fresh Chromium profile; yields the page
    (the sign-in page when `users` are given). Whatever the page shows at the end is saved as
    out/test-output/browser/<screenshot>."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (.ci/run does)")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    running = start(assistant.settings, port=free_port(), assistant=assistant, users=users, limiter=limiter)
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, accept_downloads=True,
            viewport={"width": 1500, "height": 1100},
        )
        page = browser.new_page()
        page.set_default_timeout(120_000)  # drafting on a loaded 2-core machine takes a while
        page.goto(running.url)
        page.app_url = running.url
        try:
            yield page
        finally:
            OUTPUT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUTPUT / screenshot), full_page=True)
            browser.close()
            running.close()


# A refusal's message (gr.Warning) and the red badge gr.Error leaves over every output panel.
TOASTS = "[data-testid=toast-text]"
ERROR_BADGES = "[data-testid=status-tracker] .error"
