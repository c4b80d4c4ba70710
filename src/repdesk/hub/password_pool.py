"""The slow part of a sign-in, the argon2id check, in its own small pool of threads.

A check is deliberately expensive (argon2-cffi's defaults, RFC 9106's second recommended
option: t=3, m=64 MiB, p=4; ~160 ms of one core here), and argon2 releases the GIL. Run
on the request threads, fifty sign-ins at once took every one of AnyIO's 40 threads and
both cores, and the pulls and pushes of reps already signed in queued behind them. Here:

- at most one check per core runs at a time; the others wait in the pool's queue holding
  no request thread (the login route awaits the pool);
- on Linux the pool's threads run at a lower priority (`PASSWORD_NICE`; the nice value is
  per thread there), so the scheduler gives a core to a pull or a push first and the
  checks take what is left. The hash itself is unchanged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

PASSWORD_NICE = 10
"""How much lower the password threads' priority is (Linux nice, 0..19)."""


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on every platform
        return max(1, os.cpu_count() or 1)


def _lower_priority() -> None:
    if sys.platform != "linux":
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), PASSWORD_NICE)
    except OSError as exc:  # a sandbox may refuse; the checks then run at normal priority
        log.warning("password checks run at normal priority: %s", exc)


_executor = ThreadPoolExecutor(  # its threads start on first use
    max_workers=_cores(), thread_name_prefix="repdesk-password", initializer=_lower_priority
)


async def run_password_work(work: Callable[[], T]) -> T:
    """`work()` (a password check or hash) on the password pool, awaited."""
    return await asyncio.wrap_future(_executor.submit(work))


__all__ = ["PASSWORD_NICE", "run_password_work"]
