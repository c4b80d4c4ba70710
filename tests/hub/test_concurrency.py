"""Concurrent pushes: a puller following its cursor misses nothing, and the same
mutation sent twice at once is applied exactly once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select
from tests.hub.helpers import mutation, note, push
from tests.support.world import World

from repdesk.hub.db.models import CallNote
from repdesk.hub.embedded import EmbeddedHub

Clients = Callable[[str], httpx.Client]
WRITERS = 4
BATCHES = 5
PER_BATCH = 3


def test_a_puller_sees_every_concurrent_write(world: World, client_for: Clients) -> None:
    writers = [client_for(world.ada.email) for _ in range(WRITERS)]
    puller = client_for(world.ada.email)
    done = threading.Event()
    pushed: list[str] = []
    seen: set[str] = set()
    lock = threading.Lock()

    def write(index: int) -> None:
        for b in range(BATCHES):
            batch = [
                note(world.ada.leads[(index + i) % 3], f"w{index} b{b} n{i}")
                for i in range(PER_BATCH)
            ]
            results = push(writers[index], *batch, client_id=f"device-{index}")
            assert {r["status"] for r in results} == {"applied"}
            with lock:
                pushed.extend(m["entity_id"] for m in batch)

    def pull_until_done() -> None:
        cursor: str | None = None
        while True:
            finished = done.is_set()  # read BEFORE pulling: one more full pass after
            params = {"limit": 7} | ({"cursor": cursor} if cursor else {})
            page = puller.get("/v1/sync/pull", params=params).json()
            seen.update(c["id"] for c in page["changes"] if c["entity"] == "call_note")
            cursor = page["cursor"]
            if finished and not page["has_more"]:
                return

    with ThreadPoolExecutor(WRITERS + 1) as pool:
        reader = pool.submit(pull_until_done)
        for future in [pool.submit(write, i) for i in range(WRITERS)]:
            future.result()
        done.set()
        reader.result()
    assert len(pushed) == WRITERS * BATCHES * PER_BATCH
    assert seen == set(pushed)


def test_the_same_mutation_sent_twice_at_once_applies_once(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    clients = [client_for(world.ada.email) for _ in range(2)]
    for round_ in range(5):
        same = note(world.ada.leads[0], f"round {round_}")
        barrier = threading.Barrier(2)

        def send(
            client: httpx.Client,
            m: dict[str, object] = same,
            barrier: threading.Barrier = barrier,
        ) -> str:
            barrier.wait(timeout=10)
            return push(client, m)[0]["status"]

        with ThreadPoolExecutor(2) as pool:
            statuses = sorted(pool.map(send, clients))
        assert statuses == ["applied", "duplicate"]
    with embedded_hub.state.db.read() as s:
        assert s.scalar(select(func.count()).select_from(CallNote)) == 5


def test_concurrent_edits_of_one_field_from_two_devices_never_both_win(
    world: World, client_for: Clients
) -> None:
    """Both devices last saw version 0; whichever lands second must be told it collided."""
    devices = [client_for(world.ada.email) for _ in range(2)]
    for round_, lead in enumerate(world.ada.leads):
        barrier = threading.Barrier(2)

        def send(index: int, lead: str = lead, barrier: threading.Barrier = barrier) -> str:
            m = mutation(
                "qualification.update",
                lead,
                {"fields": {"budget": {"value": f"d{index}"}}},
                base_version=0,
            )
            barrier.wait(timeout=10)
            return push(devices[index], m, client_id=f"device-{index}")[0]["status"]

        with ThreadPoolExecutor(2) as pool:
            statuses = sorted(pool.map(send, range(2)))
        assert statuses == ["applied", "conflict"], round_
