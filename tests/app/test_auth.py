"""Who may sign in and where the app may listen."""

from __future__ import annotations

import pytest

from assistant.app.auth import AuthError, authenticator, check_bind, hash_password, is_loopback, load_users


def test_users_from_flags_and_file_with_hashed_passwords(tmp_path):
    users_file = tmp_path / "users.txt"
    users_file.write_text(f"# council officers\ncarol:{hash_password('carol pass')}\n\ndave:plain:with:colons\n", encoding="utf-8")
    users = load_users(["ann:ann-pass"], users_file)
    check = authenticator(users)
    assert check("ann", "ann-pass") and check("carol", "carol pass") and check("dave", "plain:with:colons")
    assert not check("carol", "carol pas") and not check("ann", "") and not check("eve", "ann-pass")
    assert "carol pass" not in users_file.read_text()


@pytest.mark.parametrize("bad", ["no-colon", ":nouser", "user:"])
def test_malformed_entries_are_named(bad):
    with pytest.raises(AuthError, match="--auth #1"):
        load_users([bad])


def test_missing_users_file_is_an_error(tmp_path):
    with pytest.raises(AuthError, match="does not exist"):
        load_users(None, tmp_path / "nope.txt")


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True),
                                            ("0.0.0.0", False), ("192.168.1.20", False), ("council.example", False)])
def test_only_loopback_may_go_without_sign_in(host, loopback):
    assert is_loopback(host) is loopback
    if loopback:
        check_bind(host, {})
    else:
        with pytest.raises(AuthError, match="Refusing"):
            check_bind(host, {})
        check_bind(host, {"ann": "pw"})


# -- failed sign-ins are rate-limited, on the real server over HTTP -------------------------------
@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """A signed-in app (users ann and bob) whose sign-in lockout lasts 3 s, so the test can see it end."""
    from assistant.app.server import start
    from assistant.app.signin import SignInLimiter
    from tests.app.conftest import USERS, free_port
    from tests.conftest import make_settings

    running = start(make_settings(tmp_path_factory.mktemp("signin") / "data"), port=free_port(), users=USERS,
                    limiter=SignInLimiter(max_failures=5, window=60, lockout=3))
    try:
        yield running
    finally:
        running.close()


def _sign_in(url, user, password, forwarded_for=None):
    import httpx

    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return httpx.post(f"{url}login", data={"username": user, "password": password}, headers=headers, timeout=60)


def test_failed_sign_ins_lock_the_account_and_the_address_for_a_while(guarded, reliability):
    import time

    from tests.app.conftest import USERS

    url = guarded.url
    assert [_sign_in(url, "ann", f"guess-{i}").status_code for i in range(5)] == [400] * 5
    refused = _sign_in(url, "ann", USERS["ann"])  # the right password, but too late
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) in (1, 2, 3)
    assert "Too many failed sign-ins" in refused.json()["detail"] and "Try again in 0 min 0" in refused.json()["detail"]
    assert _sign_in(url, "bob", USERS["bob"]).status_code == 429  # the same address is held back too
    time.sleep(3.2)
    signed_in = _sign_in(url, "ann", USERS["ann"])
    assert signed_in.status_code == 200 and signed_in.cookies  # after the wait, the right password works
    reliability.record("Web app", "5 wrong passwords for ann over HTTP, then her right one; bob from the same address",
                       f"both refused with 429 '{refused.json()['detail']}' (Retry-After {refused.headers['retry-after']} s; "
                       "lockout 3 s in this test, 5 min by default); after the wait ann signed in")


def test_an_account_is_locked_whichever_address_the_guesses_come_from(guarded):
    from tests.app.conftest import USERS

    # Through a reverse proxy on this machine: the address that counts is the one the proxy saw.
    answers = [_sign_in(guarded.url, "bob", "guess", forwarded_for=f"203.0.113.{i}").status_code for i in range(5)]
    assert answers == [400] * 5
    assert _sign_in(guarded.url, "bob", USERS["bob"], forwarded_for="198.51.100.9").status_code == 429
    # Another account from another address is not held back by bob's lockout.
    assert _sign_in(guarded.url, "ann", USERS["ann"], forwarded_for="198.51.100.10").status_code == 200


def test_the_limiter_forgets_old_failures_and_a_success_clears_the_account():
    from assistant.app.signin import SignInLimiter

    now = [0.0]
    limiter = SignInLimiter(max_failures=3, window=60, lockout=120, clock=lambda: now[0])
    for t in (0, 30, 61):  # the first failure is out of the window by the third
        now[0] = t
        limiter.failed("ann", "10.0.0.1")
    assert limiter.wait("ann", "10.0.0.1") == 0
    now[0] = 62
    limiter.failed("Ann ", "10.0.0.2")  # names are counted as the login form compares them: trimmed, any case
    assert limiter.wait("ann", "10.0.0.9") == 120 and limiter.wait("carol", "10.0.0.1") == 0
    now[0] = 200
    assert limiter.wait("ann", "10.0.0.9") == 0
    limiter.failed("ann", "10.0.0.3")
    limiter.succeeded("ann")
    limiter.failed("ann", "10.0.0.4")
    limiter.failed("ann", "10.0.0.5")
    assert limiter.wait("ann", "10.0.0.6") == 0  # the success wiped the earlier failure
