"""A hostile proxy between the real client and the real hub (`tests/support/hostile_proxy.py`):
resets before and after the hub applied a request, truncated answers, 429 and 503 with
`Retry-After`, HTML error pages (502, and a 200 captive portal) and a silent socket, on
push, pull, collateral and meta alike. While it rages the rep keeps working and marketing
keeps adding leads and files; once it stops, the client converges: every note on the hub
exactly once, nothing pending or refused, the hub's leads and files all on the client.

Seeded (REPDESK_FAULT_SEED); the retry pauses are recorded, not slept (`NoSleep`)."""

from __future__ import annotations

import os
import random
from pathlib import Path

from repdesk.domain.errors import RepdeskError
from repdesk.domain.feedback import CallNote
from repdesk.domain.ids import new_id, utcnow
from repdesk.store import Store
from repdesk.store.api import LeadQuery
from repdesk.sync.collateral import CollateralCache
from repdesk.sync.credentials import Credentials
from repdesk.sync.engine import SyncEngine
from repdesk.sync.http import HubClient
from repdesk.sync.retry import RetryPolicy
from tests.faults.checks import cache_problems, hub_lead_ids, integrity, not_exactly_once
from tests.support import hub_rows
from tests.support.hostile_proxy import FAULTS, RETRY_AFTER, HostileProxy
from tests.support.hub_fixtures import PASSWORD
from tests.support.sync_fixtures import NoSleep
from tests.support.world import World

SEED = int(os.environ.get("REPDESK_FAULT_SEED", "20261206"))
ROUNDS = 10


def test_the_client_converges_through_a_hostile_proxy(live_world: World, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    raging = True
    cycle: list[str] = []

    def decide(_request: bytes) -> str:
        """Faults on about 60% of requests while raging, every kind in turn (shuffled)."""
        if not raging or rng.random() < 0.4:
            return "pass"
        if not cycle:
            cycle.extend(rng.sample(FAULTS, len(FAULTS)))
        action = cycle.pop()
        if action == "silent" and proxy.served["silent"] >= 3:
            return "pass"  # each costs the client's whole timeout: three make the point
        return action

    hub = live_world.hub
    proxy = HostileProxy(hub.port, decide)
    store = Store.open(tmp_path / "ada" / "data")
    cache = CollateralCache(tmp_path / "ada" / "cache")
    sleeps = NoSleep()
    engine = SyncEngine(
        store,
        Credentials(),
        cache,
        # A short timeout so the silent socket costs seconds, not minutes.
        lambda url, token: HubClient(url, token, timeout=3),
        retry=RetryPolicy(max_attempts=3, sleep=sleeps),
        pull_limit=4,
    )
    raging = False
    engine.login(proxy.url, live_world.ada.email, PASSWORD)
    raging = True
    notes: dict[str, str] = {}
    failures: list[str] = []
    leads = list(live_world.ada.leads)
    try:
        for round_no in range(ROUNDS):
            for _ in range(2):
                note = CallNote(new_id(), rng.choice(leads), "", utcnow())
                notes[note.id] = f"Proxy round {round_no}: {note.id}"
                store.add_call_note(
                    CallNote(note.id, note.lead_id, notes[note.id], note.created_at)
                )
            lead = hub_rows.add_lead(hub.db, live_world.ada.id, first_name=f"R{round_no}")
            hub_rows.add_event(hub.db, lead, "web_visit", utcnow())
            leads.append(lead)
            if round_no % 4 == 0:
                body = b"%PDF-1.4\n" + rng.randbytes(150_000) + b"\n%%EOF\n"
                hub_rows.add_collateral(hub.db, hub.files, body, f"Round {round_no}")
            try:
                engine.sync()
            except RepdeskError as exc:
                failures.append(type(exc).__name__)
        raging = False
        for _ in range(5):
            try:
                report = engine.sync()
                break
            except RepdeskError as exc:  # pragma: no cover - shown if it never converges
                failures.append(f"after: {exc}")
        else:
            raise AssertionError(f"no convergence; {failures}, proxy {proxy.served}")

        assert set(proxy.served) >= {*FAULTS, "pass"}, proxy.served
        assert failures, "the faults were felt"
        # A 429 / 503 pause is at least what the proxy's Retry-After asked.
        assert max(sleeps.sleeps) >= min(RETRY_AFTER.values()), sleeps.sleeps
        counts = store.outbox_counts()
        assert (counts.pending, counts.rejected, counts.conflicts) == (0, 0, 0), report
        assert not_exactly_once(hub.db, notes) == {}
        assert set(store.lead_ids(LeadQuery())) == hub_lead_ids(hub.db, live_world.ada.id)
        wanted = store.wanted_collateral()
        assert wanted and all(cache.has(item.sha256) for item in wanted)
        assert cache_problems(tmp_path / "ada" / "cache") == []
        assert integrity(store.data_dir / "repdesk.sqlite3") == "ok"
        print(f"proxy: {dict(proxy.served)}; failed syncs: {len(failures)} of {ROUNDS}")
    finally:
        proxy.stop()
        store.close()
