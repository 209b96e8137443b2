"""Who may use the web app, and where it may listen.

Users come from `--auth user:password` (repeatable) or a users file of
`user:password` or `user:pbkdf2_sha256$<iterations>$<salt>$<hash>` lines (make
a hash with `assistant hash-password`). Serving beyond this machine without
users is refused: the plans are the council's unpublished work.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from pathlib import Path

PBKDF2_ITERATIONS = 260_000


class AuthError(ValueError):
    pass


def hash_password(password: str, iterations: int = PBKDF2_ITERATIONS) -> str:
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), iterations).hex()
    return f"pbkdf2_sha256${iterations}${salt}${digest}"


def password_matches(stored: str, password: str) -> bool:
    if stored.startswith("pbkdf2_sha256$"):
        try:
            _, iterations, salt, digest = stored.split("$")
            candidate = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), int(iterations)).hex()
        except ValueError:
            return False
        return hmac.compare_digest(candidate, digest)
    return hmac.compare_digest(stored.encode("utf-8"), password.encode("utf-8"))


def _parse_line(line: str, where: str) -> tuple[str, str]:
    user, sep, secret = line.partition(":")
    if not sep or not user.strip() or not secret:
        raise AuthError(f"{where}: expected user:password, got {line.split(':')[0]!r}:…")
    return user.strip(), secret


def load_users(auth: list[str] | None = None, users_file: Path | None = None) -> dict[str, str]:
    """user -> stored secret (a password or a pbkdf2 hash)."""
    users: dict[str, str] = {}
    for i, pair in enumerate(auth or [], 1):
        user, secret = _parse_line(pair, f"--auth #{i}")
        users[user] = secret
    if users_file is not None:
        if not users_file.is_file():
            raise AuthError(f"users file {users_file} does not exist")
        for n, line in enumerate(users_file.read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if line and not line.startswith("#"):
                user, secret = _parse_line(line, f"{users_file.name} line {n}")
                users[user] = secret
    return users


def authenticator(users: dict[str, str]):
    """The callable Gradio's login page calls: constant-time, and no hint which part was wrong."""

    def check(username: str, password: str) -> bool:
        stored = users.get(username)
        if stored is None:
            password_matches(hash_password("x", 1000), password)  # spend similar time for unknown users
            return False
        return password_matches(stored, password)

    return check


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve anywhere


def check_bind(host: str, users: dict[str, str]) -> None:
    if not is_loopback(host) and not users:
        raise AuthError(
            f"Refusing to serve on {host} without sign-in: anyone who can reach this machine could read and change "
            "the council's draft plans. Add --auth user:password (or --users-file FILE), or serve on 127.0.0.1."
        )
