"""Security headers on every response: what the browser may load and send while the app is open.

The panels escape document text (app/views.py); the Content-Security-Policy is the second wall:
were some text ever rendered as markup, an image or script from another server would still not
load, so a planted document cannot make officers' browsers call out (with the app as Referer).

Gradio 6 needs two allowances for scripts: its page carries inline scripts (the app's config is
written into the page per request, so no fixed hash fits), and without 'unsafe-eval' the drafted
section never appears in Chromium (measured with tests/app/test_browser_security.py). Everything
else is this server only, or `data:`/`blob:` URLs the page makes itself (icons, uploads, downloads).
"""

from __future__ import annotations

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",  # Svelte components set inline styles
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' data: blob:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"referrer-policy", b"no-referrer"),  # a link out names neither the app nor the plan
    (b"x-content-type-options", b"nosniff"),  # an uploaded .txt is never run as a script
    (b"x-frame-options", b"DENY"),
]


class SecurityHeadersMiddleware:
    """ASGI middleware: adds SECURITY_HEADERS to every HTTP response (pages, API, files, streams)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
