"""`screenshot(page, name)` writes into a temporary folder, or into DIR with
`--workspace-screenshots DIR` (relative to where pytest was started). An inner pytest run
with a stand-in page: no browser needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import save_screenshot

INNER_TEST = """
from pathlib import Path


class FakePage:
    def screenshot(self, path, full_page, animations):
        Path(path).write_bytes(b"png")


def test_shot(screenshot, screenshot_dir):
    path = screenshot(FakePage(), "leads-dark")
    assert path == screenshot_dir / "leads-dark.png"
    assert path.read_bytes() == b"png"
    Path("shot-path.txt").write_text(str(path))
"""


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str) -> Path:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # only the plugin under test
    pytester.makepyfile(test_inner=INNER_TEST)
    result = pytester.runpytest_inprocess("-p", "tests.support.browser_plugin", *args)
    result.assert_outcomes(passed=1)
    return Path((pytester.path / "shot-path.txt").read_text())


def test_screenshots_go_to_the_named_folder(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    shot = _run(pytester, monkeypatch, "--workspace-screenshots", "docs/shots")
    assert shot == pytester.path / "docs" / "shots" / "leads-dark.png"
    assert shot.is_file()


def test_screenshots_go_to_a_temporary_folder_by_default(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    shot = _run(pytester, monkeypatch)
    assert not shot.is_relative_to(pytester.path)
    assert shot.is_file()


@pytest.mark.parametrize("name", ["../escape", "a/b", "", ".hidden"])
def test_a_screenshot_name_stays_in_its_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="letters, digits"):
        save_screenshot(object(), tmp_path, name)  # type: ignore[arg-type]
