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
