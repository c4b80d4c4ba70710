"""RetryPolicy retries only transient faults, with full jitter and Retry-After as a floor."""

from __future__ import annotations

import json
import random
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from repdesk.domain.errors import (
    AuthError,
    NetworkError,
    TlsError,
    UntrustedServerError,
)
from repdesk.sync.http import HubBusyError, HubClient, HubRefusedError
from repdesk.sync.retry import RetryPolicy
from tests.sync.scripted import Reply, scripted_server


class FakeTime:
    """A clock that only moves when the policy sleeps: tests never really wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def policy(t: FakeTime, **kw: object) -> RetryPolicy:
    return RetryPolicy(sleep=t.sleep, clock=t.clock, rng=random.Random(1), **kw)  # type: ignore[arg-type]


def failing(errors: list[BaseException], result: str = "ok") -> Callable[[], str]:
    calls = iter(errors)

    def fn() -> str:
        exc = next(calls, None)
        if exc is not None:
            raise exc
        return result

    return fn


def test_transient_faults_are_retried_until_success() -> None:
    t = FakeTime()
    errors: list[BaseException] = [
        NetworkError("down"),
        HubBusyError("503", 503),
        HubBusyError("429", 429),
    ]
    assert policy(t).call(failing(errors)) == "ok"
    assert len(t.sleeps) == 3


@pytest.mark.parametrize(
    "exc",
    [
        AuthError("401"),
        HubRefusedError("400", 400),
        HubRefusedError("404", 404),
        TlsError("bad cert"),
        UntrustedServerError("junk"),
        ValueError("a bug"),
    ],
)
def test_other_failures_are_never_retried(exc: BaseException) -> None:
    t = FakeTime()
    with pytest.raises(type(exc)):
        policy(t).call(failing([exc, exc]))
    assert t.sleeps == []


def test_attempts_are_bounded() -> None:
    t = FakeTime()
    errors: list[BaseException] = [NetworkError(str(i)) for i in range(10)]
    with pytest.raises(NetworkError, match="^4$"):
        policy(t, max_attempts=5).call(failing(errors))
    assert len(t.sleeps) == 4


def test_total_time_is_bounded() -> None:
    t = FakeTime()
    errors: list[BaseException] = [HubBusyError("busy", 503, retry_after=10) for _ in range(10)]
    with pytest.raises(HubBusyError):
        policy(t, max_attempts=100, max_total=35).call(failing(errors))
    assert t.sleeps == [10, 10, 10]  # a fourth wait would pass the 35 s budget
    assert t.now <= 35


def test_retry_after_longer_than_the_budget_gives_up_at_once() -> None:
    t = FakeTime()
    errors: list[BaseException] = [HubBusyError("busy", 429, retry_after=3600)]
    with pytest.raises(HubBusyError):
        policy(t, max_total=60).call(failing(errors))
    assert t.sleeps == []


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    retry_after=st.one_of(st.none(), st.floats(0, 30)),
    multiplier=st.floats(0.1, 2),
    max_wait=st.floats(1, 30),
)
def test_full_jitter_window_and_retry_after_floor(
    seed: int, retry_after: float | None, multiplier: float, max_wait: float
) -> None:
    t = FakeTime()
    errors: list[BaseException] = [HubBusyError("x", 503, retry_after) for _ in range(6)]
    p = RetryPolicy(
        max_attempts=7,
        max_total=10**9,
        multiplier=multiplier,
        max_wait=max_wait,
        sleep=t.sleep,
        clock=t.clock,
        rng=random.Random(seed),
    )
    assert p.call(failing(errors)) == "ok"
    assert len(t.sleeps) == 6
    for attempt, slept in enumerate(t.sleeps, start=1):
        window = min(max_wait, multiplier * 2 ** (attempt - 1))
        floor = retry_after or 0.0
        assert floor <= slept <= max(window, floor)


def test_jitter_actually_varies() -> None:
    samples = set()
    for seed in range(20):
        t = FakeTime()
        errors: list[BaseException] = [NetworkError("x")]
        RetryPolicy(sleep=t.sleep, clock=t.clock, rng=random.Random(seed)).call(failing(errors))
        samples.add(round(t.sleeps[0], 6))
    assert len(samples) > 10


def test_against_a_real_server_503_then_success() -> None:
    ok = json.dumps(
        {"server_time": "2026-11-24T05:00:00Z", "protocol_version": 1, "min_client_version": "0.1"}
    ).encode()
    t = FakeTime()
    with scripted_server() as srv:
        srv.script(
            "GET",
            "/v1/sync/meta",
            Reply(503, b"", {"Retry-After": "2"}),
            Reply(429, b"", {"Retry-After": "1"}),
            Reply(200, ok),
        )
        with HubClient(srv.url) as client:
            meta = policy(t).call(client.meta)
        assert len(srv.requests("GET", "/v1/sync/meta")) == 3
    assert meta.protocol_version == 1
    assert t.sleeps[0] >= 2 and t.sleeps[1] >= 1


def test_a_real_400_is_tried_once() -> None:
    t = FakeTime()
    with scripted_server() as srv:
        srv.script("GET", "/v1/sync/meta", Reply(400, b'{"error":{"code":"x","message":"no"}}'))
        with HubClient(srv.url) as client, pytest.raises(HubRefusedError):
            policy(t).call(client.meta)
        assert len(srv.requests("GET", "/v1/sync/meta")) == 1
    assert t.sleeps == []


def test_sign_in_does_not_sit_out_a_rate_limit() -> None:
    t = FakeTime()
    errors: list[BaseException] = [HubBusyError("slow down", 429, retry_after=30)]
    with pytest.raises(HubBusyError):
        policy(t, retry_rate_limited=False).call(failing(errors))
    assert t.sleeps == []
    # ...but a 503 during sign-in is still retried.
    assert policy(t, retry_rate_limited=False).call(failing([HubBusyError("x", 503)])) == "ok"
