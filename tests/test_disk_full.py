"""Disk full (issue 10, defect 7): one clear sentence each time, logging never fails loudly,
and nothing already saved is lost.

The first tests use a real small filesystem (a 2 MB tmpfs, mounted for the test; skipped,
visibly, where mounting is not permitted). The others inject the fault precisely, so the
behaviour is tested everywhere; each says how in its docstring.
"""

from __future__ import annotations

import errno
import logging
import shutil
import sqlite3
import subprocess
import sys
from collections import namedtuple
from collections.abc import Iterator
from pathlib import Path

import pytest

from repdesk.app.logging_setup import QuietFileHandler, configure_logging
from repdesk.app.services import open_store
from repdesk.cli.main import main as cli
from repdesk.domain.errors import DiskFullError, StoreError, disk_full_message
from repdesk.store import db
from repdesk.store.paths import AppPaths
from tests.support.damage import REP, seed_notes

SENTENCE = "The disk is full: free some space on the disk that holds"
TAIL = "; nothing you typed was lost."


@pytest.fixture(autouse=True)
def _restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MB filesystem (tmpfs), unmounted afterwards."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    if sys.platform != "linux" or shutil.which("mount") is None:
        pytest.skip("no mount(8) here: the injected disk-full tests below still run")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip()}): injected tests run")
    try:
        yield mount_point
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if isinstance(h, QuietFileHandler)]:
            root.removeHandler(handler)
            handler.close()
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def _fill(disk: Path) -> Path:
    """Write a filler file until the filesystem says ENOSPC; returns it (delete to free)."""
    filler = disk / "filler"
    with filler.open("wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 16384)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Logging error" not in err and "Traceback" not in err, err
    assert len(lines) == 1, err
    return lines[0]


def test_commands_on_a_full_disk_say_one_sentence_and_lose_nothing(
    small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = small_disk / "home"
    data = AppPaths.resolve(home).ensure().data
    with open_store(home) as store:  # encrypted, as the app keeps it (no conversion later)
        store.set_session(REP)
        seed_notes(store, 3)  # on leads nobody pulled: they wait in the outbox all the same
    dd = ["--data-dir", str(home)]
    filler = _fill(small_disk)

    # The store is closed (no -wal, no -shm): opening needs room SQLite cannot get.
    for command in (["status"], ["log", "L0", "--note", "Asked about SSO " * 400]):
        assert cli([*command, *dd]) == 1
        line = _one_line(capsys.readouterr().err)
        assert line.startswith(f"repdesk: {SENTENCE}") and line.endswith(TAIL), line
        assert "restart" not in line and "I/O" not in line

    export = small_disk / "unsent.json"
    filler.unlink()
    _fill(small_disk)
    assert cli(["export-pending", str(export), *dd]) in (0, 1)
    err = capsys.readouterr().err
    if err:  # the export itself did not fit either: the same sentence, no traceback
        assert _one_line(err).startswith(f"repdesk: {SENTENCE}")

    (small_disk / "filler").unlink()
    export.unlink(missing_ok=True)
    assert cli(["status", *dd]) == 0
    out = capsys.readouterr().out
    assert "Pending:    3" in out, out
    assert not list(data.glob("damaged-*")), "a full disk is not damage"


def test_a_full_disk_under_the_log_file_is_quiet(
    small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(small_disk / "logs")
    _fill(small_disk)
    for i in range(4):
        logging.getLogger("repdesk.test").warning("sync step %d", i)
    err = capsys.readouterr().err
    assert "Logging error" not in err and "Traceback" not in err
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, QuietFileHandler))
    assert handler.dropped >= 1


def test_a_log_file_that_cannot_be_written_drops_records_quietly_then_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injected precisely: the handler's file opener raises OSError(ENOSPC), as
    opening or growing the log file does on a full disk; then the opener is restored."""
    path = configure_logging(tmp_path / "logs")
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, QuietFileHandler))

    def no_space(_self: object) -> object:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(QuietFileHandler, "_open", no_space)
    for i in range(4):
        logging.getLogger("repdesk.test").info("push batch %d", i)
    assert "Logging error" not in capsys.readouterr().err
    assert handler.dropped == 4
    monkeypatch.undo()
    logging.getLogger("repdesk.test").info("space again")
    handler.flush()
    assert "space again" in path.read_text(encoding="utf-8")


def _sqlite_error(message: str, code: int) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(message)
    exc.sqlite_errorcode = code  # type: ignore[attr-defined]
    return exc


Usage = namedtuple("Usage", "total used free")


def test_an_io_error_with_no_room_left_is_disk_full_not_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injected precisely: SQLite's "disk I/O error" (SQLITE_IOERR), as it answers
    when it cannot create its -wal/-shm on a full disk, with the disk's free space reported
    as 0 bytes and then as plenty."""
    error = _sqlite_error("disk I/O error", sqlite3.SQLITE_IOERR)
    monkeypatch.setattr(db.shutil, "disk_usage", lambda _p: Usage(10**9, 10**9, 0))
    mapped = db.map_error(error, tmp_path / "repdesk.sqlite3")
    assert isinstance(mapped, DiskFullError)
    assert str(mapped) == disk_full_message(tmp_path)
    monkeypatch.setattr(db.shutil, "disk_usage", lambda _p: Usage(10**9, 0, 10**9))
    other = db.map_error(error, tmp_path / "repdesk.sqlite3")
    assert not isinstance(other, DiskFullError) and isinstance(other, StoreError)


def test_sqlite_full_and_enospc_are_the_same_error_and_sentence(tmp_path: Path) -> None:
    full = db.map_error(_sqlite_error("database or disk is full", 13), tmp_path / "x")
    nospace = db.map_error(OSError(errno.ENOSPC, "No space left on device"), tmp_path / "x")
    assert isinstance(full, DiskFullError) and isinstance(nospace, DiskFullError)
    assert str(full) == str(nospace) == f"{SENTENCE} {tmp_path}{TAIL}"


def test_a_first_sync_that_fills_the_disk_says_so_and_keeps_what_it_had(
    small_disk: Path,
) -> None:
    """A first sync writes its pages after the first with a rollback journal: the disk
    filling up in one of them is the one sentence, that page's transaction is rolled
    back, and the cache opens again with its outbox and the pages before it."""
    from repdesk.store import Store
    from repdesk.store.api import LeadQuery, RemoteLeads
    from repdesk.store.convert import lead_row
    from tests.store.factories import lead

    data = small_disk / "data"
    reserve = small_disk / "reserve"  # what the rep frees afterwards
    with Store.open(data) as store:
        store.set_session(REP)
        seed_notes(store, 3)

        def page(n: int) -> RemoteLeads:
            notes = f"Page {n}. " + "Marketing notes " * 4
            return RemoteLeads(
                [lead_row(lead(f"P{n}-{i}", "Fill", f"N{i}", marketing_notes=notes), 1)
                 for i in range(510)]
            )  # fmt: skip

        store.apply_pull_page([page(0)], "c0")
        assert store._rollback_journal  # white-box: the pages after the first
        reserve.write_bytes(b"\0" * 1_000_000)
        with pytest.raises(DiskFullError) as raised:
            for n in range(1, 100):
                store.apply_pull_page([page(n)], f"c{n}")
        assert str(raised.value).startswith(SENTENCE)
        cursor = store.sync_state().cursor
        assert cursor is not None and cursor != f"c{n}"
    reserve.unlink()
    with Store.open(data) as store:
        assert store.recovery is None
        assert store.sync_state().cursor == cursor
        assert len(store.pending_mutations(10)) == 3
        assert len(store.lead_ids(LeadQuery(search="fill"))) == 510 * n
