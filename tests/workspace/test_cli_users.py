"""`repdesk-hub user ...`: workspace users from the command line (passwords read like
`rep add`: generated and shown once, or from stdin)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from repdesk.hub.admin import users
from repdesk.hub.auth import verify_password
from repdesk.hub.cli.main import main
from repdesk.hub.config import HubConfig
from repdesk.hub.db.models import User
from tests.support.hub_fixtures import new_hub


@pytest.fixture
def home(tmp_path: Path) -> list[str]:
    with new_hub(HubConfig.resolve(tmp_path / "hub")):
        pass
    return ["--home", str(tmp_path / "hub")]


def stored(home: list[str], email: str) -> User:
    from repdesk.hub import admin

    with (
        admin.open_hub(HubConfig.resolve(home[1])) as embedded_hub,
        embedded_hub.db.read() as session,
    ):
        return users.find_user(session, email)


def test_add_list_disable_enable_reset(home: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*home, "user", "add", "Ada@Example.test", "--role", "admin", "--name", "Ada"]) == 0
    out = capsys.readouterr().out
    assert "Added Ada <ada@example.test> as admin." in out
    password = out.split("privately): ")[1].strip()
    assert verify_password(stored(home, "ada@example.test").password_hash, password)
    assert main([*home, "user", "add", "mo@example.test", "--role", "marketing"]) == 0
    capsys.readouterr()
    assert main([*home, "user", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == ["ada@example.test", "mo@example.test"]
    assert "admin" in listed[0] and "marketing" in listed[1] and "active" in listed[1]
    assert main([*home, "user", "disable", "mo@example.test"]) == 0
    assert stored(home, "mo@example.test").disabled
    assert main([*home, "user", "enable", "mo@example.test"]) == 0
    assert not stored(home, "mo@example.test").disabled
    capsys.readouterr()
    assert main([*home, "user", "reset-password", "mo@example.test"]) == 0
    new = capsys.readouterr().out.split("(shown only now): ")[1].strip()
    assert verify_password(stored(home, "mo@example.test").password_hash, new)


def test_password_from_stdin(
    home: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main([*home, "user", "add", "x@example.test", "--role", "marketing",
                 "--password-stdin"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "a long enough password" not in out and "Password" not in out
    assert verify_password(stored(home, "x@example.test").password_hash, "a long enough password")


def test_mistakes_are_one_clear_line(home: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*home, "user", "add", "x@example.test", "--role", "boss"]) == 2  # argparse
    capsys.readouterr()
    assert main([*home, "user", "add", "ada@example.test", "--role", "admin"]) == 0
    assert main([*home, "user", "disable", "ada@example.test"]) == 1
    err = capsys.readouterr().err
    assert "ada@example.test is the only active admin" in err
    assert main([*home, "user", "disable", "nobody@example.test"]) == 1
    assert "There is no workspace user with the email" in capsys.readouterr().err
