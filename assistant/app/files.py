"""Files the app hands out (exports, review CSVs) belong to the user they were made for.

Gradio serves every file in its cache at `/gradio_api/file=<path>` to any signed-in user
who knows the path: sign-in is its only check. A plan's export is the owner's unpublished
work, so each one is registered to its user when the handler returns it, and a middleware
answers another signed-in user's request for it exactly like a file that does not exist.

Gradio copies a returned file into `<cache>/<hash of its bytes>/<name>` before serving it,
so the registry is keyed by that hash (`processing_utils.hash_file`, the same function and
seed): whatever cache folder Gradio uses, the folder name identifies the export.
"""

from __future__ import annotations

import json
import threading
from http.cookies import SimpleCookie
from pathlib import Path, PurePath
from urllib.parse import unquote


class PrivateFiles:
    def __init__(self) -> None:
        self._owners: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def own(self, user: str, path: Path | str) -> str:
        """Register a file about to be returned to `user`; returns its path as the handler's output."""
        from gradio.processing_utils import hash_file

        key = hash_file(path)
        with self._lock:
            # Two users can export byte-identical files (same title, same text): both may fetch that copy.
            self._owners.setdefault(key, set()).add(user)
        return str(path)

    def may_fetch(self, user: str, served_path: str) -> bool:
        """False only for a registered file of someone else; unregistered files are Gradio's business."""
        with self._lock:
            for part in PurePath(served_path).parts:
                owners = self._owners.get(part)
                if owners is not None:
                    return user in owners
        return True


def signed_in_user(app, headers: list[tuple[bytes, bytes]]) -> str | None:
    """The user of a request, read the way Gradio's own `/user` route reads it (its session cookie)."""
    cookie = SimpleCookie()
    for name, value in headers:
        if name == b"cookie":
            cookie.load(value.decode("latin-1"))
    cookie_id = getattr(app, "cookie_id", None)
    for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
        if name in cookie:
            user = getattr(app, "tokens", {}).get(cookie[name].value)
            if user is not None:
                return user
    return None


class PrivateFilesMiddleware:
    """ASGI middleware in front of Gradio's routes: another user's export is refused exactly as Gradio
    refuses a path that does not exist (403 "File not allowed"), so the answer tells nothing.

    A request without a session passes through, so Gradio's own sign-in check answers it (401).
    """

    def __init__(self, app, files: PrivateFiles):
        self.app = app
        self.files = files

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and "/file=" in scope.get("path", ""):
            gradio_app = scope.get("app")
            user = signed_in_user(gradio_app, scope.get("headers", []))
            served = unquote(scope["path"].split("/file=", 1)[1])
            if user is not None and not self.files.may_fetch(user, served):
                body = json.dumps({"detail": f"File not allowed: {served}."}).encode()
                await send({"type": "http.response.start", "status": 403,
                            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
