"""`EmbeddedHub`: the hub served by uvicorn in a background thread on 127.0.0.1.

Used by the desktop app's demo mode and by the sync tests:

    with EmbeddedHub(HubConfig.resolve(tmp_path / "hub")) as base_url:
        httpx.get(f"{base_url}/v1/sync/meta")
"""

from __future__ import annotations

import asyncio
import logging
import threading
from types import TracebackType

import uvicorn

from repdesk.hub.api.state import HubState
from repdesk.hub.app import create_app
from repdesk.hub.config import HubConfig
from repdesk.hub.serving import uvicorn_config

log = logging.getLogger(__name__)

START_TIMEOUT = 30.0


class _Server(uvicorn.Server):
    """uvicorn's server that signals an event once its sockets accept connections."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[object] | None = None) -> None:  # type: ignore[override]
        try:
            await super().startup(sockets=sockets)  # type: ignore[arg-type]
        finally:
            self.ready.set()


class EmbeddedHub:
    def __init__(
        self,
        config: HubConfig,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        forwarded_allow_ips: str | None = None,
        tls: tuple[str, str] | None = None,
    ) -> None:
        self.config = config
        self.tls = tls
        """(certificate chain PEM, private key PEM) to serve https; None: plain http."""
        self.forwarded_allow_ips = forwarded_allow_ips
        """Proxy addresses whose X-Forwarded-For is believed; None: none (the default)."""
        self.host = host
        self.port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.base_url = ""
        self._state: HubState | None = None

    @property
    def state(self) -> HubState:
        """The running app's config, database and file store (for seeding and tests)."""
        if self._state is None:
            raise RuntimeError("the embedded hub is not started")
        return self._state

    def start(self) -> str:
        """Start serving; returns the base URL once the server accepts connections."""
        if self._server is not None:
            return self.base_url
        app = create_app(self.config)
        self._state = app.state.hub
        server = _Server(
            uvicorn_config(
                app,
                self.host,
                self.port,
                forwarded_allow_ips=self.forwarded_allow_ips,
                log_config=None,  # keep the host application's logging set-up
                access_log=False,
                lifespan="on",
                timeout_graceful_shutdown=5,
                ssl_certfile=self.tls[0] if self.tls else None,
                ssl_keyfile=self.tls[1] if self.tls else None,
            )
        )
        self._server = server
        self._thread = threading.Thread(target=self._run, name="repdesk-hub", daemon=True)
        self._thread.start()
        if not server.ready.wait(START_TIMEOUT) or not server.started:
            self.stop()
            self.state.db.dispose()  # the app's shutdown never ran
            self._state = None
            raise RuntimeError(f"the embedded hub did not start: {self._error!r}")
        sock = server.servers[0].sockets[0]
        self.port = int(sock.getsockname()[1])
        scheme = "https" if self.tls else "http"
        self.base_url = f"{scheme}://{self.host}:{self.port}"
        log.info("embedded hub serving at %s", self.base_url)
        return self.base_url

    def _run(self) -> None:
        assert self._server is not None
        try:
            asyncio.run(self._server.serve())
        except BaseException as exc:  # SystemExit on start-up failure included
            self._error = exc
            log.exception("embedded hub stopped with an error")
        finally:
            self._server.ready.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish in-flight requests, close the sockets and join the thread."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.should_exit = True
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout)
        self._server = None
        self._thread = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


__all__ = ["EmbeddedHub"]
