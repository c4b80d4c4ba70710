"""A large, realistic hub for report benchmarks (reusable: the workspace's page benchmark
loads the same data). Deterministic for a seed; bulk-inserted with Core `insert`
executemany in chunks, straight into the tables (no change log: reports never read it).

    with scratch_database(pg_url_or_None) as url:      # temp SQLite file or PG schema
        summary = load(url, leads=100_000)               # migrated + filled

Default volume: 100k leads (90 % assigned, over the year before NOW), 1M nurture events,
100k feedback rows (40 % call notes, 25 % dispositions, 15 % objections, 20 % collateral
uses), plus BANT answers on the worked leads (~3 fields each), 50 reps, 40 campaigns over
6 channels, 60 assets, the default rubric and objection taxonomy.
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine, insert

from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES, DEFAULT_RUBRIC
from repdesk.hub.db import models as m
from repdesk.hub.db.engine import make_engine, normalize_database_url, sqlite_url
from repdesk.hub.db.migrate import upgrade_database
from repdesk.protocol.convert import rubric_to_data

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
YEAR = timedelta(days=365)
CHANNELS = ("Webinar", "Paid search", "Trade show", "Content", "Partner", "Outbound")
CHUNK = 10_000


@dataclass(frozen=True)
class Summary:
    url: str
    rep_ids: tuple[str, ...]
    campaign_ids: tuple[str, ...]
    rows: dict[str, int]
    seconds: float


@contextmanager
def scratch_database(pg: str | None) -> Iterator[str]:
    """A throw-away database URL: a SQLite file in a temp folder, or a new schema in the
    PostgreSQL at `pg` (dropped afterwards)."""
    if not pg:
        with tempfile.TemporaryDirectory(prefix="repdesk-reports-") as folder:
            yield sqlite_url(Path(folder) / "hub.db")
        return
    base = normalize_database_url(pg)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _bulk(engine: Engine, table: type[m.Base], rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        for start in range(0, len(rows), CHUNK):
            conn.execute(insert(table), rows[start : start + CHUNK])


def load(
    url: str,
    *,
    leads: int = 100_000,
    events_per_lead: int = 10,
    feedback: int = 100_000,
    seed: int = 1,
) -> Summary:
    """Migrate the database at `url` and fill it; returns what it made."""
    started = time.perf_counter()
    upgrade_database(url)
    engine = make_engine(url)
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    try:
        reps = [
            {"id": _id(rng), "email": f"rep{i}@example.com", "name": f"Rep {i:02d}",
             "password_hash": "x", "disabled": False, "created_at": NOW, "updated_at": NOW}
            for i in range(50)
        ]  # fmt: skip
        campaigns = [
            {"id": _id(rng), "name": f"Campaign {i:02d}", "channel": CHANNELS[i % len(CHANNELS)],
             "status": "active", "description": "", "version": 1, "created_at": NOW,
             "updated_at": NOW}
            for i in range(40)
        ]  # fmt: skip
        codes = [c.code for c in DEFAULT_OBJECTION_CATEGORIES]
        categories = [
            {"code": c.code, "label": c.label, "description": c.description, "retired": False,
             "version": 1, "updated_at": NOW}
            for c in DEFAULT_OBJECTION_CATEGORIES
        ]  # fmt: skip
        assets = [
            {"id": _id(rng), "sha256": f"{i:064x}", "size": 1000, "media_type": "application/pdf",
             "title": f"Asset {i:02d}", "original_name": "", "problem": "", "retired": i % 20 == 0,
             "campaign_id": campaigns[i % 40]["id"] if i % 3 else None,
             "tags": rng.sample(codes, k=rng.randint(0, 2)), "version": 1, "created_at": NOW,
             "updated_at": NOW}
            for i in range(60)
        ]  # fmt: skip
        rubric = rubric_to_data(DEFAULT_RUBRIC).model_dump(mode="json")
        _bulk(engine, m.Rep, reps)
        _bulk(engine, m.Campaign, campaigns)
        _bulk(engine, m.ObjectionCategory, categories)
        _bulk(engine, m.Collateral, assets)
        _bulk(engine, m.RubricRow, [{"id": _id(rng), "name": rubric["name"], "data": rubric,
                                     "active": True, "version": 1, "updated_at": NOW}])  # fmt: skip

        lead_rows: list[dict[str, Any]] = []
        assigned: list[tuple[str, str, datetime, str | None]] = []
        for i in range(leads):
            campaign = rng.choice(campaigns)["id"] if rng.random() < 0.95 else None
            created = NOW - YEAR * rng.random()
            owner = rng.choice(reps)["id"] if rng.random() < 0.9 else None
            at = min(NOW, created + timedelta(hours=rng.expovariate(1 / 12))) if owner else None
            lead_id = _id(rng)
            lead_rows.append(
                {"id": lead_id, "email": f"lead{i}@example.com", "first_name": f"F{i}",
                 "last_name": f"L{i}", "company": f"Company {i % 5000}", "title": "",
                 "industry": "", "phone": "", "country": "Germany", "score": 0,
                 "lifecycle_stage": "marketing_qualified_lead", "lead_status": "new",
                 "source_campaign_id": campaign, "owner_rep_id": owner, "assigned_at": at,
                 "marketing_notes": "", "deleted": rng.random() < 0.01, "version": 1,
                 "created_at": created, "updated_at": created}
            )  # fmt: skip
            if owner is not None and at is not None:
                assigned.append((lead_id, owner, at, campaign))
        _bulk(engine, m.Lead, lead_rows)
        counts["leads"] = len(lead_rows)

        events: list[dict[str, Any]] = []
        event_types = ("email_opened", "email_clicked", "web_visit", "form_submitted")
        for lead in lead_rows:
            for j in range(events_per_lead):
                events.append(
                    {"id": _id(rng), "lead_id": lead["id"], "type": event_types[j % 4],
                     "occurred_at": lead["created_at"] - timedelta(days=j), "asset": "",
                     "detail": "", "version": 1, "created_at": lead["created_at"],
                     "campaign_id": lead["source_campaign_id"]}
                )  # fmt: skip
            if len(events) >= 200_000:
                _bulk(engine, m.NurtureEvent, events)
                counts["nurture_events"] = counts.get("nurture_events", 0) + len(events)
                events = []
        _bulk(engine, m.NurtureEvent, events)
        counts["nurture_events"] = counts.get("nurture_events", 0) + len(events)

        notes: list[dict[str, Any]] = []
        worked = rng.sample(assigned, k=min(len(assigned), int(feedback * 0.4 * 0.75)))
        n_notes = int(feedback * 0.4)
        for k in range(n_notes):
            lead_id, owner, at, _c = worked[k % len(worked)]
            when = min(
                NOW, at + timedelta(hours=rng.lognormvariate(2.3, 1.2) * (1 + k // len(worked)))
            )
            notes.append(
                {"id": _id(rng), "lead_id": lead_id, "rep_id": owner, "mutation_id": _id(rng),
                 "body": "Call", "call_started_at": when if rng.random() < 0.8 else None,
                 "outcome": "connected", "created_at": when, "received_at": when, "version": 1}
            )  # fmt: skip
        _bulk(engine, m.CallNote, notes)
        counts["call_notes"] = len(notes)

        dispositions: list[dict[str, Any]] = []
        kinds = ("accept", "return_to_nurture", "disqualify")
        reasons = {
            "accept": ("",),
            "return_to_nurture": ("no budget", "bad timing", "not the right contact", "no answer"),
            "disqualify": ("student", "competitor", "too small", "wrong country"),
        }
        for k in range(int(feedback * 0.25)):
            lead_id, owner, at, _c = worked[k % len(worked)]
            kind = rng.choices(kinds, weights=(4, 4, 2))[0]
            when = min(NOW, at + timedelta(days=rng.uniform(0.5, 30) * (1 + k // len(worked))))
            dispositions.append(
                {"id": _id(rng), "lead_id": lead_id, "rep_id": owner, "mutation_id": _id(rng),
                 "kind": kind, "reason": rng.choice(reasons[kind]), "decided_at": when,
                 "received_at": when, "version": 1}
            )  # fmt: skip
        _bulk(engine, m.DispositionRow, dispositions)
        counts["dispositions"] = len(dispositions)

        objections: list[dict[str, Any]] = []
        competitors = ("", "", "", "Acme", "Globex", "Initech")
        for _ in range(int(feedback * 0.15)):
            lead_id, owner, at, campaign = rng.choice(worked)
            when = min(NOW, at + timedelta(days=rng.uniform(0, 20)))
            objections.append(
                {"id": _id(rng), "lead_id": lead_id, "rep_id": owner, "mutation_id": _id(rng),
                 "category_code": rng.choice(codes), "verbatim": "It costs too much",
                 "severity": rng.randint(1, 4),
                 "campaign_id": campaign if rng.random() < 0.5 else None,
                 "collateral_id": rng.choice(assets)["id"] if rng.random() < 0.2 else None,
                 "competitor": rng.choice(competitors), "resolved": False, "created_at": when,
                 "received_at": when, "version": 1}
            )  # fmt: skip
        _bulk(engine, m.ObjectionRow, objections)
        counts["objections"] = len(objections)

        uses: list[dict[str, Any]] = []
        for _ in range(int(feedback * 0.2)):
            lead_id, owner, at, _c = rng.choice(worked)
            when = min(NOW, at + timedelta(days=rng.uniform(0, 20)))
            uses.append(
                {"id": _id(rng), "lead_id": lead_id, "rep_id": owner, "mutation_id": _id(rng),
                 "collateral_id": rng.choice(assets)["id"], "kind": rng.choice(("shown", "sent")),
                 "used_at": when, "received_at": when, "version": 1}
            )  # fmt: skip
        _bulk(engine, m.CollateralUseRow, uses)
        counts["collateral_uses"] = len(uses)

        quals: list[dict[str, Any]] = []
        fields: list[dict[str, Any]] = []
        options = {
            d.dimension.value: [o.code for o in d.options] for d in DEFAULT_RUBRIC.dimensions
        }
        for lead_id, _o, _at, _c in {w[0]: w for w in worked}.values():
            quals.append({"lead_id": lead_id, "version": 3, "updated_at": NOW})
            for dim in rng.sample(sorted(options), k=3):
                fields.append(
                    {"lead_id": lead_id, "dimension": dim, "value": rng.choice(options[dim]),
                     "verbatim": "", "confidence": rng.randint(1, 3), "recorded_by": "",
                     "version": 3, "mutation_id": "", "client_id": ""}
                )  # fmt: skip
        _bulk(engine, m.Qualification, quals)
        _bulk(engine, m.QualificationField, fields)
        counts["qualification_fields"] = len(fields)
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")  # planner statistics, as a live hub would have
    finally:
        engine.dispose()
    return Summary(
        url=url,
        rep_ids=tuple(r["id"] for r in reps),
        campaign_ids=tuple(c["id"] for c in campaigns),
        rows=counts,
        seconds=time.perf_counter() - started,
    )


__all__ = ["CHANNELS", "NOW", "Summary", "load", "scratch_database"]
