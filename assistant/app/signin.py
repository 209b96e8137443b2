"""Failed sign-ins are rate-limited, per user name and per client address.

Gradio checks passwords in its own `/login` route and lets anyone try as fast as they can. The
middleware here stands in front of that route: after `max_failures` failed sign-ins within
`window` seconds for a user name, or from an address, further attempts for that name (or from
that address) are refused for `lockout` seconds *without checking the password*, so a guess
that happens to be right teaches the guesser nothing. The refusal (HTTP 429, Retry-After) says
when to try again, and the login page shows it.

Behind a reverse proxy on the same machine every request comes from loopback; the address that
counts is then the one the proxy saw, the last entry of X-Forwarded-For (only a proxy on this
machine is believed: from anywhere else the header could be anyone's).
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs

from assistant.app.auth import is_loopback

MAX_FAILURES = 5
WINDOW_SECONDS = 300
LOCKOUT_SECONDS = 300


class SignInLimiter:
    """Counts failed sign-ins per key ("user:ann", "address:10.0.0.7") in a sliding window."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS, lockout: float = LOCKOUT_SECONDS,
                 clock=time.monotonic):
        self.max_failures, self.window, self.lockout, self.clock = max_failures, window, lockout, clock
        self._failures: dict[str, list[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    @staticmethod
    def keys(user: str, address: str) -> list[str]:
        return [f"user:{user.strip().lower()}", f"address:{address}"]

    def wait(self, user: str, address: str) -> float:
        """Seconds before `user` may try again from `address` (0: now)."""
        now = self.clock()
        with self._lock:
            return max([0.0] + [self._locked_until.get(k, 0.0) - now for k in self.keys(user, address)])

    def failed(self, user: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in self.keys(user, address):
                recent = [t for t in self._failures.get(key, []) if now - t < self.window] + [now]
                if len(recent) >= self.max_failures:
                    self._locked_until[key] = now + self.lockout
                    recent = []  # after the lockout, a fresh allowance
                self._failures[key] = recent
            if len(self._failures) > 10_000:  # a spray of made-up names must not grow memory without end
                self._failures = {k: v for k, v in self._failures.items() if v and now - v[-1] < self.window}
                self._locked_until = {k: v for k, v in self._locked_until.items() if v > now}

    def succeeded(self, user: str) -> None:
        """A right password (when allowed to try) clears that user's count; the address's count stays,
        or one valid account would let its holder keep guessing at the others."""
        with self._lock:
            self._failures.pop(self.keys(user, "")[0], None)


def refusal_message(wait: float) -> str:
    at = (datetime.now(timezone.utc) + timedelta(seconds=wait)).strftime("%H:%M:%S UTC")
    minutes, seconds = divmod(int(wait + 0.999), 60)
    return (f"Too many failed sign-ins for this account or from this address. Try again in {minutes} min {seconds:02d} s "
            f"(at {at}).")


def client_address(scope) -> str:
    peer = (scope.get("client") or ("unknown", 0))[0]
    if is_loopback(peer):
        forwarded = dict(scope.get("headers") or []).get(b"x-forwarded-for", b"").decode("latin-1")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return peer


# The login page is Gradio's, and it shows nothing for an answer other than 400 or 200: this shows
# a 429's reason above the form. Added to the login page only (the page without a session).
LOGIN_PAGE_SCRIPT = b"""<script>
(() => {
  const original = window.fetch;
  window.fetch = async (...args) => {
    const answer = await original(...args);
    const url = String(args[0] && args[0].url || args[0]);
    if (answer.status === 429 && /\\/login\\/?$/.test(new URL(url, location.href).pathname)) {
      const detail = (await answer.clone().json().catch(() => ({}))).detail || 'Too many failed sign-ins.';
      let box = document.getElementById('signin-refused');
      if (!box) {
        box = document.createElement('p');
        box.id = 'signin-refused';
        box.setAttribute('role', 'alert');
        box.style.cssText = 'color:#b91c1c;font-weight:600;text-align:center;margin:1em';
        document.body.prepend(box);
      }
      box.textContent = detail;
    }
    return answer;
  };
})();
</script>"""


def _is_login(scope) -> bool:
    return scope["path"].rstrip("/").endswith("/login") or scope["path"].rstrip("/") == "login"


class SignInLimitMiddleware:
    """ASGI middleware in front of Gradio's POST /login (see the module docstring)."""

    def __init__(self, app, limiter: SignInLimiter):
        self.app, self.limiter = app, limiter

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["method"] == "POST" and _is_login(scope):
            return await self._login(scope, receive, send)
        if scope["method"] == "GET" and scope["path"] in ("/", ""):
            return await self.app(scope, receive, self._with_login_script(send))
        return await self.app(scope, receive, send)

    async def _login(self, scope, receive, send):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        user = await _form_username(scope, body)
        address = client_address(scope)
        wait = self.limiter.wait(user, address)
        if wait > 0:
            payload = json.dumps({"detail": refusal_message(wait)}).encode()
            await send({"type": "http.response.start", "status": 429, "headers": [
                (b"content-type", b"application/json"), (b"retry-after", str(int(wait + 0.999)).encode())]})
            await send({"type": "http.response.body", "body": payload})
            return

        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def watch(message):
            if message["type"] == "http.response.start":
                if message["status"] == 200:
                    self.limiter.succeeded(user)
                elif message["status"] in (400, 401):
                    self.limiter.failed(user, address)
            await send(message)

        await self.app(scope, replay, watch)

    def _with_login_script(self, send):
        """Adds LOGIN_PAGE_SCRIPT to the page when Gradio serves its login form (no session yet)."""
        state = {"html": False, "start": None}

        async def patched(message):
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if headers.get(b"content-type", b"").startswith(b"text/html"):
                    state["html"], state["start"], state["body"] = True, message, b""
                    return
            elif message["type"] == "http.response.body" and state["html"]:
                state["body"] += message.get("body", b"")
                if message.get("more_body"):
                    return
                body = state["body"]
                if b'"auth_required": true' in body or b'"auth_required":true' in body:
                    body = body.replace(b"</head>", LOGIN_PAGE_SCRIPT + b"</head>", 1)
                start = state["start"]
                headers = [(n, v) for n, v in start.get("headers", []) if n.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        return patched


async def _form_username(scope, body: bytes) -> str:
    """The username field of the login form, urlencoded or multipart (the login page sends FormData)."""
    content_type = dict(scope.get("headers") or []).get(b"content-type", b"").decode("latin-1")
    if content_type.startswith("multipart/form-data"):
        from starlette.requests import Request

        async def once():
            return {"type": "http.request", "body": body, "more_body": False}

        form = await Request(scope, once).form()
        return str(form.get("username", "")).strip()
    values = parse_qs(body.decode("utf-8", "replace"))
    return (values.get("username") or [""])[0].strip()
