"""`repdesk status | head -2` and `repdesk-hub rep list | head` end quietly.

The reader closes the pipe before the command writes (the pipe's read end is closed as
soon as the process starts, which is what `head` does once it has its lines), so the
command's write fails with EPIPE for real: no injected fault.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def _run_with_closed_stdout(args: list[str]) -> tuple[int, str]:
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    err = process.stderr.read().decode("utf-8", "replace")
    return process.wait(timeout=120), err


@pytest.mark.parametrize("tool", ["client", "hub"])
def test_a_closed_pipe_ends_the_command_without_an_error(tool: str, tmp_path: Path) -> None:
    if tool == "client":
        args = [sys.executable, "-m", "repdesk.cli.main", "status", "--data-dir", str(tmp_path)]
    else:
        home = str(tmp_path / "hub")
        hub = [sys.executable, "-m", "repdesk.hub.cli", "--home", home]
        subprocess.run([*hub, "init"], check=True, capture_output=True, timeout=120)
        args = [*hub, "rep", "list"]
    code, err = _run_with_closed_stdout(args)
    assert "Traceback" not in err and "Broken pipe" not in err and "BrokenPipe" not in err
    assert err.strip() == ""
    assert code in (0, 141)
