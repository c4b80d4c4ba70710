"""The note that there is no system keyring: once per installation at sign-in, always in Settings.

Without a usable keyring the hub's token lives in memory only, so the rep signs in at every
start (see `repdesk.sync.credentials`). Saying so in a box at every start teaches nothing
new; it is said once, and Settings keeps the same words for whenever the rep wonders.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtWidgets import QLabel, QWidget

from repdesk.domain.errors import RepdeskError
from repdesk.gui.context import AppContext
from repdesk.gui.ops import Lane, QueryOp
from repdesk.gui.text import plain_label, set_plain
from repdesk.gui.theme import Tone, set_tone
from repdesk.store import settings as registry
from repdesk.sync.api import NO_KEYRING_MESSAGE

log = logging.getLogger(__name__)


def drop_told_keyring_note(ctx: AppContext, warnings: Sequence[str]) -> list[str]:
    """`warnings` without the no-keyring note when this installation has told it already;
    when it is about to be told, remembers that in the settings."""
    if NO_KEYRING_MESSAGE not in warnings:
        return list(warnings)
    settings = ctx.settings
    if not isinstance(settings, registry.Settings):
        return list(warnings)
    if settings.get(registry.KEYRING_NOTICE_SHOWN):
        return [w for w in warnings if w != NO_KEYRING_MESSAGE]
    try:
        settings.set(registry.KEYRING_NOTICE_SHOWN, True)
    except (RepdeskError, OSError) as exc:
        log.warning("could not remember the keyring note was shown: %s", exc)
    return list(warnings)


def _grow_to_fit(window: QWidget) -> None:
    """A note that appears after the window was sized needs room: grow it, never shrink.

    A window keeps its size once shown, so two lines of wrapped text would be cut in half.
    """
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    width = window.width()
    needed = (
        layout.totalHeightForWidth(width)
        if layout.hasHeightForWidth()
        else layout.totalSizeHint().height()
    )
    if needed > window.height():
        window.resize(width, needed)


def keyring_note_label(parent: QWidget, ctx: AppContext) -> QLabel:
    """A label that shows the no-keyring note while tokens live in memory only, else hides."""
    label = plain_label("", parent, wrap=True)
    label.setObjectName("keyringNote")
    set_tone(label, Tone.WARN)
    label.hide()
    sync = ctx.sync
    if sync is None:
        return label

    def show(message: str) -> None:
        set_plain(label, message)
        label.setVisible(bool(message))
        if message:
            _grow_to_fit(label.window())

    # Asking the keyring may wait on it (or on D-Bus): the sync seam's lane, never the GUI.
    QueryOp(parent=label, op=lambda _c: sync.token_note, success=show).failure(
        lambda exc: log.warning("could not ask about the keyring: %s", exc)
    ).on_lane(Lane.NETWORK).run_in_background(ctx.ops)
    return label
