"""Logging for the app: a rotating file under the log folder, warnings on stderr, no secrets."""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

__all__ = [
    "LOG_FILE_NAME",
    "QuietFileHandler",
    "QuietStreamHandler",
    "RedactSecrets",
    "configure_logging",
]

log = logging.getLogger(__name__)

LOG_FILE_NAME = "repdesk.log"
_FILE_HANDLER = "repdesk-file"
_STDERR_HANDLER = "repdesk-stderr"
_FORMAT = "%(asctime)s %(levelname)-7s [%(threadName)s] %(name)s: %(message)s"
# Libraries that log every request at INFO; their detail is only wanted when debugging.
_CHATTY = ("httpx", "httpcore", "urllib3", "uvicorn.access", "alembic.runtime.migration")

_SECRET_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(
        r"(?i)((?:password|passwd|token|secret|api[_-]?key|authorization)"
        r"[\"']?\s*[:=]\s*[\"']?)[^\s\"',&;}]+"
    ),
)


class RedactSecrets(logging.Filter):
    """Masks bearer tokens and `password=...`-style values before a record is written.

    Secrets belong in the OS keyring only; this is a safety net for a careless log call.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        for pattern in _SECRET_PATTERNS:
            redacted = pattern.sub(r"\1[redacted]", redacted)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class _DropQuietly:
    """A handler that cannot write (a full disk, a closed or broken stream) drops the record
    and counts it, instead of printing "--- Logging error ---" and a traceback to stderr:
    on a full disk every log call would print one, burying the one line the rep needs."""

    dropped = 0

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802, ARG002 - logging's
        self.dropped += 1


class QuietFileHandler(_DropQuietly, RotatingFileHandler):
    """The rotating log file; after a failed write the file is reopened on the next record,
    so logging resumes by itself once space is freed."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802
        super().handleError(record)
        stream, self.stream = self.stream, None
        if stream is not None:
            # The buffered text could not be written either: dropped with it.
            with contextlib.suppress(OSError):
                stream.close()


class QuietStreamHandler(_DropQuietly, logging.StreamHandler):  # type: ignore[type-arg]
    """Warnings on stderr; a closed or broken stderr (a pipe that ended) drops them."""


def _level(level: int | str) -> int:
    if isinstance(level, int):
        return level
    value = logging.getLevelName(level.strip().upper())
    return value if isinstance(value, int) else logging.INFO


def configure_logging(
    log_dir: Path,
    level: int | str = logging.INFO,
    *,
    max_bytes: int = 2_000_000,
    backup_count: int = 5,
    capture_uncaught: bool = False,
    stderr_level: int = logging.WARNING,
) -> Path:
    """Log to `log_dir/repdesk.log` (rotated) and warnings to stderr; returns the file's path.

    Idempotent: calling again replaces repdesk's own two handlers (e.g. with a new level or
    folder) and never adds duplicates; other handlers on the root logger are left alone.
    `capture_uncaught` (the app's start-up passes True) also logs exceptions that escape
    the main thread or a worker thread, instead of losing them on a closed console.
    `stderr_level`: the command-line tools print their own one-line errors, so they raise it
    to keep retries and warnings in the log file only.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() in {_FILE_HANDLER, _STDERR_HANDLER}:
            root.removeHandler(handler)
            handler.close()

    formatter = logging.Formatter(_FORMAT)
    redact = RedactSecrets()
    file_handler = QuietFileHandler(
        path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8", delay=True
    )
    file_handler.set_name(_FILE_HANDLER)
    stderr_handler = QuietStreamHandler(sys.stderr)
    stderr_handler.set_name(_STDERR_HANDLER)
    stderr_handler.setLevel(stderr_level)
    for handler in (file_handler, stderr_handler):
        handler.setFormatter(formatter)
        handler.addFilter(redact)
        root.addHandler(handler)

    numeric = _level(level)
    root.setLevel(numeric)
    # repdesk's loggers follow the level set here, whatever an embedded tool set before.
    logging.getLogger("repdesk").setLevel(logging.NOTSET)
    for name in _CHATTY:
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    logging.captureWarnings(True)
    if capture_uncaught:
        _install_excepthooks()
    return path


def _install_excepthooks() -> None:
    def log_uncaught(
        kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        log.critical("Uncaught exception", exc_info=(kind, value, tb))

    def log_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "?"
        log.critical(
            "Uncaught exception in thread %s",
            name,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

    sys.excepthook = log_uncaught
    threading.excepthook = log_thread
