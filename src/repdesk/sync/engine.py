"""The sync engine: sign in/out, then push the outbox, pull changes, fetch collateral."""

from __future__ import annotations

import dataclasses
import gc
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from repdesk import __version__
from repdesk.domain.changes import Changes
from repdesk.domain.errors import (
    AccountDisabledError,
    AuthError,
    ClientTooOldError,
    CollateralError,
    Interrupted,
    RepdeskError,
    ValidationError,
)
from repdesk.domain.ids import ensure_utc, utcnow
from repdesk.protocol.schema import (
    MAX_PULL_LIMIT,
    MAX_PUSH_BATCH,
    MetaResponse,
)
from repdesk.store.api import RemoteChange, SessionInfo, StoreApi, SyncState
from repdesk.sync.api import SyncApi
from repdesk.sync.collateral import DEFAULT_MAX_BYTES, CollateralCache
from repdesk.sync.credentials import Credentials
from repdesk.sync.disabled import erase_for_disabled_rep
from repdesk.sync.export import UNSENT_STATES, export_pending
from repdesk.sync.http import CursorExpired, HubClient, normalize_hub_url, plain_text
from repdesk.sync.page_feed import Fetched, InlineFeed, PageFeed
from repdesk.sync.pages import PageHead, decode_head, decode_page, remote_changes
from repdesk.sync.progress import Cancel, CancelSource, Phase, ProgressCallback, SyncProgress
from repdesk.sync.push import push_outbox
from repdesk.sync.results import (
    LoginResult,
    SetAside,
    SetAsideReason,
    SyncReport,
    UnsentWorkError,
)
from repdesk.sync.retry import RetryPolicy
from repdesk.sync.tls import ca_key

log = logging.getLogger(__name__)

ClientFactory = Callable[[str, str | None], HubClient]
MAX_CLOCK_SKEW = timedelta(minutes=5)
PULL_AHEAD = 8
"""Pull pages fetched ahead of the store at most (`sync/page_feed.py`)."""
PULL_BATCH_CHANGES = 8 * MAX_PULL_LIMIT
"""Fetched pages waiting for the store are written in one transaction up to this size."""
NOT_SIGNED_IN = "You are not signed in to a hub. Sign in to send your work and get updates."
HUB_CHANGED = (
    "The hub at {url} is not the hub you signed in to (it was replaced, or the address now "
    "leads elsewhere), so nothing was sent. Sign in again; your unsent work is kept."
)


def default_client(base_url: str, token: str | None) -> HubClient:
    return HubClient(base_url, token)


def client_with_ca(ca_file: Callable[[], str]) -> ClientFactory:
    """Clients that also trust the hub's CA file, read at each connection (so a file the
    rep just chose in Settings is used by the next sync, with no restart)."""

    def make(base_url: str, token: str | None) -> HubClient:
        return HubClient(base_url, token, ca_file=ca_file() or None)

    return make


def _no_client_key() -> object:
    return None


@dataclass(slots=True)
class _Run:
    """What one sync carries between its phases."""

    client: HubClient
    retry: RetryPolicy
    report: SyncReport
    progress: ProgressCallback
    cancel: Cancel


def same_hub(url_a: str, id_a: str, url_b: str, id_b: str) -> bool:
    """Whether two sign-ins are to the same hub: by hub id when both hubs sent one (the
    address may change), else by address (a hub from before hub ids)."""
    if id_a and id_b:
        return id_a == id_b
    return bool(url_a) and url_a == url_b


def _last_identity(state: SyncState) -> tuple[str, str, str]:
    """(hub url, hub id, rep id) of the session, or of the last one after sign-out."""
    if state.session is not None:
        return state.session.hub_url, state.session.hub_id, state.session.rep_id
    return state.last_hub_url, state.last_hub_id, state.last_rep_id


def _version_tuple(text: str) -> tuple[int, ...] | None:
    parts = [re.match(r"\d+", p) for p in text.strip().split(".")]
    if not parts or any(m is None for m in parts):
        return None
    return tuple(int(m.group()) for m in parts if m is not None)


@contextmanager
def _gc_back_on(enabled: bool) -> Iterator[None]:
    """Turns the garbage collector back on at the end if it was on before."""
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class SyncEngine:
    """One hub, one store. `sync()` is safe to call from a worker thread; one at a time."""

    def __init__(
        self,
        store: StoreApi,
        credentials: Credentials,
        cache: CollateralCache,
        client_factory: ClientFactory = default_client,
        *,
        retry: RetryPolicy | None = None,
        client_version: str = __version__,
        now: Callable[[], datetime] = utcnow,
        pull_limit: int = MAX_PULL_LIMIT,
        push_batch: int = MAX_PUSH_BATCH,
        pull_batch: int = PULL_BATCH_CHANGES,
        prefetch: bool = True,
        client_key: Callable[[], object] = _no_client_key,
    ) -> None:
        self.store = store
        self.credentials = credentials
        self.cache = cache
        self.client_factory = client_factory
        self.retry = retry or RetryPolicy()
        self.client_version = client_version
        self.now = now
        # The largest page the protocol allows: measured ~25% faster than 1000 on the first
        # sync (fewer round trips and transactions); a page still applies in about a second.
        self.pull_limit = pull_limit
        self.push_batch = min(push_batch, MAX_PUSH_BATCH)
        # Pull pages already fetched are written together up to this many changes (a
        # first sync waits for that many: `PageFeed.take`); at least one page a time.
        self.pull_batch = pull_batch
        self.prefetch = prefetch
        """Fetch the next pull page while the store applies this one."""
        self.progress = SyncProgress()
        self._running = threading.Lock()
        self.client_key = client_key
        """What else the factory's clients depend on (the CA file's version): when it
        changes, the next sync builds a new client."""
        self._client: HubClient | None = None
        self._client_for: tuple[str, str, object] | None = None
        self._client_lock = threading.Lock()

    # -- session --------------------------------------------------------------------------

    @property
    def signed_in(self) -> bool:
        session = self.store.sync_state().session
        return session is not None and bool(
            self.credentials.load(session.hub_url, session.rep_email)
        )

    @property
    def token_note(self) -> str:
        return self.credentials.message

    def login(self, hub_url: str, email: str, password: str) -> LoginResult:
        """Check the hub (version, clock), sign in, keep the token, remember the session.

        The hub is recognised by its id, not its address: the same hub at a new address
        (the demo's new port, a new proxy name) keeps this rep's queue and local copy, and
        the session moves to the new address. Another rep or another hub sets the queue
        aside to a file (`LoginResult.set_aside`) and starts afresh.
        """
        try:
            url = normalize_hub_url(hub_url)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        with self.client_factory(url, None) as client:
            meta = self.retry.call(client.meta, "meta")
            warnings = list(self._check_meta(meta))
            no_wait_on_429 = dataclasses.replace(self.retry, retry_rate_limited=False)
            try:
                resp = no_wait_on_429.call(lambda: client.login(email.strip(), password), "sign-in")
            except AccountDisabledError as exc:
                if _holds_data_of(self.store.sync_state(), url, email):
                    raise erase_for_disabled_rep(self.store, self.credentials, exc) from exc
                raise
        hub_id = resp.hub_id or meta.hub_id or ""
        session = SessionInfo(url, resp.rep.id, resp.rep.name, resp.rep.email, hub_id)
        previous = self.store.sync_state()
        last_url, last_hub_id, last_rep = _last_identity(previous)
        set_aside = None
        if not same_hub(last_url, last_hub_id, url, hub_id):
            set_aside = self._hand_over(previous, SetAsideReason.ANOTHER_HUB)
        elif last_rep != session.rep_id:
            set_aside = self._hand_over(previous, SetAsideReason.ANOTHER_REP)
        if set_aside is not None:
            warnings.append(set_aside.text())
        old = previous.session
        if old is not None and (old.hub_url, old.rep_email) != (url, session.rep_email):
            self.credentials.delete(old.hub_url, old.rep_email)  # that session is replaced
        self.credentials.save(url, session.rep_email, resp.token)
        if self.credentials.message:
            warnings.append(self.credentials.message)
        self.store.set_session(session)
        if last_url and last_url != url and set_aside is None:
            log.info("hub %s moved from %s to %s; the queue is kept", hub_id, last_url, url)
        log.info("signed in to %s as %s", url, session.rep_id)
        return LoginResult(session, tuple(warnings), set_aside)

    def _hand_over(self, previous: SyncState, reason: SetAsideReason) -> SetAside | None:
        """A different rep, or another hub, signs in on this data folder.

        The local copy is someone else's: drop it now, so this rep never sees it, and fetch
        everything afresh (the same rep signing in again keeps their list, offline too). The
        previous unsent work is first saved to a file, then taken off the queue: it must
        never be pushed under this sign-in, and it is never thrown away.
        """
        counts = self.store.outbox_counts()
        unsent = counts.pending + counts.rejected + counts.conflicts
        if previous.cursor is None and not unsent:
            return None
        last_url, _hub_id, last_rep = _last_identity(previous)
        set_aside = None
        if unsent:
            kinds = Counter(i.kind.value for i in self.store.outbox(UNSENT_STATES))
            stamp = utcnow().strftime("%Y%m%d-%H%M%S")
            who = re.sub(r"[^A-Za-z0-9_-]", "", last_rep)[:40] or "previous-user"
            path = self.store.path.parent / "set-aside" / f"unsent-{who}-{stamp}.json"
            saved = export_pending(self.store, path)
            set_aside = SetAside(
                path=path,
                count=saved,
                kinds=tuple(kinds.items()),
                reason=reason,
                previous_rep=(
                    previous.session.rep_email
                    if previous.session
                    else previous.last_rep_email or last_rep
                ),
                previous_hub=last_url,
            )
            log.warning(
                "set aside %d unsent item(s) of rep %s (%s) in %s", saved, last_rep, reason, path
            )
        log.info("new sign-in on a used data folder (%s): full resync at the next sync", reason)
        self.store.begin_full_resync(set_aside_unsent=bool(unsent))
        return set_aside

    def _same_hub_as_session(self, session: SessionInfo, hub_id: str | None) -> Changes:
        """Sync only with the hub the rep signed in to, whatever answers at its address.

        A session from before hub ids learns the id here; a hub that sends none is known
        by its address alone.
        """
        if not hub_id:
            return Changes()
        if not session.hub_id:
            return self.store.set_session(dataclasses.replace(session, hub_id=hub_id))
        if hub_id != session.hub_id:
            raise AuthError(HUB_CHANGED.format(url=plain_text(session.hub_url, 200)))
        return Changes()

    def logout(self, force: bool = False) -> Changes:
        """Revoke the token and forget the session; refused while work is unsent."""
        counts = self.store.outbox_counts()
        unsent = counts.pending + counts.rejected + counts.conflicts
        if unsent and not force:
            raise UnsentWorkError.of(counts)
        self.close()
        session = self.store.sync_state().session
        if session is not None:
            token = self.credentials.load(session.hub_url, session.rep_email)
            if token:
                try:
                    with self.client_factory(session.hub_url, token) as client:
                        client.logout()
                except RepdeskError as exc:
                    # The token is forgotten locally either way; the hub expires it later.
                    log.warning("could not revoke the token on the hub: %s", exc)
            self.credentials.delete(session.hub_url, session.rep_email)
        return self.store.set_session(None)

    def open_client(self) -> HubClient:
        """A client signed in as the session's rep (for updates); AuthError when there is
        no session or no token at hand. The caller closes it."""
        session = self.store.sync_state().session
        token = session and self.credentials.load(session.hub_url, session.rep_email)
        if session is None or not token:
            raise AuthError(NOT_SIGNED_IN)
        return self.client_factory(session.hub_url, token)

    def _check_meta(self, meta: MetaResponse) -> list[str]:
        mine, needed = _version_tuple(self.client_version), _version_tuple(meta.min_client_version)
        if mine is not None and needed is not None and mine < needed:
            raise ClientTooOldError(
                f"This repdesk ({self.client_version}) is too old for your hub, which needs "
                f"{plain_text(meta.min_client_version, 40)} or newer. Install the latest "
                "version; your unsent work is kept."
            )
        skew = ensure_utc(meta.server_time) - self.now()
        if abs(skew) > MAX_CLOCK_SKEW:
            minutes = round(abs(skew).total_seconds() / 60)
            return [
                f"Your computer's clock is about {minutes} minutes "
                f"{'behind' if skew > timedelta(0) else 'ahead of'} the hub's. Times on your "
                "notes may look wrong: set the clock automatically in your system settings."
            ]
        return []

    # -- sync -----------------------------------------------------------------------------

    def sync(
        self, progress: ProgressCallback | None = None, cancel: CancelSource = None
    ) -> SyncReport:
        """Push, pull, fetch collateral. Raises AuthError, NetworkError, Interrupted, ..."""
        if not self._running.acquire(blocking=False):
            raise RepdeskError("A sync is already running.")
        try:
            return self._sync(progress, Cancel(cancel))
        finally:
            self._running.release()

    def _sync(self, callback: ProgressCallback | None, cancel: Cancel) -> SyncReport:
        def report_progress(phase: str, done: int, total: int) -> None:
            self.progress(phase, done, total)
            if callback is not None:
                callback(phase, done, total)

        report = SyncReport()
        error = ""
        session: SessionInfo | None = None
        try:
            state = self.store.sync_state()
            session = state.session
            token = session and self.credentials.load(session.hub_url, session.rep_email)
            if session is None or not token:
                raise AuthError(NOT_SIGNED_IN)
            retry = self._retry_for(cancel)
            client = self._client_of(session.hub_url, token)
            try:
                run = _Run(client, retry, report, report_progress, cancel)
                report_progress(Phase.CONNECT, 0, 0)
                meta = retry.call(client.meta, "meta")
                report.warnings += self._check_meta(meta)
                report.changes = report.changes | self._same_hub_as_session(session, meta.hub_id)
                report.changes = report.changes | self.store.set_sla_hours(meta.sla_hours)
                self._push(run, state.client_id)
                self._pull(run)
                self._fetch_collateral(run)
            except BaseException:
                self.close()  # a failed sync starts the next one on fresh connections
                raise
            report_progress(Phase.DONE, 1, 1)
        except AccountDisabledError as exc:
            # Marketing disabled this rep: unsent work to a file, then the cache is erased.
            erased = erase_for_disabled_rep(self.store, self.credentials, exc)
            error = str(erased)
            raise erased from exc
        except AuthError as exc:
            # The token is dead: forget it so the app asks to sign in; all local data stays.
            if session is not None:
                self.credentials.delete(session.hub_url, session.rep_email)
            error = str(exc)
            raise
        except RepdeskError as exc:  # Interrupted included: recorded, shown quietly
            error = str(exc)
            raise
        except Exception:
            error = "Sync failed unexpectedly; your work is kept. Details are in the log."
            log.exception("sync failed")
            raise
        finally:
            report.changes = report.changes | self.store.finish_sync(error)
        log.info("sync done: %s", report)
        return report

    def _client_of(self, hub_url: str, token: str) -> HubClient:
        """The client kept across syncs (its TLS context and open connection reused: a
        sync with nothing new is then a few small requests); a new one when the hub, the
        token or the CA file changed."""
        key = (hub_url, token, self.client_key())
        with self._client_lock:
            if self._client is not None and self._client_for == key:
                return self._client
            old, self._client, self._client_for = self._client, None, None
            if old is not None:
                old.close()
            self._client = self.client_factory(hub_url, token)
            self._client_for = key
            return self._client

    def close(self) -> None:
        """Close the kept HTTP client (its connections); the next sync opens a new one."""
        with self._client_lock:
            old, self._client, self._client_for = self._client, None, None
        if old is not None:
            old.close()

    def _retry_for(self, cancel: Cancel) -> RetryPolicy:
        if self.retry.sleep is time.sleep:
            return dataclasses.replace(self.retry, sleep=cancel.sleep)
        injected = self.retry.sleep

        def sleep(seconds: float) -> None:
            cancel.check()
            injected(seconds)
            cancel.check()

        return dataclasses.replace(self.retry, sleep=sleep)

    def _push(self, run: _Run, client_id: str) -> None:
        push_outbox(
            self.store,
            client=run.client,
            retry=run.retry,
            report=run.report,
            progress=run.progress,
            cancel=run.cancel,
            client_id=client_id,
            size=self.push_batch,
        )

    def _pull(self, run: _Run) -> None:
        """Pages in order; the next ones are fetched on a helper thread while this one
        decodes and writes the current one, so the hub's work and the local work overlap,
        and pages already fetched are applied together in one transaction
        (`sync/page_feed.py`). Pages are applied only after every page before them, with
        the last one's cursor, so a failure at any point leaves a consistent cursor."""
        client, retry, report = run.client, run.retry, run.report
        progress, cancel = run.progress, run.cancel
        state = self.store.sync_state()
        cursor = None if state.full_resync_needed else state.cursor
        phase = Phase.RESYNC if cursor is None and state.full_resync_needed else Phase.PULL
        restarted = False

        abandon = threading.Event()

        def check_abandoned() -> None:
            if abandon.is_set():
                raise Interrupted("pull abandoned")

        def pause(seconds: float) -> None:
            # A prefetch nobody will read (the sync failed meanwhile) stops backing off.
            check_abandoned()
            retry.sleep(seconds)
            check_abandoned()

        fetch_retry = dataclasses.replace(retry, sleep=pause)

        def fetch(after: str | None) -> tuple[PageHead, bytes]:
            body = fetch_retry.call(lambda: client.pull_body(after, self.pull_limit), "pull")
            return decode_head(body), body

        def feed_from(after: str | None) -> PageFeed | InlineFeed:
            if self.prefetch:
                return PageFeed(fetch, after, depth=PULL_AHEAD)
            return InlineFeed(fetch, after)

        # No garbage collection while pages are decoded and applied: a page makes hundreds of
        # thousands of small objects without cycles, and the collector walking them again
        # and again cost a third of the client's CPU on a first sync (gc.disable is
        # process-wide; the state it had is restored whatever happens).
        collecting = gc.isenabled()
        gc.disable()
        feed = feed_from(cursor)
        # Pages already fetched are written together, up to this many changes at once; a
        # pull from no cursor (a first sync, a full resync) waits for that many
        # (`PageFeed.take`'s `gather`).
        most = max(self.pull_limit, self.pull_batch)
        gather = most if cursor is None else 0
        try:
            with _gc_back_on(collecting):
                while True:
                    cancel.check()
                    progress(phase, report.pulled, 0)
                    try:
                        taken = feed.take(most, gather, cancel.is_set)
                    except CursorExpired:
                        if restarted:
                            raise
                        log.info("cursor expired: full resync (the outbox is kept)")
                        report.changes = report.changes | self.store.begin_full_resync()
                        report.full_resync = True
                        cursor, restarted, phase, gather = None, True, Phase.RESYNC, most
                        feed.close()
                        feed = feed_from(None)
                        continue
                    if taken[-1].stuck:
                        log.warning("hub said has_more without progress; stopping this pull")
                    self._apply_pages(taken, report)
                    cursor = taken[-1].page.cursor
                    if taken[-1].last:
                        break
        finally:
            abandon.set()
            feed.close()
        progress(phase, report.pulled, report.pulled)

    def _apply_pages(self, taken: list[Fetched], report: SyncReport) -> None:
        """Decode pages taken together and write them in one transaction, with the last
        one's cursor. A page that cannot be read stops there: the pages before it are
        written first (with the cursor of the last of them), as when each page was decoded
        on the feed's thread and its error came out of the feed in its place."""
        remote: list[RemoteChange] = []
        for n, item in enumerate(taken):
            try:
                remote.extend(remote_changes(decode_page(item.body)))
            except Exception:
                if n:
                    self._write_pages(taken[:n], remote, report)
                raise
        self._write_pages(taken, remote, report)

    def _write_pages(
        self, pages: list[Fetched], remote: list[RemoteChange], report: SyncReport
    ) -> None:
        report.changes = report.changes | self.store.apply_pull_page(remote, pages[-1].page.cursor)
        report.pulled += sum(len(item.page.changes) for item in pages)

    def _fetch_collateral(self, run: _Run) -> None:
        client, retry, report = run.client, run.retry, run.report
        progress, cancel = run.progress, run.cancel
        wanted = self.store.wanted_collateral()
        keep = {c.sha256 for c in wanted}
        missing = [c for c in wanted if not self.cache.has(c.sha256)]
        for done, item in enumerate(missing):
            cancel.check()
            progress(Phase.COLLATERAL, done, len(missing))
            try:
                retry.call(
                    lambda i=item: self.cache.fetch(client, i, keep=keep),  # type: ignore[misc]
                    "collateral download",
                )
            except CollateralError as exc:
                # One bad file never blocks the others; it is tried again next sync.
                log.warning("collateral %s: %s", item.id, exc)
                report.collateral_failed.append(item.id)
                continue
            report.downloaded += 1
        if missing:
            progress(Phase.COLLATERAL, len(missing), len(missing))
            report.changes = report.changes | Changes(collateral=True)
        self.cache.evict(keep)


def _holds_data_of(state: SyncState, url: str, email: str) -> bool:
    """True when this cache holds the leads of `email` on the hub at `url`."""
    who = state.session.rep_email if state.session else state.last_rep_email
    where = state.session.hub_url if state.session else state.last_hub_url
    return bool(who) and who.strip().lower() == email.strip().lower() and where == url


def make_engine(
    store: StoreApi,
    cache_dir: Path,
    *,
    max_cache_bytes: int = DEFAULT_MAX_BYTES,
    ca_file: Callable[[], str] = str,
) -> SyncEngine:
    """The engine as the app wires it: OS keyring, a cache under `cache_dir`, real HTTP
    verified against the OS trust store and the hub's CA file (`ca_file()`, "" for none)."""
    cache = CollateralCache(cache_dir, max_cache_bytes)
    return SyncEngine(
        store,
        Credentials(),
        cache,
        client_with_ca(ca_file),
        client_key=lambda: ca_key(ca_file() or None),
    )


__all__ = [
    "ClientFactory",
    "LoginResult",
    "SyncEngine",
    "SyncReport",
    "UnsentWorkError",
    "client_with_ca",
    "default_client",
    "make_engine",
]


def _satisfies_sync_api(engine: SyncEngine) -> SyncApi:
    """mypy checks here that the engine is what the GUI codes against."""
    return engine
