"""Retrying hub calls: full-jitter exponential backoff (tenacity), Retry-After as a minimum.

Only transient faults are retried: connection failures, timeouts, broken connections, 429
and 5xx (`NetworkError` except `TlsError`). Every other 4xx, an auth failure, a garbage
answer or a certificate failure is raised at once. Pushes are safe to retry because the
mutation id is the hub's idempotency key; pulls and downloads are reads.

tenacity supplies the loop, the attempt bookkeeping and the exponential window
(`wait_exponential`); the wait draws uniformly in [0, window] ("full jitter", what
`wait_random_exponential` does) from an injectable rng, and the stop rule is ours so the
clock can be injected and a Retry-After longer than the remaining budget gives up at once
instead of sleeping past it.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, wait_exponential

from repdesk.domain.errors import NetworkError, TlsError
from repdesk.sync.http import HubBusyError

log = logging.getLogger(__name__)

_T = TypeVar("_T")


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, NetworkError) and not isinstance(exc, TlsError)


def _retry_after(exc: BaseException | None) -> float:
    if isinstance(exc, HubBusyError) and exc.retry_after is not None:
        return exc.retry_after
    return 0.0


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one hub call. `sleep`, `clock` and `rng` are injectable for tests."""

    max_attempts: int = 5
    max_total: float = 60.0
    """Seconds from the first attempt after which no new attempt starts."""
    multiplier: float = 0.5
    """The first backoff window, in seconds; it doubles per attempt."""
    max_wait: float = 20.0
    """The widest backoff window (a Retry-After may still ask for longer)."""
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)
    retry_rate_limited: bool = True
    """False for sign-in: a rep told "too many attempts, wait N seconds" beats a frozen dialog."""

    def call(self, fn: Callable[[], _T], what: str = "hub call") -> _T:
        start = self.clock()
        window = wait_exponential(multiplier=self.multiplier, max=self.max_wait)

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return max(self.rng.uniform(0.0, window(state)), _retry_after(exc))

        def stop(state: RetryCallState) -> bool:
            if state.attempt_number >= self.max_attempts:
                return True
            return (self.clock() - start) + state.upcoming_sleep > self.max_total

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.warning(
                "%s failed (attempt %d: %s); retrying in %.1fs",
                what,
                state.attempt_number,
                exc,
                state.upcoming_sleep,
            )

        def should_retry(exc: BaseException) -> bool:
            if not self.retry_rate_limited and isinstance(exc, HubBusyError):
                return exc.status != 429
            return is_transient(exc)

        retrying = Retrying(
            retry=retry_if_exception(should_retry),
            wait=wait,
            stop=stop,
            sleep=self.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        return retrying(fn)


NO_RETRY = RetryPolicy(max_attempts=1)

__all__ = ["NO_RETRY", "RetryPolicy", "is_transient"]
