"""Headless screenshots: every main view rendered to a real PNG once its data has loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from repdesk.gui.context import AppContext
from repdesk.gui.screenshots import WINDOW_SIZE, render_screenshots
from repdesk.gui.theme import ThemeManager
from repdesk.store import settings as registry


def _distinct_colours(image: QImage, step: int = 23) -> int:
    seen = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
    return len(seen)


def test_render_screenshots_writes_every_view(
    qtbot: Any,
    seeded_ctx: AppContext,
    tmp_path: Path,
) -> None:
    out = tmp_path / "shots"
    paths = render_screenshots(seeded_ctx, out)
    names = sorted(p.name for p in paths)
    assert names == [
        "01-lead-list.png",
        "02-lead-timeline.png",
        "03-lead-qualification.png",
        "04-call-console.png",
        "05-collateral-preview.png",
        "06-outbox.png",
        "07-dark-lead-list.png",
        "08-dark-lead-timeline.png",
        "09-dark-lead-qualification.png",
        "10-dark-call-console.png",
        "11-dark-collateral-preview.png",
        "12-dark-outbox.png",
        "13-today.png",
        "14-followup-reminder.png",
    ]
    for path in paths:
        assert path.parent == out
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n"), path.name
        image = QImage(str(path))
        assert not image.isNull(), path.name
        # A blank or half-painted window has only a handful of colours.
        assert _distinct_colours(image) > 12, path.name
    main = QImage(str(out / "01-lead-list.png"))
    assert (main.width(), main.height()) == WINDOW_SIZE
    # The dark twins are dark: their window background is, at the top left corner.
    lights = sorted(p for p in paths if p.name[:2] <= "06")
    darks = sorted(p for p in paths if "-dark-" in p.name)
    for light, dark in zip(lights, darks, strict=True):
        assert QImage(str(light)).pixelColor(2, 40).lightness() > 128, light.name
        assert QImage(str(dark)).pixelColor(2, 40).lightness() < 128, dark.name
    assert seeded_ctx.ops.idle
    # Taking pictures does not overwrite the rep's saved window layout.
    assert not seeded_ctx.settings.is_set(registry.WINDOW_GEOMETRY)


def test_the_outbox_picture_shows_a_call_recorded_through_the_rep_actions(
    qtbot: Any,
    seeded_ctx: AppContext,
    tmp_path: Path,
) -> None:
    from repdesk.domain.outbox import MutationKind, OutboxState
    from repdesk.gui.screenshots import CALL_OBJECTION

    local = seeded_ctx.store
    assert local.outbox() == []
    render_screenshots(seeded_ctx, tmp_path / "shots")
    pending = [i for i in local.outbox() if i.state is OutboxState.PENDING]
    kinds = {i.kind for i in pending}
    assert {
        MutationKind.CALL_NOTE_CREATE,
        MutationKind.OBJECTION_CREATE,
        MutationKind.DISPOSITION_SET,
    } <= kinds
    lead_id = pending[0].lead_id
    call = [i for i in pending if i.kind is not MutationKind.FOLLOWUP_SET]
    assert {i.lead_id for i in call} == {lead_id}, "one call, with one lead"
    # The Today and reminder pictures schedule two call-backs, for two other leads.
    callbacks = [i for i in pending if i.kind is MutationKind.FOLLOWUP_SET]
    assert len(callbacks) == 2 and lead_id not in {i.lead_id for i in callbacks}
    [objection] = [o for o in local.objections(lead_id) if o.verbatim == CALL_OBJECTION]
    assert objection.category_code
    assert any("Friday forecast review" in n.body for n in local.notes(lead_id))


def _then(fn: Any, after: Any) -> Any:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        finally:
            after()

    return wrapped


def test_screenshot_runs_leave_no_rep_work_in_the_users_data(
    qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """`repdesk --demo --screenshot` twice, against the real demo hub: the call the pictures
    show is recorded in a throwaway copy, so the rep's own outbox stays exactly as it was."""
    import repdesk.app.launch as launch
    import repdesk.gui.screenshots as shots
    from repdesk.app.demo import demo_root
    from repdesk.app.services import open_rep_store
    from repdesk.cli.main import main as cli

    # In-process: keep pytest's logging and Qt message handler (the real run installs its own).
    monkeypatch.setattr(launch, "configure_logging", lambda *a, **k: None)
    monkeypatch.setattr(launch, "_route_qt_messages", lambda: None)
    shown: dict[str, int] = {}
    real_save = shots._save

    def spy(widget: Any, path: Path) -> Path:
        outbox = getattr(widget, "outbox", None)
        if outbox is not None and widget.outbox_dock.isVisible():
            shown[path.name] = sum(
                1
                for n in range(outbox.model.rowCount())
                if outbox.model.row_at(n).item.state.value == "pending"
            )
        return real_save(widget, path)

    monkeypatch.setattr(shots, "_save", spy)
    data = tmp_path / "home"
    client = demo_root(data / "data") / "client" / "data"
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = set(app.findChildren(ThemeManager))
    palette = QGuiApplication.palette()

    def forget_theme_managers() -> None:
        """The run makes its own ThemeManager on the shared QApplication: drop it, so
        later tests find theirs."""
        app.setPalette(palette)
        for manager in set(app.findChildren(ThemeManager)) - before:
            QGuiApplication.styleHints().colorSchemeChanged.disconnect(manager._on_system_scheme)
            manager.setParent(None)

    monkeypatch.setattr(launch, "_screenshots", _then(launch._screenshots, forget_theme_managers))

    def outbox() -> list[Any]:
        # Opened as the app does: encrypted, with the key in the (test) keyring.
        with open_rep_store(client, lambda _choosing: None) as users:
            return users.outbox()

    assert cli(["--demo", "--data-dir", str(data), "--screenshot", str(tmp_path / "a")]) == 0
    after_first = outbox()
    assert after_first == [], "the screenshot run left rep work in the user's outbox"
    assert shown.get("06-outbox.png", 0) > 0, "the outbox picture shows the sample call"
    shown.clear()

    assert cli(["--demo", "--data-dir", str(data), "--screenshot", str(tmp_path / "b")]) == 0
    assert outbox() == after_first
    assert shown.get("06-outbox.png", 0) > 0


def test_a_hub_with_no_collateral_and_no_leads_still_gets_its_pictures(
    qtbot: Any, qapp: QApplication, tmp_path: Path
) -> None:
    """`repdesk --screenshot` waited for a collateral row that never came (issue 10.9)."""
    from repdesk.store import Store

    empty = Store.open(tmp_path / "data")
    ctx = AppContext.create(empty, tmp_path / "data")
    try:
        names = {p.name for p in render_screenshots(ctx, tmp_path / "shots")}
    finally:
        ctx.shutdown()
        empty.close()
    assert {"01-lead-list.png", "05-collateral-preview.png", "13-today.png"} <= names
