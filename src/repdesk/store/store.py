"""`Store`: the local cache behind one lock and one connection (implements `StoreApi`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, insert, select, update

from repdesk.domain.changes import LEAD_DATA, Changes
from repdesk.domain.errors import DiskFullError, StoreError, is_no_space
from repdesk.domain.feedback import (
    CallNote,
    CollateralUse,
    Disposition,
    Objection,
    ObjectionCategory,
)
from repdesk.domain.followups import FollowUp, FollowUpAction
from repdesk.domain.ids import new_id, utcnow
from repdesk.domain.leads import Campaign, Collateral, Lead, NurtureEvent
from repdesk.domain.outbox import Conflict, OutboxItem, OutboxState
from repdesk.domain.qualification import Bant, BantAnswer, BantDimension, Rubric
from repdesk.domain.today import TodayItem
from repdesk.store import (
    actions,
    bulk,
    cipher,
    migrate,
    outbox,
    pull,
    reads,
    recovery,
    resync,
    timeline,
    today,
)
from repdesk.store.api import (
    AnswerChange,
    LeadPage,
    LeadQuery,
    LeadRow,
    MutationOutcome,
    OutboxCounts,
    RemoteChange,
    SearchHit,
    SessionInfo,
    StoreApi,
    SyncState,
    TimelineEntry,
)
from repdesk.store.cipher import CacheKey
from repdesk.store.convert import campaign_from_row, category_from_row, from_db, to_db
from repdesk.store.db import DB_NAME, bulk_cache, make_engine, mapped_errors, rollback_journal
from repdesk.store.derived import load_rubric, recompute_readiness
from repdesk.store.lock import InstanceLock
from repdesk.store.models import CAMPAIGNS, CATEGORIES, SYNC

log = logging.getLogger(__name__)

_T = TypeVar("_T")
_SYNC_ROW = 1
_NO_SESSION = {"hub_url": None, "rep_id": None, "rep_name": "", "rep_email": "", "hub_id": ""}
WAL_AUTOCHECKPOINT = 1000
"""SQLite's default pages-before-checkpoint, restored after bulk pages paused it."""
NEXT_ACTION_REVISION = "0005"
"""The migration that added leads.next_action (derived: filled in after upgrading)."""


class Store:
    """The local SQLite cache. Every public method takes the lock and runs in ONE transaction.

    Used from the GUI's database worker and the sync thread; SQLite has one writer, so
    the process holds exactly one connection and serialises on an RLock.
    """

    def __init__(
        self,
        data_dir: Path,
        engine: Engine,
        conn: Connection,
        lock: InstanceLock,
        *,
        key: CacheKey | None = None,
        recovered: recovery.Recovery | None = None,
    ):
        self.recovery = recovered
        """Set when the database was found damaged, empty or missing at start (say so)."""
        self._data_dir = data_dir
        self._key = key
        self._path = data_dir / DB_NAME
        self._engine = engine
        self._conn = conn
        self._instance_lock = lock
        self._lock = threading.RLock()
        self._closed = False
        self._rollback_journal = False
        """A load into an empty cache is being written with a rollback journal (WAL else)."""

    @classmethod
    def open(cls, data_dir: Path, *, key: CacheKey | None = None) -> Store:
        """Create the folder, take the single-instance lock, migrate, and return the store.

        `key` encrypts the database at rest (`store/cipher.py`): a plain one is converted
        first. The app always passes one (`app.services.open_store`); `None` opens a plain
        cache (tests and tools) and refuses an encrypted one.
        """
        data_dir = Path(data_dir)
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if is_no_space(exc):
                raise DiskFullError(where=data_dir) from exc
            raise StoreError(
                f"repdesk cannot create its data folder ({data_dir}): {exc.strerror or exc}"
            ) from exc
        lock = InstanceLock.acquire(data_dir)
        path = data_dir / DB_NAME
        conn: Connection | None = None
        engine: Engine | None = None
        try:
            with mapped_errors(path):
                # The check comes first (a damaged plain file must not be converted); it
                # reads an encrypted file with `key`, a plain one without.
                found = recovery.before_open(data_dir, path, key)
                cipher.prepare(path, key)
                engine = make_engine(path, key)
                conn = engine.connect()
                before = migrate.current_revision(conn)
                migrate.upgrade(conn, path)
                with conn.begin():
                    _ensure_sync_row(conn)
                    if before is not None and before < NEXT_ACTION_REVISION:
                        # Revision 5 added the derived next step: fill it in for every lead.
                        recompute_readiness(conn)
                    if conn.execute(select(SYNC.c.fts_stale)).scalar_one():
                        # A bulk page was applied but the app stopped before finish_sync:
                        # indexes, derived lead columns and full-text indexes rebuilt.
                        bulk.finish_bulk(conn)
                    found = recovery.after_open(data_dir, conn, found)
        except BaseException:
            if conn is not None:
                conn.close()
            if engine is not None:
                engine.dispose()
            lock.release()
            raise
        log.info("opened store %s", path)
        return cls(data_dir, engine, conn, lock, key=key, recovered=found)

    @property
    def path(self) -> Path:
        return self._path

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    @property
    def key(self) -> CacheKey | None:
        """The key the database is encrypted with (None: a plain cache). Never logged."""
        return self._key

    @property
    def encrypted(self) -> bool:
        return self._key is not None

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self._conn.close()
                self._engine.dispose()
            finally:
                self._instance_lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """Lock, one transaction (rolled back on any error), DB errors mapped for the rep."""
        with self._lock:
            if self._closed:
                raise StoreError("The local data is closed; restart repdesk.")
            with mapped_errors(self._path), self._conn.begin():
                yield self._conn

    def _run(self, fn: Callable[[Connection], _T]) -> _T:
        with self._tx() as conn:
            return fn(conn)

    @property
    def _fts_live(self) -> bool:
        """False while a bulk load left the indexes stale (they are rebuilt, not patched)."""
        return not bool(self._conn.execute(select(SYNC.c.fts_stale)).scalar_one())

    # --- reads ------------------------------------------------------------------------

    def lead(self, lead_id: str) -> Lead | None:
        return self._run(lambda c: reads.lead(c, lead_id))

    def lead_ids(self, query: LeadQuery) -> list[str]:
        return self._run(lambda c: reads.lead_ids(c, query))

    def lead_page(self, query: LeadQuery, limit: int) -> LeadPage:
        return self._run(lambda c: reads.lead_page(c, query, limit))

    def lead_rows(self, ids: Sequence[str]) -> list[LeadRow]:
        return self._run(lambda c: reads.lead_rows(c, ids))

    def lead_count(self) -> int:
        return self._run(reads.lead_count)

    def events(self, lead_id: str) -> list[NurtureEvent]:
        return self._run(lambda c: reads.events(c, lead_id))

    def timeline(self, lead_id: str) -> list[TimelineEntry]:
        return self._run(lambda c: timeline.timeline(c, lead_id))

    def bant(self, lead_id: str) -> Bant:
        return self._run(lambda c: reads.bant(c, lead_id))

    def bant_history(self, lead_id: str) -> list[BantAnswer]:
        return self._run(lambda c: reads.bant_history(c, lead_id))

    def bant_changes(self, mutation_ids: Sequence[str]) -> dict[str, tuple[AnswerChange, ...]]:
        return self._run(lambda c: reads.bant_changes(c, mutation_ids))

    def notes(self, lead_id: str) -> list[CallNote]:
        return self._run(lambda c: reads.notes(c, lead_id))

    def objections(self, lead_id: str) -> list[Objection]:
        return self._run(lambda c: reads.objections(c, lead_id))

    def disposition(self, lead_id: str) -> Disposition | None:
        return self._run(lambda c: reads.disposition(c, lead_id))

    def collateral_uses(self, lead_id: str) -> list[CollateralUse]:
        return self._run(lambda c: reads.collateral_uses(c, lead_id))

    def rubric(self) -> Rubric | None:
        return self._run(load_rubric)

    def objection_categories(self) -> list[ObjectionCategory]:
        stmt = select(CATEGORIES).order_by(CATEGORIES.c.position, CATEGORIES.c.label)
        return self._run(lambda c: [category_from_row(r) for r in c.execute(stmt)])

    def campaigns(self) -> list[Campaign]:
        stmt = select(CAMPAIGNS).order_by(CAMPAIGNS.c.name, CAMPAIGNS.c.id)
        return self._run(lambda c: [campaign_from_row(r) for r in c.execute(stmt)])

    def collateral(self, search: str = "", campaign_id: str | None = None) -> list[Collateral]:
        return self._run(lambda c: reads.collateral(c, search, campaign_id))

    def collateral_for_lead(self, lead_id: str) -> list[Collateral]:
        return self._run(lambda c: reads.collateral_for_lead(c, lead_id))

    def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        return self._run(lambda c: reads.search(c, text, limit))

    # --- rep actions --------------------------------------------------------------------

    def add_call_note(self, note: CallNote) -> Changes:
        with self._tx() as c:
            return actions.add_call_note(c, note, index_fts=self._fts_live)

    def update_bant(
        self, lead_id: str, answers: Mapping[BantDimension, BantAnswer | None]
    ) -> Changes:
        with self._tx() as c:
            rep_id = c.execute(select(SYNC.c.rep_id)).scalar_one() or ""
            return actions.update_bant(c, lead_id, answers, rep_id)

    def add_objection(self, objection: Objection) -> Changes:
        return self._run(lambda c: actions.add_objection(c, objection))

    def set_disposition(self, disposition: Disposition) -> Changes:
        return self._run(lambda c: actions.set_disposition(c, disposition))

    def record_collateral_use(self, use: CollateralUse) -> Changes:
        return self._run(lambda c: actions.record_collateral_use(c, use))

    def set_followup(self, followup: FollowUp, action: FollowUpAction) -> Changes:
        return self._run(lambda c: actions.set_followup(c, followup, action))

    # --- follow-ups and Today -----------------------------------------------------------

    def followups(self, lead_id: str) -> list[FollowUp]:
        return self._run(lambda c: today.followups(c, lead_id))

    def followup(self, followup_id: str) -> FollowUp | None:
        return self._run(lambda c: today.followup(c, followup_id))

    def followups_to_remind(self, now: datetime) -> list[FollowUp]:
        return self._run(lambda c: today.to_remind(c, now))

    def next_followup_due(self, now: datetime) -> datetime | None:
        return self._run(lambda c: today.next_due(c, now))

    def mark_reminded(self, followup_ids: Sequence[str], at: datetime) -> Changes:
        self._run(lambda c: today.mark_reminded(c, followup_ids, at))
        return Changes()

    def today(self, now: datetime, day_end: datetime, day: str) -> list[TodayItem]:
        return self._run(lambda c: today.today(c, now, day_end, day))

    def skip_today(self, lead_id: str, day: str) -> Changes:
        self._run(lambda c: today.skip_today(c, lead_id, day))
        return Changes(followups=True)

    # --- outbox and conflicts -----------------------------------------------------------

    def pending_mutations(self, limit: int) -> list[OutboxItem]:
        return self._run(lambda c: outbox.pending(c, limit))

    def take_for_push(self, limit: int, *, after_seq: int | None = None) -> list[OutboxItem]:
        return self._run(lambda c: outbox.take_for_push(c, limit, after_seq=after_seq))

    def outbox(self, states: Sequence[OutboxState] = ()) -> list[OutboxItem]:
        return self._run(lambda c: outbox.items(c, states))

    def outbox_counts(self) -> OutboxCounts:
        return self._run(outbox.counts)

    def apply_outcomes(self, outcomes: Sequence[MutationOutcome]) -> Changes:
        return self._run(lambda c: outbox.apply_outcomes(c, outcomes))

    def retry_mutation(self, mutation_id: str) -> Changes:
        return self._run(lambda c: outbox.retry(c, mutation_id))

    def conflicts(self, open_only: bool = True) -> list[Conflict]:
        return self._run(lambda c: outbox.conflicts(c, open_only))

    def resolve_conflict(self, conflict_id: str, keep_mine: bool) -> Changes:
        return self._run(lambda c: outbox.resolve(c, conflict_id, keep_mine))

    # --- sync state ---------------------------------------------------------------------

    def sync_state(self) -> SyncState:
        def read(c: Connection) -> SyncState:
            r = c.execute(select(SYNC).where(SYNC.c.id == _SYNC_ROW)).one()
            session = (
                SessionInfo(r.hub_url, r.rep_id, r.rep_name, r.rep_email, r.hub_id or "")
                if r.hub_url and r.rep_id
                else None
            )
            return SyncState(
                client_id=r.client_id,
                session=session,
                cursor=r.cursor,
                last_sync_at=from_db(r.last_sync_at),
                last_error=r.last_error,
                full_resync_needed=bool(r.full_resync_needed),
                last_hub_url=r.last_hub_url or "",
                last_rep_id=r.last_rep_id or "",
                last_hub_id=r.last_hub_id or "",
                last_rep_email=r.last_rep_email or "",
            )

        return self._run(read)

    def sla_hours(self) -> int | None:
        """Marketing's speed-to-lead SLA (hours from assignment to first call), as the hub
        last said; None when no hub has said (an older hub, or never synced)."""
        return self._run(
            lambda c: c.execute(select(SYNC.c.sla_hours).where(SYNC.c.id == _SYNC_ROW)).scalar()
        )

    def set_sla_hours(self, hours: int | None) -> Changes:
        """Keep what the hub's meta said; a change refreshes the views that count down."""

        def run(c: Connection) -> bool:
            where = SYNC.c.id == _SYNC_ROW
            if c.execute(select(SYNC.c.sla_hours).where(where)).scalar() == hours:
                return False
            c.execute(update(SYNC).where(where).values(sla_hours=hours))
            return True

        return Changes(reference=True) if self._run(run) else Changes()

    def set_session(self, session: SessionInfo | None) -> Changes:
        values = (
            _NO_SESSION
            if session is None
            else {
                "hub_url": session.hub_url,
                "rep_id": session.rep_id,
                "rep_name": session.rep_name,
                "rep_email": session.rep_email,
                # Kept through sign-out (set_session(None) leaves them alone).
                "last_hub_url": session.hub_url,
                "last_rep_id": session.rep_id,
                "hub_id": session.hub_id,
                "last_hub_id": session.hub_id,
                "last_rep_email": session.rep_email,
            }
        )

        def run(c: Connection) -> None:
            c.execute(update(SYNC).where(SYNC.c.id == _SYNC_ROW).values(values))
            recovery.remember(self._data_dir, c)

        self._run(run)
        return Changes(session=True)

    def apply_pull_page(self, changes: Sequence[RemoteChange], cursor: str) -> Changes:
        def apply(c: Connection) -> Changes:
            bulk_cache(c, True)  # until finish_sync: a first sync brings 1M rows
            return pull.apply_page(c, changes, cursor)

        self._conn.info.pop(bulk.EMPTY_LOAD, None)
        kept = self._conn.info.get(bulk.FTS_KEPT)
        try:
            changed = self._run(apply)
        except BaseException:
            # Rolled back: what was indexed is what the last commit indexed.
            self._conn.info.pop(bulk.FTS_KEPT, None)
            if kept is not None:
                self._conn.info[bulk.FTS_KEPT] = kept
            raise
        if self._conn.info.pop(bulk.EMPTY_LOAD, False):
            # A first sync (or a full resync) into an empty cache: its pages, indexes and
            # full-text indexes written once, not into the WAL and again by the
            # checkpoint (L: finish_sync's CPU 5.4 -> 4.1 s); WAL again at finish_sync.
            self._journal(rollback=True)
        return changed

    def _journal(self, *, rollback: bool) -> None:
        with self._lock, mapped_errors(self._path):
            if self._closed or self._conn.in_transaction() or self._rollback_journal == rollback:
                return
            driver = self._conn.connection.driver_connection
            assert driver is not None
            self._rollback_journal = rollback_journal(driver, rollback)

    def begin_full_resync(self, set_aside_unsent: bool = False) -> Changes:
        """`set_aside_unsent`: another rep signs in; their exported work leaves the queue."""

        self._conn.info.pop(bulk.FTS_KEPT, None)  # a load in progress starts again

        def run(c: Connection) -> Changes:
            if set_aside_unsent:
                resync.set_aside_unsent(c)
            return resync.begin_full_resync(c) | Changes(outbox=set_aside_unsent)

        return self._run(run)

    def erase_lead_data(self) -> Changes:
        """Erase every lead and all the rep's work (outbox too) and forget the session; the
        freed pages are then overwritten (VACUUM) and the WAL emptied. For a rep marketing
        disabled: the caller exports the unsent work first (`sync/disabled.py`)."""

        self._conn.info.pop(bulk.FTS_KEPT, None)

        def erase(c: Connection) -> None:
            resync.erase_everything(c)
            c.execute(update(SYNC).where(SYNC.c.id == _SYNC_ROW).values(_NO_SESSION))

        self._run(erase)
        with self._lock, mapped_errors(self._path):
            driver = self._conn.connection.driver_connection
            assert driver is not None
            driver.execute("VACUUM").close()
        self.checkpoint()
        log.warning("erased the local lead data in %s", self._path)
        return LEAD_DATA | Changes(session=True, outbox=True, followups=True)

    def finish_sync(self, error: str = "") -> Changes:
        def finish(c: Connection) -> bool:
            values: dict[str, object] = {"last_error": error}
            if not error:
                values.update(last_sync_at=to_db(utcnow()), full_resync_needed=False)
            if c.execute(select(SYNC.c.fts_stale)).scalar_one():
                bulk.finish_bulk(c)  # indexes, derived columns, FTS: once per bulk sync
                values["fts_stale"] = False
            # Bulk pages paused automatic checkpoints (pull.apply_page): back to SQLite's own.
            c.exec_driver_sql(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT}")
            bulk_cache(c, False)
            c.execute(update(SYNC).where(SYNC.c.id == _SYNC_ROW).values(values))
            return "fts_stale" in values

        rebuilt = self._run(finish)
        if self._rollback_journal:
            self._journal(rollback=False)  # nothing in the WAL to fold back
        elif rebuilt:
            self.checkpoint()
        return Changes(session=True)

    def wanted_collateral(self) -> list[Collateral]:
        return self._run(reads.wanted_collateral)

    # --- bulk path (demo data, benchmarks) --------------------------------------------------

    def bulk_load(
        self, leads: Sequence[Lead], events: Sequence[NurtureEvent], chunk: int = 20_000
    ) -> Changes:
        """Upsert many leads and events without per-row FTS work, then rebuild the indexes."""

        def load(c: Connection) -> Changes:
            bulk_cache(c, True)
            try:
                return bulk.bulk_load(c, leads, events, chunk)
            finally:
                bulk_cache(c, False)

        if self._run(bulk.empty):
            self._journal(rollback=True)  # written once, as a first sync (`apply_pull_page`)
        rollback = self._rollback_journal
        try:
            changes = self._run(load)
        finally:
            self._conn.info.pop(bulk.FTS_KEPT, None)  # one transaction: rebuilt in it
            if rollback:
                self._journal(rollback=False)  # nothing in the WAL to fold back
        if not rollback:
            self.checkpoint()
        return changes

    def checkpoint(self) -> None:
        """Fold the WAL back into the database file (after bulk work it is as big as the data)."""
        with self._lock, mapped_errors(self._path):
            if self._closed or self._conn.in_transaction():
                return
            driver = self._conn.connection.driver_connection
            assert driver is not None
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").close()


def _conforms(store: Store) -> StoreApi:
    """mypy proves here that Store implements every method of the contract."""
    return store


def _ensure_sync_row(conn: Connection) -> None:
    if conn.execute(select(SYNC.c.id).where(SYNC.c.id == _SYNC_ROW)).first() is None:
        conn.execute(insert(SYNC).values(id=_SYNC_ROW, client_id=new_id()))
