"""Single-instance lock: a second open of one data folder is refused, in or out of process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from repdesk.domain.errors import AlreadyRunningError
from repdesk.store import Store

_SECOND_PROCESS = """
import sys
from pathlib import Path
from repdesk.domain.errors import AlreadyRunningError
from repdesk.store import Store
try:
    Store.open(Path(sys.argv[1])).close()
except AlreadyRunningError as exc:
    print("REFUSED", exc)
    sys.exit(3)
print("OPENED")
"""


def _open_elsewhere(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _SECOND_PROCESS, str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_second_open_in_the_same_process_is_refused(data_dir: Path) -> None:
    with (
        Store.open(data_dir),
        pytest.raises(AlreadyRunningError, match="already running with this data folder"),
    ):
        Store.open(data_dir)
    Store.open(data_dir).close()  # released on close


def test_second_process_is_refused_while_open_and_allowed_after(data_dir: Path) -> None:
    store = Store.open(data_dir)
    try:
        refused = _open_elsewhere(data_dir)
        assert refused.returncode == 3, refused.stderr
        assert str(data_dir) in refused.stdout
    finally:
        store.close()
    allowed = _open_elsewhere(data_dir)
    assert allowed.returncode == 0, allowed.stderr
    assert "OPENED" in allowed.stdout


def test_other_data_folders_are_independent(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a"), Store.open(tmp_path / "b") as b:
        assert b.lead_count() == 0
