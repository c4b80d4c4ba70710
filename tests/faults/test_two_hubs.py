"""Two hub processes on one PostgreSQL database, the same batches pushed to both at once (as a
client retrying through a load balancer would): each mutation is applied exactly once, the
other hub answers `duplicate`, and no request fails.

The hubs are children of the kill -9 suite's fork server (`tests/support/fault_driver.py`),
each on its own port; the pushes are released together by a barrier. Skipped, visibly,
without REPDESK_TEST_PG_URL (CI sets it)."""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from repdesk.hub.config import HubConfig
from repdesk.hub.db import models as m
from repdesk.hub.db.engine import Database
from tests.hub.helpers import mutation, note
from tests.support import hub_rows
from tests.support.fault_fixtures import ForkServer, HubProcess
from tests.support.hub_fixtures import PASSWORD, new_hub, pg_schema_url

BATCHES = 6
PER_BATCH = 20


def _batch(rng: random.Random, leads: list[str], seq: int) -> list[dict[str, Any]]:
    out = []
    for i in range(PER_BATCH):
        lead = rng.choice(leads)
        if i % 3 == 2:
            body = {"category_code": "price", "verbatim": f"Too dear #{seq}-{i}"}
            out.append(mutation("objection.create", lead, body, seq=seq * 100 + i))
        else:
            out.append(note(lead, f"Two hubs note {seq}-{i}", seq=seq * 100 + i))
    return out


def push_together(clients: list[httpx.Client], body: dict[str, Any]) -> list[httpx.Response]:
    """The same push to every client, released at the same moment."""
    barrier = threading.Barrier(len(clients))

    def push(client: httpx.Client) -> httpx.Response:
        barrier.wait()
        return client.post("/v1/sync/push", json=body)

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(push, clients))


@pytest.mark.timeout(900)  # PostgreSQL shared with the whole team here; seconds on CI
def test_the_same_batches_pushed_to_two_hub_processes_apply_once(
    pg_url: str, fork_server: ForkServer, tmp_path: Path, password_hash: str
) -> None:
    for url in pg_schema_url(pg_url):
        with new_hub(HubConfig.resolve(tmp_path / "admin", database_url=url)) as admin_hub:
            db = admin_hub.db
            rep = hub_rows.add_rep(db, "pat@example.test", PASSWORD, password_hash=password_hash)
            leads = [hub_rows.add_lead(db, rep, first_name=f"P{i}") for i in range(8)]
        hubs = [HubProcess(fork_server, tmp_path / f"hub-{n}", url) for n in "ab"]
        for hub in hubs:
            hub.start()
        clients = [httpx.Client(base_url=hub.url, timeout=60) for hub in hubs]
        try:
            login = {"email": "pat@example.test", "password": PASSWORD}
            token = clients[0].post("/v1/auth/login", json=login).json()["token"]
            for client in clients:
                client.headers["Authorization"] = f"Bearer {token}"
            rng = random.Random(1206)
            statuses: dict[str, list[str]] = {}
            sent: list[dict[str, Any]] = []
            for seq in range(BATCHES):
                batch = _batch(rng, leads, seq)
                sent += batch
                body = {"client_id": "device-1", "mutations": batch}
                answers = push_together(clients, body)
                assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
                for answer in answers:
                    for result in answer.json()["results"]:
                        statuses.setdefault(result["id"], []).append(result["status"])
        finally:
            for client in clients:
                client.close()
            for hub in hubs:
                hub.kill()

        assert len(statuses) == BATCHES * PER_BATCH
        assert Counter(tuple(sorted(s)) for s in statuses.values()) == {
            ("applied", "duplicate"): BATCHES * PER_BATCH
        }
        check = Database(url)
        try:
            with check.read() as s:
                ids = [mu["id"] for mu in sent]
                processed = s.scalar(
                    select(func.count()).where(m.ProcessedMutation.mutation_id.in_(ids))
                )
                notes = s.scalar(select(func.count()).select_from(m.CallNote))
                objections = s.scalar(select(func.count()).select_from(m.ObjectionRow))
            assert processed == len(ids)
            assert (notes, objections) == (
                sum(mu["kind"] == "call_note.create" for mu in sent),
                sum(mu["kind"] == "objection.create" for mu in sent),
            )
        finally:
            check.dispose()
