"""Signing in and out in a real browser (headless Chromium, as test_browser.py): the login page says when a
locked-out officer may try again, the workspace shows who is signed in, and Sign out ends the session."""

from __future__ import annotations

import time

from assistant.api import Assistant
from assistant.app.signin import SignInLimiter
from tests.app.browser import OUTPUT, app_in_chromium
from tests.app.conftest import USERS
from tests.conftest import make_settings


def sign_in(page, user, password):
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Login").click()


def test_lockout_message_signed_in_user_and_sign_out(tmp_path, reliability):
    assistant = Assistant(make_settings(tmp_path / "data"))
    limiter = SignInLimiter(max_failures=2, window=60, lockout=3)
    with app_in_chromium(assistant, tmp_path / "profile", "signin-last.png", users=USERS, limiter=limiter) as page:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        for guess in ("guess-1", "guess-2"):
            sign_in(page, "ann", guess)
            page.get_by_text("Incorrect Credentials", exact=False).wait_for()
        sign_in(page, "ann", USERS["ann"])
        refused = page.get_by_role("alert").filter(has_text="Too many failed sign-ins")
        refused.wait_for()
        told = refused.inner_text()
        assert "Try again in 0 min 0" in told and "UTC" in told
        assert page.get_by_label("Password").is_visible()  # still on the sign-in page: the right password did not get in
        page.screenshot(path=str(OUTPUT / "signin-locked.png"), full_page=True)

        time.sleep(3.2)
        sign_in(page, "ann", USERS["ann"])
        page.locator("#signed-in textarea, #signed-in input").first.wait_for()
        page.wait_for_function("() => document.querySelector('#signed-in textarea, #signed-in input').value === 'ann'")
        page.screenshot(path=str(OUTPUT / "signed-in.png"), full_page=True)
        page.locator("#sign-out").click()  # a link to Gradio's /logout
        page.get_by_label("Password").wait_for()
        page.goto(page.app_url)  # the session is gone: the workspace asks to sign in again
        page.get_by_label("Password").wait_for()
        assert page.locator("#plan").count() == 0
    reliability.record("Web app", "headless Chromium: 2 wrong passwords for ann (limit 2 in this test), then the right one; "
                       "after the wait, sign in, Sign out",
                       f"the login page said '{told}'; once in, 'Signed in as ann' shown; Sign out returned to the "
                       "sign-in page and the workspace asked for it again")
