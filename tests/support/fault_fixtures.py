"""Fault-suite fixtures (a pytest plugin, registered in tests/conftest.py): `fork_server`, the
kill -9 driver (`tests/support/fault_driver.py`) running as a process of its own, and the
hub processes it forks (`HubProcess`)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Ended:
    pid: int
    signal: int
    """The signal that ended the child (9 for SIGKILL), or 0."""
    code: int | None


class ForkServer:
    """Talks to `python -m tests.support.fault_driver` over its stdin/stdout."""

    def __init__(self, workdir: Path) -> None:
        env = dict(os.environ)
        # No keyring in the children: the token stays in memory (signed in again each run).
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
        self.log = workdir / "fork-server.log"
        self._log = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.fault_driver"],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        self.living: set[int] = set()
        assert "ready" in self._answer(), self.log.read_text()

    def _answer(self) -> dict[str, Any]:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise AssertionError(f"the fork server stopped:\n{self.log.read_text()[-4000:]}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def _send(self, cmd: dict[str, Any]) -> dict[str, Any]:
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(cmd) + "\n")
        self._proc.stdin.flush()
        return self._answer()

    def start(self, op: str, **cmd: Any) -> int:
        """Fork a `client` or `hub` child; returns its pid."""
        pid = int(self._send({"op": op, **cmd})["pid"])
        self.living.add(pid)
        return pid

    def wait(self, pid: int) -> Ended:
        answer = self._send({"op": "wait", "pid": pid})
        self.living.discard(pid)
        return Ended(pid, int(answer["signal"]), answer["code"])

    def kill(self, pid: int) -> Ended:
        os.kill(pid, 9)
        return self.wait(pid)

    def stop(self) -> None:
        for pid in list(self.living):
            self.kill(pid)
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait(timeout=60)
        self._log.close()


@pytest.fixture
def fork_server(tmp_path: Path) -> Iterator[ForkServer]:
    server = ForkServer(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class HubProcess:
    """The real hub served by a child of the fork server, on a fixed port, restartable."""

    def __init__(
        self, server: ForkServer, home: Path, database_url: str = "", port: int = 0
    ) -> None:
        self.server, self.home, self.database_url = server, home, database_url
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.pid = 0

    def start(self, kill: dict[str, Any] | None = None) -> None:
        """Fork the hub and return once it listens (it says so on a socket of ours)."""
        with socket.create_server(("127.0.0.1", 0)) as ready:
            ready.settimeout(120)
            self.pid = self.server.start(
                "hub",
                home=str(self.home),
                port=self.port,
                database_url=self.database_url,
                ready_port=ready.getsockname()[1],
                kill=kill,
            )
            try:
                conn, _ = ready.accept()
            except TimeoutError:
                raise AssertionError(self.server.log.read_text()[-4000:]) from None
            with conn:
                assert conn.recv(16) == b"ready\n"

    def wait(self) -> Ended:
        return self.server.wait(self.pid)

    def kill(self) -> Ended:
        return self.server.kill(self.pid)
