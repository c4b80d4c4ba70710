"""Headless screenshots: every main view rendered to a real PNG once its data has loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage

from repdesk.gui.context import AppContext
from repdesk.gui.screenshots import WINDOW_SIZE, render_screenshots
from repdesk.store import settings as registry
from tests.gui.lead_fixtures import app_ctx, seeded, store  # noqa: F401


def _distinct_colours(image: QImage, step: int = 23) -> int:
    seen = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
    return len(seen)


def test_render_screenshots_writes_every_view(
    qtbot: Any,
    app_ctx: AppContext,  # noqa: F811
    tmp_path: Path,
) -> None:
    out = tmp_path / "shots"
    paths = render_screenshots(app_ctx, out)
    names = [p.name for p in paths]
    assert names == [
        "01-lead-list.png",
        "02-lead-timeline.png",
        "03-lead-qualification.png",
        "04-call-console.png",
        "05-collateral-preview.png",
        "06-outbox.png",
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
    main = QImage(str(paths[0]))
    assert (main.width(), main.height()) == WINDOW_SIZE
    assert app_ctx.ops.idle
    # Taking pictures does not overwrite the rep's saved window layout.
    assert not app_ctx.settings.is_set(registry.WINDOW_GEOMETRY)


def test_the_outbox_picture_shows_a_call_recorded_through_the_rep_actions(
    qtbot: Any,
    app_ctx: AppContext,  # noqa: F811
    tmp_path: Path,
) -> None:
    from repdesk.domain.outbox import MutationKind, OutboxState
    from repdesk.gui.screenshots import CALL_OBJECTION

    local = app_ctx.store
    assert local.outbox() == []
    render_screenshots(app_ctx, tmp_path / "shots")
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
