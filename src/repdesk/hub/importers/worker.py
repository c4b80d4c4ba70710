"""Reading an export in a second process while this one writes: the hub's machine has
more than one core, and a big import is half reading (decoding, CSV splitting, checking
every cell) and half writing. The reader process iterates the stream (already opened
here: its format, encoding and header are known, so nothing is detected twice) and sends
its records in batches through a pipe; a full pipe makes it wait, so at most a batch or
two is in flight and memory stays flat. Row errors travel with the batch they were found
in, so they arrive in line order as before, and the names sample comes back at the end.

The process is started fresh ("spawn": a fork would copy this process's open database
connections and its threads' locks), which costs about a second, so only big files use
it (see `imports.import_leads`).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Generator
from multiprocessing.connection import Connection, wait
from typing import Any

from repdesk.hub.importers.lead_rows import LeadRecord
from repdesk.hub.importers.leads import LeadStream
from repdesk.hub.importers.result import BoundedErrors, ImportFileError, RowError


def _read(stream: LeadStream, size: int, out: Connection) -> None:
    """The reader process: ("batch", records, errors) messages, then ("end", sample) or
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
                out.send(("batch", records, errors))
                records, errors = [], []
        out.send(("batch", records, errors))
        out.send(("end", stream.sample))
    except Exception as exc:  # noqa: BLE001 - any failure goes back to the importer
        out.send(("failed", exc))
    finally:
        out.close()


def batches_read_elsewhere(
    stream: LeadStream, size: int, errors: BoundedErrors
) -> Generator[list[LeadRecord], None, None]:
    """`stream`'s records in lists of `size`, read by another process; its row errors go
    to `errors` as they come; `stream.sample` is the reader's at the end. Closing the
    iterator early (an error while writing) stops the reader."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    reader = context.Process(
        target=_read, args=(stream, size, send), name="repdesk-import-reader", daemon=True
    )
    reader.start()
    send.close()  # the reader holds its own end: EOF here once it is gone
    try:
        while True:
            wait([receive, reader.sentinel])
            try:
                if not receive.poll():
                    raise EOFError
                message: tuple[Any, ...] = receive.recv()
            except EOFError:
                reader.join()
                raise ImportFileError(
                    f"{stream.path.name}: the process reading the file stopped "
                    f"unexpectedly (exit code {reader.exitcode}); nothing was imported."
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
        receive.close()
        if reader.is_alive():
            reader.terminate()
        reader.join()


__all__ = ["batches_read_elsewhere"]
