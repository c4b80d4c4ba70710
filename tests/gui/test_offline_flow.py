"""A rep's day with a flaky hub: work offline, come back online, see the outbox drain.

Everything is real: an EmbeddedHub on loopback (stopped and restarted on the same port
and home), the SyncEngine, a Store in tmp_path, and the controller, status bar and
outbox panel wired as the main window wires them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from repdesk.domain.feedback import Objection
from repdesk.domain.ids import new_id
from repdesk.domain.outbox import OutboxState
from repdesk.domain.qualification import BantAnswer, BantDimension
from repdesk.gui.notify import NoticeBanner, Notifier
from repdesk.gui.outbox_model import OutboxModel
from repdesk.gui.outbox_panel import OutboxPanel
from repdesk.gui.status import SyncStatusBar
from repdesk.gui.sync_controller import SyncController
from tests.gui.test_offline_flow_support import (
    add_note,
    grab,
)
from tests.support.hub_fixtures import PASSWORD
from tests.support.world import World


class _Window(QWidget):
    """The pieces of the main window this flow needs, wired the same way."""

    def __init__(self, ctx: Any) -> None:
        super().__init__()
        self.controller = SyncController(ctx, self, prompt_sign_in=False)
        self.banner = NoticeBanner(self)
        self.notifier = Notifier(self.banner, use_tray=False, parent=self)
        self.notifier.watch(self.controller)
        self.outbox = OutboxPanel(ctx, self)
        self.outbox.sync_requested.connect(self.controller.sync_now)
        self.status = SyncStatusBar(ctx, self.controller, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.outbox, 1)
        layout.addWidget(self.status)
        self.resize(960, 560)


def _sync(qtbot: Any, window: _Window) -> None:
    with qtbot.waitSignal(window.controller.ended):
        assert window.controller.sync_now()
    # The panels re-read the store after the sync's changes; wait until those reads land.
    qtbot.waitUntil(lambda: window.outbox.ctx.ops.idle)


def _states(window: _Window) -> dict[str, str]:
    model = window.outbox.model
    return {
        model.index(r, 0).data(OutboxModel.ID_ROLE): model.index(r, 0).data(OutboxModel.STATE_ROLE)
        for r in range(model.rowCount())
    }


def _signed_in_window(qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World) -> _Window:
    sync_engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    window = _Window(app_ctx)
    qtbot.addWidget(window)
    window.show()
    return window


def test_work_offline_then_sync_when_the_hub_is_back(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    window = _signed_in_window(qtbot, app_ctx, sync_engine, live_world)
    _sync(qtbot, window)
    assert rep_store.lead_count() == 3, "the rep's leads arrived"
    assert window.controller.online is True

    live_world.hub.stop()
    ada = live_world.ada.leads[0]
    add_note(rep_store, ada, "Called from the train; wants pricing for 40 seats")
    rep_store.update_bant(
        ada, {BantDimension.NEED: BantAnswer(BantDimension.NEED, "confirmed", "We need it")}
    )
    _sync(qtbot, window)
    assert window.controller.online is False
    assert "Offline" in window.status.online_label.text()
    qtbot.waitUntil(lambda: window.status.pending_button.text() == "2 unsent")
    assert set(_states(window).values()) == {"pending"}
    grab(window, "offline-flow-offline", QSize(960, 560))

    live_world.hub.start()
    _sync(qtbot, window)
    assert window.controller.online is True
    qtbot.waitUntil(lambda: set(_states(window).values()) == {"applied"})
    assert rep_store.outbox_counts().pending == 0
    assert "Online" in window.status.online_label.text()
    qtbot.waitUntil(lambda: window.status.pending_button.text() == "All sent")
    grab(window, "offline-flow-back-online", QSize(960, 560))


def test_repeated_failures_raise_one_notice(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World
) -> None:
    window = _signed_in_window(qtbot, app_ctx, sync_engine, live_world)
    live_world.hub.stop()
    for _ in range(3):
        _sync(qtbot, window)
    assert window.banner.isVisible()
    assert "3 times in a row" in window.banner.text()
    live_world.hub.start()
    _sync(qtbot, window)
    assert window.banner.isHidden()


def test_hub_rejection_shows_the_hubs_reason_as_plain_text(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    window = _signed_in_window(qtbot, app_ctx, sync_engine, live_world)
    _sync(qtbot, window)
    ada = live_world.ada.leads[0]
    rep_store.add_objection(
        Objection(
            id=new_id(),
            lead_id=ada,
            category_code="<b>bad</b>",
            verbatim="Too pricey",
            created_at=datetime.now(UTC),
        )
    )
    with qtbot.waitSignal(window.notifier.notified):
        _sync(qtbot, window)
    (item,) = rep_store.outbox([OutboxState.REJECTED])
    qtbot.waitUntil(lambda: _states(window).get(item.id) == "rejected")
    assert window.outbox.select(item.id)
    shown = window.outbox.detail.reason.text()
    assert "'<b>bad</b>'" in shown, "the hub's text is shown literally"
    assert "not in marketing's list" in shown
    assert window.banner.text().startswith("The hub refused 1 of your changes.")
    grab(window, "offline-flow-rejected", QSize(960, 560))


def test_conflict_with_marketing_keep_mine_then_sync(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    from tests.support import hub_rows as seed

    window = _signed_in_window(qtbot, app_ctx, sync_engine, live_world)
    _sync(qtbot, window)
    ada = live_world.ada.leads[0]
    seed.set_bant_as_marketing(live_world.hub.db, ada, "budget", "none")
    rep_store.update_bant(ada, {BantDimension.BUDGET: BantAnswer(BantDimension.BUDGET, "approved")})
    _sync(qtbot, window)
    (item,) = rep_store.outbox([OutboxState.CONFLICT])
    qtbot.waitUntil(lambda: _states(window).get(item.id) == "conflict")
    assert window.outbox.select(item.id)
    (conflict,) = rep_store.conflicts()
    assert (conflict.mine, conflict.theirs) == ("approved", "none")
    texts = {w.text() for w in window.outbox.detail.findChildren(QLabel)}
    assert {"Yours: Budget approved", "Marketing's: No budget"} <= texts, "rubric labels"
    change = window.outbox.model.index(window.outbox.model.row_of(item.id), 2).data()
    assert change == "BANT answers: Budget: \u2014 \u2192 Budget approved"
    grab(window, "offline-flow-conflict", QSize(960, 560))
    with qtbot.waitSignal(window.outbox.loaded):
        window.outbox.detail.conflict_buttons[(conflict.id, True)].click()
    assert rep_store.conflicts() == []
    _sync(qtbot, window)
    assert rep_store.bant(ada).budget.value == "approved"
    assert rep_store.outbox_counts().pending == 0
