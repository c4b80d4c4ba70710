"""configure_logging: a rotating file plus stderr for warnings, idempotent, secrets masked."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from repdesk.app.logging_setup import LOG_FILE_NAME, configure_logging


@pytest.fixture(autouse=True)
def _restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    hooks = (sys.excepthook, threading.excepthook)
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    sys.excepthook, threading.excepthook = hooks
    logging.captureWarnings(False)


def _ours(root: logging.Logger) -> list[str]:
    return sorted(
        h.get_name() or "" for h in root.handlers if (h.get_name() or "").startswith("repdesk")
    )


def _flush() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def test_info_goes_to_the_file_and_warnings_also_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = configure_logging(tmp_path / "logs")
    assert path == tmp_path / "logs" / LOG_FILE_NAME
    logger = logging.getLogger("repdesk.test")
    logger.debug("too detailed")
    logger.info("synced 12 leads")
    logger.warning("hub slow to answer")
    _flush()
    text = path.read_text(encoding="utf-8")
    assert "synced 12 leads" in text and "hub slow to answer" in text
    assert "too detailed" not in text
    err = capsys.readouterr().err
    assert "hub slow to answer" in err and "synced 12 leads" not in err


def test_calling_twice_adds_no_duplicate_handlers_and_applies_the_new_level(tmp_path: Path) -> None:
    root = logging.getLogger()
    configure_logging(tmp_path / "a")
    path = configure_logging(tmp_path / "b", "DEBUG")
    assert _ours(root) == ["repdesk-file", "repdesk-stderr"]
    logging.getLogger("repdesk.test").debug("once")
    _flush()
    assert path.read_text(encoding="utf-8").count("once") == 1
    assert root.level == logging.DEBUG
    assert not (tmp_path / "a" / LOG_FILE_NAME).exists()


def test_file_rotates(tmp_path: Path) -> None:
    path = configure_logging(tmp_path, max_bytes=500, backup_count=2)
    for n in range(50):
        logging.getLogger("repdesk.test").info("line %d %s", n, "x" * 40)
    _flush()
    assert path.with_name(LOG_FILE_NAME + ".1").exists()
    assert not path.with_name(LOG_FILE_NAME + ".3").exists()


def test_secrets_are_masked(tmp_path: Path) -> None:
    path = configure_logging(tmp_path)
    logger = logging.getLogger("repdesk.test")
    logger.info("headers: Authorization: Bearer eyJhbGciOi.abc-def_123")
    logger.info("login %s", {"email": "ada@example.com", "password": "hunter2"})
    logger.info("url https://hub/x?token=s3cr3t&page=2")
    _flush()
    text = path.read_text(encoding="utf-8")
    for secret in ("eyJhbGciOi", "hunter2", "s3cr3t"):
        assert secret not in text
    assert "ada@example.com" in text and "page=2" in text


def test_uncaught_thread_exceptions_are_logged_when_asked(tmp_path: Path) -> None:
    path = configure_logging(tmp_path, capture_uncaught=True)

    def boom() -> None:
        raise RuntimeError("worker blew up")

    worker = threading.Thread(target=boom, name="db-worker")
    worker.start()
    worker.join(timeout=10)
    _flush()
    text = path.read_text(encoding="utf-8")
    assert "Uncaught exception in thread db-worker" in text
    assert "RuntimeError: worker blew up" in text
