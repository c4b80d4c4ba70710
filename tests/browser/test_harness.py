"""The browser harness and the vendored front-end libraries, in a real Chromium.

A tiny site in a temporary folder (served over loopback with the workspace's
Content-Security-Policy) loads the vendored htmx and Chart.js by `<script src>`: both
load, a chart is drawn, an `hx-get` swap works, in light and dark, and the console shows
no CSP violation. The control without htmx's config proves the console watch does see
one.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

import repdesk.hub
from tests.support.browser import (
    WORKSPACE_CSP,
    BrowserSession,
    ColorScheme,
    ConsoleWatch,
    save_screenshot,
    serve_directory,
    watch_console,
)
from tests.support.browser_plugin import NewPage

VENDOR = Path(repdesk.hub.__file__).parent / "workspace" / "static" / "vendor"
HTMX_CONFIG = (
    """<meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false}'>"""
)
BACKGROUND = {"light": "rgb(255, 255, 255)", "dark": "rgb(17, 24, 39)"}

INDEX = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Harness</title>
{htmx_config}
<link rel="icon" href="favicon.svg">
<link rel="stylesheet" href="style.css">
<script src="vendor/htmx.min.js"></script>
<script src="vendor/chart.umd.min.js"></script>
<script src="app.js" defer></script>
</head>
<body>
<h1>Harness: htmx and Chart.js under default-src 'self'</h1>
<div class="chart"><canvas id="chart" width="480" height="240"></canvas></div>
<button id="load" hx-get="fragment.html" hx-target="#target" hx-swap="innerHTML">Load</button>
<div id="target">Not loaded yet</div>
</body>
</html>
"""
STYLE = """
body { font-family: "DejaVu Sans", sans-serif; margin: 24px; background: #ffffff; color: #111827; }
.chart { width: 480px; height: 240px; }
@media (prefers-color-scheme: dark) { body { background: #111827; color: #f9fafb; } }
"""
APP = """
document.addEventListener("DOMContentLoaded", () => {
  const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
  Chart.defaults.color = dark ? "#f9fafb" : "#111827";
  new Chart(document.getElementById("chart"), {
    type: "bar",
    data: {
      labels: ["New", "Nurturing", "Sales-ready", "Accepted"],
      datasets: [{ label: "Leads", data: [42, 27, 13, 8], backgroundColor: "#2563eb" }],
    },
    options: { animation: false, responsive: false },
  });
});
"""
FRAGMENT = '<p id="swapped">Swapped by htmx</p>\n'
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>\n'
)


def build_site(root: Path, *, htmx_config: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(VENDOR, root / "vendor")
    files = {
        "index.html": INDEX.format(htmx_config=HTMX_CONFIG if htmx_config else ""),
        "style.css": STYLE,
        "app.js": APP,
        "fragment.html": FRAGMENT,
        "favicon.svg": FAVICON,
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def painted_pixels(page: Page) -> int:
    return int(
        page.evaluate(
            """() => {
              const canvas = document.getElementById("chart");
              const context = canvas.getContext("2d");
              const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
              let painted = 0;
              for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
              return painted;
            }"""
        )
    )


def exercise(page: Page, base_url: str) -> ConsoleWatch:
    """Load the page, wait for the chart and do one htmx swap; return the console watch."""
    watch = watch_console(page)
    response = page.goto(f"{base_url}/index.html")
    assert response is not None and response.ok
    assert response.headers["content-security-policy"] == WORKSPACE_CSP
    page.wait_for_function("() => window.Chart && Chart.getChart('chart') !== undefined")
    page.get_by_role("button", name="Load").click()
    expect(page.locator("#target #swapped")).to_have_text("Swapped by htmx")
    return watch


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_vendored_htmx_and_chartjs_work_under_the_workspace_csp(
    new_page: NewPage, tmp_path: Path, scheme: ColorScheme
) -> None:
    site = build_site(tmp_path / "site")
    page = new_page(color_scheme=scheme)
    with serve_directory(site, {"Content-Security-Policy": WORKSPACE_CSP}) as base_url:
        watch = exercise(page, base_url)

        assert page.evaluate("() => typeof window.htmx.ajax") == "function"
        assert page.evaluate("() => window.htmx.version") == "2.0.11"
        assert page.evaluate("() => window.Chart.version") == "4.6.2"
        assert page.evaluate("() => Chart.getChart('chart').data.datasets[0].data.length") == 4
        assert painted_pixels(page) > 2000, "the chart canvas is blank"
        assert page.evaluate("() => document.body.textContent").count("Not loaded yet") == 0
        background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert background == BACKGROUND[scheme]

        shot = save_screenshot(page, tmp_path / "shots", f"harness-{scheme}")
        assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert shot.stat().st_size > 5_000

        assert watch.problems() == []


def test_the_console_watch_sees_a_csp_violation(new_page: NewPage, tmp_path: Path) -> None:
    """Control: without `includeIndicatorStyles: false`, htmx 2 inserts an inline
    <style>, which the policy refuses; the same flow as above must report it."""
    site = build_site(tmp_path / "site", htmx_config=False)
    page = new_page()
    with serve_directory(site, {"Content-Security-Policy": WORKSPACE_CSP}) as base_url:
        watch = exercise(page, base_url)
    assert len(watch.csp_violations()) == 1
    assert "inline style" in watch.csp_violations()[0]


def test_the_browser_leaves_no_asyncio_loop_running(browser_session: BrowserSession) -> None:
    """Playwright marks its loop running between sync calls; the session does so only
    while active, so `asyncio.run` (or anyio) in the same thread works after a browser
    test."""
    with browser_session.active() as browser:
        context = browser.new_context()
        context.close()
        assert asyncio.get_running_loop() is not None
    with pytest.raises(RuntimeError, match="no running event loop"):
        asyncio.get_running_loop()
    assert asyncio.run(asyncio.sleep(0, result="ran")) == "ran"


def test_qt_and_the_browser_share_a_test(qtbot: QtBot, new_page: NewPage) -> None:
    label = QLabel("Qt")
    qtbot.addWidget(label)
    page = new_page()
    page.set_content("<p id='p'>Chromium</p>")
    expect(page.locator("#p")).to_have_text("Chromium")
    assert label.text() == "Qt"
