"""The SQLite hub's push next to its floor, same run, taking turns (prints; not a test).

    .venv/bin/python benchmarks/push_floor.py            # 10k call notes over 10k leads
    .venv/bin/python benchmarks/push_floor.py --leads 200 --rounds 5

- hub: `push_batch` in this process (no HTTP), batches of MAX_PUSH_BATCH call notes,
  as `sync.push` sends them, after the same pydantic request validation as the route;
- floor: stdlib `sqlite3` on the same hub file doing the same reads (leads, idempotency
  records, existing note ids) and writes (notes, idempotency records, change-log delete +
  insert) per batch, one transaction each, with the hub's schema, triggers and pragmas:
  no Python decisions, no ORM, the most a SQLite hub could do here.

Both print mutations/s of wall time AND of CPU time (`time.process_time`, SQLite's work
included: it runs in this process). On a shared machine the CPU figure is the stable one:
under load the wall time is mostly waiting for a core (issue 9's push report).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from repdesk.domain.ids import new_id
from repdesk.hub.app import open_state
from repdesk.hub.config import HubConfig
from repdesk.hub.sync.push import push_batch
from repdesk.protocol.schema import MAX_PUSH_BATCH, PushRequest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.bench_hub import PASSWORD, bulk_leads  # noqa: E402
from tests.support import hub_rows as seed  # noqa: E402


class _Hub:
    """What `bulk_leads` needs of a hub: its state."""

    def __init__(self, state: Any) -> None:
        self.state = state


def _notes(n: int, lead_ids: list[str], start: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC).isoformat()
    return [
        {"id": new_id(), "seq": start + i, "kind": "call_note.create",
         "entity_id": new_id(), "lead_id": lead_ids[(start + i) % len(lead_ids)],
         "recorded_at": now, "payload": {"body": f"Call {i}: discussed pricing"}}
        for i in range(n)
    ]  # fmt: skip


def hub_round(state: Any, rep: str, lead_ids: list[str], n: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for at in range(0, n, MAX_PUSH_BATCH):
        body = {"client_id": "bench", "mutations": _notes(MAX_PUSH_BATCH, lead_ids, at)}
        results = push_batch(state.db, rep, "bench", PushRequest.model_validate(body).mutations)
        assert all(r.status.value == "applied" for r in results)
    return time.perf_counter() - wall, time.process_time() - cpu


def _marks(n: int) -> str:
    return ",".join("?" * n)


def floor_round(
    db: sqlite3.Connection, rep: str, lead_ids: list[str], n: int
) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for at in range(0, n, MAX_PUSH_BATCH):
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        batch = [
            (new_id(), new_id(), lead_ids[(at + i) % len(lead_ids)]) for i in range(MAX_PUSH_BATCH)
        ]
        mutation_ids, note_ids = [b[0] for b in batch], [b[1] for b in batch]
        leads = sorted({b[2] for b in batch})
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "SELECT id, owner_rep_id, deleted, lead_status, version FROM leads"
            f" WHERE id IN ({_marks(len(leads))})",
            leads,
        ).fetchall()
        db.execute(
            "SELECT mutation_id FROM processed_mutations"
            f" WHERE mutation_id IN ({_marks(len(batch))})",
            mutation_ids,
        ).fetchall()
        db.execute(
            f"SELECT id FROM call_notes WHERE id IN ({_marks(len(batch))})", note_ids
        ).fetchall()
        db.executemany(
            "INSERT INTO call_notes (id, lead_id, rep_id, mutation_id, body, call_started_at,"
            " duration_seconds, outcome, created_at, received_at, version)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(e, lead, rep, m, "Call: discussed pricing", None, None, "", now, now, 1)
             for m, e, lead in batch],
        )  # fmt: skip
        db.executemany(
            "INSERT INTO processed_mutations (mutation_id, client_id, rep_id, body_hash, kind,"
            " lead_id, status, server_version, detail, received_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(m, "bench", rep, "0" * 64, "call_note.create", lead, "applied", 1, "{}", now)
             for m, _e, lead in batch],
        )  # fmt: skip
        db.execute(
            "DELETE FROM change_log WHERE entity = 'call_note' AND audience = ?"
            f" AND entity_id IN ({_marks(len(batch))})",
            [rep, *note_ids],
        )
        db.executemany(
            "INSERT INTO change_log (entity, entity_id, op, audience, version, lead_id, at)"
            " VALUES (?,?,?,?,?,?,?)",
            [("call_note", e, "upsert", rep, 1, lead, now) for _m, e, lead in batch],
        )
        db.execute("COMMIT")
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="mutations per round")
    parser.add_argument(
        "--leads", type=int, default=10_000, help="the rep's leads (as sync.push at M)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each, taking turns")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="push-floor-") as tmp:
        state = open_state(HubConfig.resolve(Path(tmp) / "hub"))
        rep = seed.add_rep(state.db, "rep@example.com", PASSWORD, "Pusher")
        lead_ids = bulk_leads(_Hub(state), rep, args.leads)  # type: ignore[arg-type]
        db = sqlite3.connect(str(state.db.engine.url.database), isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            db.execute(f"PRAGMA {pragma}")
        try:
            for _ in range(args.rounds):
                for name, run in (
                    ("hub push_batch", lambda: hub_round(state, rep, lead_ids, args.n)),
                    ("floor (sqlite3)", lambda: floor_round(db, rep, lead_ids, args.n)),
                ):
                    wall, cpu = run()
                    rates = f"{args.n / wall:8,.0f} mutations/s wall {args.n / cpu:8,.0f} per CPU-s"
                    print(f"{name:16} {rates} ({cpu:.2f} CPU-s in {wall:.2f} s)")
        finally:
            db.close()
            state.db.dispose()


if __name__ == "__main__":
    main()
