"""kill -9 of the client and of the hub, aimed at their busy windows, then restart.

The client (a real Store on a real SQLite file, the real SyncEngine) and, in the second test,
the hub (the real app on a real SQLite file) run as children of the fork server in
`tests/support/fault_driver.py`, which explains how each kill is aimed and when. Seeded: a
failure names its seed and replays. After every kill the client's (or hub's) database passes
`PRAGMA integrity_check` and every installed collateral file matches its hash; at the end
every acknowledged note is on the hub exactly once, nothing is left unsent, and the client
holds exactly the hub's leads. The default run makes 44 + 6 kills; `--run-slow` 900 + 100.
"""

from __future__ import annotations

import contextlib
import os
import random
import uuid
from collections import Counter
from pathlib import Path

import pytest

from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES, DEFAULT_RUBRIC
from repdesk.domain.errors import RepdeskError
from repdesk.domain.feedback import CallNote
from repdesk.domain.ids import utcnow
from repdesk.hub.admin import Hub
from repdesk.hub.config import HubConfig
from repdesk.hub.db.engine import Database, sqlite_url
from repdesk.hub.file_store import FileStore
from repdesk.protocol.convert import rubric_to_data
from repdesk.store import Store
from repdesk.store.api import LeadQuery
from tests.faults.checks import (
    cache_problems,
    client_integrity,
    hub_lead_ids,
    integrity,
    not_exactly_once,
)
from tests.support import hub_rows
from tests.support.fault_driver import note_body
from tests.support.fault_fixtures import ForkServer, HubProcess
from tests.support.hub_fixtures import PASSWORD, new_hub
from tests.support.sync_fixtures import ClientMaker, LiveHub

EMAIL = "kim@example.test"
SEED = int(os.environ.get("REPDESK_FAULT_SEED", "20261206"))
CLIENT_WINDOWS = ("push", "apply", "apply", "collateral", "any")
HUB_WINDOWS = ("hub_push", "hub_checkpoint", "hub_pull")
#: Kills in the default run (client, hub) and in the long mode (--run-slow).
DEFAULT_KILLS = (44, 6)
LONG_KILLS = (int(os.environ.get("REPDESK_FAULT_LONG_CLIENT_KILLS", "900")), 100)
"""The client's 900 may be split over parallel runs with different seeds (shards)."""


def seed_hub(db: Database, password_hash: str, leads: int, *, reference: bool = True) -> str:
    """Kim, her leads, and (unless `repdesk-hub init` did it) the rubric and taxonomy."""
    rep = hub_rows.add_rep(db, EMAIL, PASSWORD, "Kim", password_hash=password_hash)
    if reference:
        hub_rows.set_rubric(db, rubric_to_data(DEFAULT_RUBRIC))
        for cat in DEFAULT_OBJECTION_CATEGORIES:
            hub_rows.add_category(db, cat.code, cat.label, cat.description)
    grow_hub(db, rep, leads, random.Random(SEED))
    return rep


def grow_hub(db: Database, rep: str, leads: int, rng: random.Random) -> None:
    """Marketing keeps working: new leads with nurture events, so every sync has pages."""
    for _ in range(leads):
        lead = hub_rows.add_lead(
            db, rep, first_name=f"L{rng.randrange(10**6)}", company="Faultline GmbH"
        )
        hub_rows.add_event(db, lead, "email_opened", utcnow())


def new_collateral(db: Database, files: FileStore, rng: random.Random) -> None:
    """A general collateral file of 200-600 kB, new bytes each time (so it is fetched)."""
    size = rng.randrange(200_000, 600_000)
    body = b"%PDF-1.4\n" + rng.randbytes(size) + b"\n%%EOF\n"
    hub_rows.add_collateral(db, files, body, f"Sheet {rng.randrange(10**6)}")


def progress(who: str, kills: Counter[str], runs: int) -> None:
    """Every 50 kills a line on stdout (seen with -s), for long runs watched from outside."""
    if sum(kills.values()) % 50 == 0:
        print(f"{who}: {sum(kills.values())} kills in {runs} runs {dict(kills)}", flush=True)


def note_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def kill_clients(
    live_hub: LiveHub, fork_server: ForkServer, tmp_path: Path, password_hash: str, target: int
) -> Counter[str]:
    rng = random.Random(SEED)
    rep = seed_hub(live_hub.db, password_hash, leads=40)
    new_collateral(live_hub.db, live_hub.files, rng)
    home = tmp_path / "client"
    home.mkdir()
    leads = sorted(hub_lead_ids(live_hub.db, rep))
    kills: Counter[str] = Counter()
    runs = 0
    while sum(kills.values()) < target:
        runs += 1
        assert runs < target * 4, f"only {dict(kills)} kills in {runs} runs (seed {SEED})"
        grow_hub(live_hub.db, rep, 2, rng)
        window = rng.choice(CLIENT_WINDOWS)
        if window == "collateral":
            new_collateral(live_hub.db, live_hub.files, rng)  # so there is one to fetch
        plan = {
            "window": window,
            "nth": rng.randint(1, 2) if window == "apply" else 1,
            "delay": rng.uniform(0, 0.5) if window == "any" else rng.uniform(0, 0.04),
        }
        notes = [(note_id(rng), rng.choice(leads)) for _ in range(2)]
        pid = fork_server.start(
            "client",
            home=str(home),
            url=live_hub.url,
            email=EMAIL,
            password=PASSWORD,
            notes=notes,
            pull_limit=4,
            kill=plan,
        )
        ended = fork_server.wait(pid)
        assert ended.signal in (0, 9) and ended.code in (0, None), (
            f"run {runs} {plan} (seed {SEED}) failed:\n{fork_server.log.read_text()[-4000:]}"
        )
        if ended.signal == 9:
            kills[window] += 1
            progress("client", kills, runs)
            assert client_integrity(home) == "ok", f"run {runs} {plan} (seed {SEED})"
            assert cache_problems(home / "cache") == [], f"run {runs} {plan} (seed {SEED})"
    # Back up for good: one run with no kill sends and fetches everything.
    last = fork_server.wait(
        fork_server.start(
            "client", home=str(home), url=live_hub.url, email=EMAIL, password=PASSWORD
        )
    )
    assert (last.signal, last.code) == (0, 0), fork_server.log.read_text()[-4000:]
    assert client_integrity(home) == "ok"
    acked = (home / "acked.txt").read_text(encoding="utf-8").split()
    assert len(acked) == len(set(acked)) > 0
    assert not_exactly_once(live_hub.db, {n: note_body(n) for n in acked}) == {}
    store = Store.open(home / "data")
    try:
        assert store.outbox_counts().pending == 0
        assert set(store.lead_ids(LeadQuery())) == hub_lead_ids(live_hub.db, rep)
    finally:
        store.close()
    print(f"client: {sum(kills.values())} kills in {runs} runs")
    return kills


def kill_hubs(
    fork_server: ForkServer,
    make_client: ClientMaker,
    tmp_path: Path,
    password_hash: str,
    target: int,
) -> Counter[str]:
    rng = random.Random(SEED + 1)
    home = tmp_path / "hub"
    config = HubConfig.resolve(home, database_url=sqlite_url(home / "hub.db"))
    with new_hub(config) as admin_hub:
        assert isinstance(admin_hub, Hub)
        rep = seed_hub(admin_hub.db, password_hash, leads=20, reference=False)
        leads = sorted(hub_lead_ids(admin_hub.db, rep))
    hub = HubProcess(fork_server, home, config.database_url)
    hub.start()
    client = make_client("kim")
    client.engine.login(hub.url, EMAIL, PASSWORD)
    hub.kill()
    acked: list[str] = []
    kills: Counter[str] = Counter()
    while sum(kills.values()) < target:
        for _ in range(3):
            note = CallNote(note_id(rng), rng.choice(leads), "", utcnow())
            client.store.add_call_note(
                CallNote(note.id, note.lead_id, note_body(note.id), note.created_at)
            )
            acked.append(note.id)
        window = rng.choices(HUB_WINDOWS, weights=(6, 2, 2))[0]
        hub.start(kill={"window": window, "nth": 1, "delay": rng.uniform(0, 0.03)})
        if window == "hub_checkpoint":  # on the hub's own thread: the sync may end first
            with contextlib.suppress(RepdeskError):
                client.engine.sync()
        else:
            with pytest.raises(RepdeskError):
                client.engine.sync()
        ended = hub.wait()
        assert ended.signal == 9, fork_server.log.read_text()[-4000:]
        kills[window] += 1
        progress("hub", kills, sum(kills.values()))
        assert integrity(home / "hub.db") == "ok", f"kill {sum(kills.values())} (seed {SEED})"
    hub.start()
    report = client.engine.sync()
    assert client.store.outbox_counts().pending == 0, report
    hub.kill()
    db = Database(config.database_url)
    try:
        assert not_exactly_once(db, {n: note_body(n) for n in acked}) == {}
    finally:
        db.dispose()
    return kills


@pytest.mark.timeout(900)  # about 90 s on CI; a loaded shared box takes several times that
def test_kill9_of_the_client_in_its_busy_windows(
    live_hub: LiveHub, fork_server: ForkServer, tmp_path: Path, password_hash: str
) -> None:
    kills = kill_clients(live_hub, fork_server, tmp_path, password_hash, DEFAULT_KILLS[0])
    print(f"client kills by window: {dict(kills)}")


@pytest.mark.timeout(600)
def test_kill9_of_the_hub_mid_request(
    fork_server: ForkServer, make_client: ClientMaker, tmp_path: Path, password_hash: str
) -> None:
    kills = kill_hubs(fork_server, make_client, tmp_path, password_hash, DEFAULT_KILLS[1])
    print(f"hub kills by window: {dict(kills)}")


@pytest.mark.slow
@pytest.mark.timeout(4 * 3600)
def test_kill9_long_mode_client(
    live_hub: LiveHub, fork_server: ForkServer, tmp_path: Path, password_hash: str
) -> None:
    """--run-slow: 900 kills of the client."""
    kills = kill_clients(live_hub, fork_server, tmp_path, password_hash, LONG_KILLS[0])
    print(f"long mode: client kills by window: {dict(kills)}")


@pytest.mark.slow
@pytest.mark.timeout(4 * 3600)
def test_kill9_long_mode_hub(
    fork_server: ForkServer, make_client: ClientMaker, tmp_path: Path, password_hash: str
) -> None:
    """--run-slow: 100 kills of the hub (with the client's 900: 1,000 in all)."""
    kills = kill_hubs(fork_server, make_client, tmp_path, password_hash, LONG_KILLS[1])
    print(f"long mode: hub kills by window: {dict(kills)}")
