"""Command-line output that ends quietly when the reader goes away (`repdesk status | head`).

Shared by the `repdesk` and `repdesk-hub` commands; standard library only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

EXIT_BROKEN_PIPE = 141
"""What a shell reports for a command killed by SIGPIPE (128 + 13)."""


def run_quietly_piped(command: Callable[[], int]) -> int:
    """Run `command`; if its standard output is closed early, stop without a traceback.

    Python turns SIGPIPE into BrokenPipeError, raised at the write or at the final flush;
    either way the rest of the output has nowhere to go, so it is dropped (stdout pointed
    at /dev/null, as the Python documentation advises) and the command ends like any
    well-behaved Unix tool cut short by a pipe.
    """
    try:
        code = command()
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return code


__all__ = ["EXIT_BROKEN_PIPE", "run_quietly_piped"]
