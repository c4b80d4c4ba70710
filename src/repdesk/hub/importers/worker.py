"""Reading an export in a second process while this one writes: the hub's machine has
more than one core, and a big import is half reading (decoding, CSV splitting, checking
every cell) and half writing. The reader process iterates the stream (already opened
here: its format, encoding and header are known, so nothing is detected twice) and sends
its records in batches through a pipe; a full pipe makes it wait, so at most a batch or
two is in flight and memory stays flat. Row errors travel with the batch they were found
in, so they arrive in line order as before, and the names sample comes back at the end.

The reader is `python -m repdesk.hub.importers.worker`, the same interpreter and the same
repdesk, talking pickles over its stdin/stdout: not `multiprocessing`, whose fresh
processes run the importing program's main script again (a script without a
`__main__` guard would import twice), and whose forked ones would copy this process's
database connections and its threads' locks.

Off by default (`import_leads(parallel=True)` asks for it): on the 2-core hub machine,
shared, pickling the records both ways cost more than the second core gave back (see
benchmarks/RESULTS-import.md).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Generator
from pathlib import Path
from typing import IO, Any

import repdesk
from repdesk.hub.importers.lead_rows import LeadRecord
from repdesk.hub.importers.leads import LeadStream
from repdesk.hub.importers.result import BoundedErrors, ImportFileError, RowError


def _send(out: IO[bytes], message: tuple[Any, ...]) -> None:
    pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def read(stream: LeadStream, size: int, out: IO[bytes]) -> None:
    """The reader's side: ("batch", records, errors) messages, then ("end", sample) or
    ("failed", exception)."""
    try:
        records: list[LeadRecord] = []
        errors: list[RowError] = []
        for item in stream:
            if isinstance(item, RowError):
                errors.append(item)
                continue
            records.append(item)
            if len(records) >= size:
                _send(out, ("batch", records, errors))
                records, errors = [], []
        _send(out, ("batch", records, errors))
        _send(out, ("end", stream.sample))
    except Exception as exc:  # noqa: BLE001 - any failure goes back to the importer
        _send(out, ("failed", exc))


def batches_read_elsewhere(
    stream: LeadStream, size: int, errors: BoundedErrors
) -> Generator[list[LeadRecord], None, None]:
    """`stream`'s records in lists of `size`, read by another process; its row errors go
    to `errors` as they come; `stream.sample` is the reader's at the end. Closing the
    generator early (an error while writing) stops the reader."""
    source = str(Path(repdesk.__file__).resolve().parents[1])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")])),
    }
    reader = subprocess.Popen(  # noqa: S603 - this interpreter, a module of ours
        [sys.executable, "-m", "repdesk.hub.importers.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    assert reader.stdin is not None and reader.stdout is not None
    try:
        with reader.stdin:
            pickle.dump((stream, size), reader.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        while True:
            try:
                message: tuple[Any, ...] = pickle.load(reader.stdout)  # noqa: S301 - our child
            except EOFError:
                raise ImportFileError(
                    f"{stream.path.name}: the process reading the file stopped "
                    f"unexpectedly (exit code {reader.wait()}); nothing was imported."
                ) from None
            if message[0] == "batch":
                for error in message[2]:
                    errors.add(error)
                if message[1]:
                    yield message[1]
            elif message[0] == "end":
                stream.sample = message[1]
                return
            else:
                failure = message[1]
                if isinstance(failure, OSError):
                    raise ImportFileError(
                        f"Cannot read {stream.path}: {failure.strerror or failure}; "
                        "nothing was imported."
                    ) from failure
                raise failure
    finally:
        reader.stdout.close()
        if reader.poll() is None:
            reader.terminate()
        reader.wait()


def main() -> None:
    """The reader process: the stream and batch size arrive on stdin, messages leave on
    stdout."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print cannot break a message
    stream, size = pickle.load(sys.stdin.buffer)  # noqa: S301 - from our parent
    with out:
        read(stream, size, out)


if __name__ == "__main__":
    main()


__all__ = ["batches_read_elsewhere", "read"]
