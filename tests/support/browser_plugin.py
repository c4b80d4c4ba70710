"""pytest fixtures for real-browser tests (registered by tests/conftest.py).

    def test_page(new_page, screenshot):
        page = new_page(color_scheme="dark")      # a fresh context per call
        page.goto(url)
        screenshot(page, "leads-dark")            # -> <screenshot dir>/leads-dark.png

- `browser_session` (session): one Playwright driver + one Chromium for the whole run,
  started by the first test that asks for it. Without Chromium (or when the driver cannot
  start) every browser test skips with the reason; with REPDESK_REQUIRE_BROWSER=1 each
  fails instead.
- `chromium` (per test): that session's `Browser`, with Playwright's asyncio loop marked
  running only for the test (see `BrowserSession`), so Qt, anyio or `asyncio.run` in
  other tests of the same run are unaffected.
- `new_page(color_scheme="light", **context_options)` (per test): a page in a fresh
  context; every context it made is closed after the test.
- `screenshot(page, name)` (per test): saves `name.png` into the screenshot folder: a
  temporary folder, or DIR with `--workspace-screenshots DIR` (how the committed
  pictures are refreshed: `./dev test tests/browser --workspace-screenshots
  docs/screenshots/workspace`).

Tests that use these get the `browser` marker (`-m "not browser"` leaves them out).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest

from tests.support.browser import (
    BrowserSession,
    BrowserUnavailable,
    ColorScheme,
    browser_required,
    open_page,
    save_screenshot,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

SCREENSHOTS_OPTION = "--workspace-screenshots"
_LAUNCH_SECONDS = pytest.StashKey[tuple[str, float]]()


class NewPage(Protocol):
    def __call__(self, color_scheme: ColorScheme = "light", **context_options: Any) -> Page: ...


Screenshot = Callable[["Page", str], Path]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        SCREENSHOTS_OPTION,
        metavar="DIR",
        default=None,
        help="browser tests save their screenshots into DIR (default: a temporary folder)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: drives a real Chromium (skips without one, fails instead when "
        "REPDESK_REQUIRE_BROWSER=1)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "browser_session" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    launched = config.stash.get(_LAUNCH_SECONDS, None)
    if launched is not None:
        version, seconds = launched
        terminalreporter.write_line(f"browser: Chromium {version} started in {seconds:.2f} s")


@pytest.fixture(scope="session")
def browser_session(pytestconfig: pytest.Config) -> Iterator[BrowserSession]:
    started = time.perf_counter()
    try:
        session = BrowserSession.launch()
    except BrowserUnavailable as exc:
        reason = f"no browser: {exc}"
        if browser_required():
            pytest.fail(f"{reason} (REPDESK_REQUIRE_BROWSER=1 makes this a failure)", False)
        pytest.skip(f"{reason} (set REPDESK_REQUIRE_BROWSER=1 to fail instead)")
    pytestconfig.stash[_LAUNCH_SECONDS] = (
        session.browser.version,
        time.perf_counter() - started,
    )
    yield session
    session.close()


@pytest.fixture
def chromium(browser_session: BrowserSession) -> Iterator[Browser]:
    with browser_session.active() as browser:
        yield browser


@pytest.fixture
def new_page(chromium: Browser) -> Iterator[NewPage]:
    contexts: list[BrowserContext] = []

    def make(color_scheme: ColorScheme = "light", **context_options: Any) -> Page:
        page = open_page(chromium, color_scheme=color_scheme, **context_options)
        contexts.append(page.context)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen: str | None = pytestconfig.getoption(SCREENSHOTS_OPTION)
    if chosen is None:
        return tmp_path_factory.mktemp("screenshots")
    folder = pytestconfig.invocation_params.dir / chosen
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def screenshot(screenshot_dir: Path) -> Screenshot:
    def take(page: Page, name: str) -> Path:
        return save_screenshot(page, screenshot_dir, name)

    return take
