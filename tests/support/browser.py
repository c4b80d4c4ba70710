"""Real-browser test support: Debian's Chromium driven by Playwright's sync API.

No browser is ever downloaded: Playwright launches the distribution's Chromium
(`/usr/bin/chromium`, or `$REPDESK_CHROMIUM`). Where it cannot start, browser tests skip
with the reason, unless `REPDESK_REQUIRE_BROWSER=1` (CI sets it), where they fail.

The pytest side (fixtures, `--workspace-screenshots`) is `tests/support/browser_plugin.py`.
"""

from __future__ import annotations

import asyncio
import functools
import http.server
import os
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Error, Page, Playwright

ColorScheme = Literal["light", "dark"]

DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)
REQUIRE_ENV = "REPDESK_REQUIRE_BROWSER"
CHROMIUM_ENV = "REPDESK_CHROMIUM"

WORKSPACE_CSP = "default-src 'self'"
"""The Content-Security-Policy the workspace's pages are served with."""

VIEWPORT = {"width": 1280, "height": 800}


def browser_required() -> bool:
    """True where a missing browser is a failure, not a skip (CI)."""
    return os.environ.get(REQUIRE_ENV) == "1"


def chromium_executable() -> Path:
    return Path(os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM)


class BrowserUnavailable(RuntimeError):
    """Chromium or Playwright's driver cannot start here; the message says why."""


class BrowserSession:
    """One Playwright driver and one Chromium for a whole test session.

    Playwright's sync API marks its asyncio loop as the thread's *running* loop between
    calls (see playwright's `wait_for_future`). Left like that, any later code in the
    test thread that starts a loop of its own (`asyncio.run`, anyio, ...) fails with
    "cannot be called from a running event loop". So the session is *active* (its loop
    marked running) only while a test uses it: `active()` marks it on entry and clears
    it on exit, and the plugin wraps every browser test in it.
    """

    def __init__(
        self, playwright: Playwright, browser: Browser, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.playwright = playwright
        self.browser = browser
        self._loop = loop

    @classmethod
    def launch(cls, executable: Path | None = None) -> BrowserSession:
        """Start Playwright's driver and Chromium, or raise BrowserUnavailable."""
        executable = executable or chromium_executable()
        if not executable.exists():
            raise BrowserUnavailable(
                f"no Chromium at {executable} (apt-get install chromium; or set {CHROMIUM_ENV})"
            )
        if _running_loop() is not None:
            raise BrowserUnavailable(
                "an asyncio loop is running in the test thread; Playwright's sync API needs none"
            )
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:  # pragma: no cover - the lock installs it
            raise BrowserUnavailable(f"Playwright is not installed: {exc}") from exc
        try:
            playwright = sync_playwright().start()
        except Exception as exc:
            _set_running_loop(None)
            raise BrowserUnavailable(f"Playwright's driver did not start: {exc}") from exc
        try:
            browser = playwright.chromium.launch(
                executable_path=str(executable), args=list(CHROMIUM_ARGS), headless=True
            )
        except Exception as exc:
            playwright.stop()
            _set_running_loop(None)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            raise BrowserUnavailable(f"Chromium at {executable} did not start: {first}") from exc
        loop = _running_loop()  # Playwright's: every sync call leaves it marked running
        if loop is None:  # pragma: no cover - a change in Playwright's internals
            playwright.stop()
            raise BrowserUnavailable("Playwright's sync API left no loop marked running")
        session = cls(playwright, browser, loop)
        session.deactivate()
        return session

    def activate(self) -> None:
        current = _running_loop()
        if current is not None and current is not self._loop:
            raise RuntimeError("another asyncio loop is running in the test thread")
        _set_running_loop(self._loop)

    def deactivate(self) -> None:
        if _running_loop() is self._loop:
            _set_running_loop(None)

    @contextmanager
    def active(self) -> Iterator[Browser]:
        self.activate()
        try:
            yield self.browser
        finally:
            self.deactivate()

    def close(self) -> None:
        with self.active():
            self.browser.close()
            self.playwright.stop()  # closes the loop; the running mark goes with it


def _running_loop() -> asyncio.AbstractEventLoop | None:
    return asyncio._get_running_loop()


def _set_running_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    asyncio._set_running_loop(loop)


def open_page(
    browser: Browser, *, color_scheme: ColorScheme = "light", **context_options: Any
) -> Page:
    """A page in a fresh browser context (own cookies and storage); closing the page's
    context (`page.context.close()`) frees it. The plugin's `new_page` fixture closes it."""
    options: dict[str, Any] = {"viewport": VIEWPORT, "color_scheme": color_scheme}
    options.update(context_options)
    context = browser.new_context(**options)
    return context.new_page()


SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def save_screenshot(page: Page, folder: Path, name: str, *, full_page: bool = True) -> Path:
    """Write `page` as `folder/name.png` (folder created) and return the path."""
    if not SAFE_NAME.match(name):
        raise ValueError(f"screenshot name {name!r}: letters, digits, '.', '_' and '-' only")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


@dataclass
class ConsoleWatch:
    """What a page said on its console (errors and warnings, CSP violations among them:
    Chromium reports those as console errors) and the exceptions its scripts raised."""

    messages: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [*self.messages, *self.page_errors]

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m]


def watch_console(page: Page) -> ConsoleWatch:
    """Start recording `page`'s console errors / warnings and uncaught errors. Call it
    before `page.goto` so nothing said during loading is missed."""
    watch = ConsoleWatch()

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            watch.messages.append(f"{message.type}: {message.text}")

    def on_error(error: Error) -> None:
        watch.page_errors.append(f"pageerror: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_error)
    return watch


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extra_headers: Mapping[str, str] = {}

    def end_headers(self) -> None:
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_directory(root: Path, headers: Mapping[str, str] | None = None) -> Iterator[str]:
    """Serve `root` over HTTP on 127.0.0.1 (a free port) in a thread, adding `headers` to
    every response; yields the base URL (no trailing slash)."""
    handler_class = type("_Handler", (_QuietHandler,), {"extra_headers": dict(headers or {})})
    handler = functools.partial(handler_class, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="browser-test-http", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


__all__ = [
    "CHROMIUM_ARGS",
    "WORKSPACE_CSP",
    "BrowserSession",
    "BrowserUnavailable",
    "ColorScheme",
    "ConsoleWatch",
    "browser_required",
    "chromium_executable",
    "open_page",
    "save_screenshot",
    "serve_directory",
    "watch_console",
]
