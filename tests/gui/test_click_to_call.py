"""Click-to-call: the phone in the lead header and in the call brief is a `tel:` link handed
to the system (`QDesktopServices.openUrl`); when it is taken the call console opens with its
timer running, when nothing takes it the rep is told and the number is copied.

The system dialer is replaced the way Qt allows: `QDesktopServices.setUrlHandler("tel", ...)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication, QTextCursor

from repdesk.gui.context import AppContext
from repdesk.gui.handoff import dial_string, mailto_url
from repdesk.gui.main_window import MainWindow
from tests.gui.test_offline_flow_support import (
    grab,
)
from tests.support.lead_data import Seeded

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


class Dialer(QObject):
    """Stands in for the softphone: records every tel: link the app hands over."""

    def __init__(self) -> None:
        super().__init__()
        self.called: list[str] = []

    @Slot(QUrl)
    def dial(self, url: QUrl) -> None:
        self.called.append(url.toString())


@pytest.fixture
def dialer(qapp: Any) -> Iterator[Dialer]:
    handler = Dialer()
    QDesktopServices.setUrlHandler("tel", handler, "dial")
    yield handler
    QDesktopServices.unsetUrlHandler("tel")


def window_on(qtbot: Any, ctx: AppContext, lead_id: str) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: not window.lead_list.model.loading and window.today.model.ever_loaded)
    qtbot.waitUntil(lambda: ctx.ops.idle)
    window.open_lead(lead_id)
    view = window.lead_view
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.lead.id == lead_id)
    return window


def test_the_header_number_dials_and_opens_the_console_with_its_timer_running(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
    dialer: Dialer,
) -> None:
    window = window_on(qtbot, seeded_ctx, seeded_leads.rich_id)
    header = window.lead_view.header
    phone = window.lead_view.detail.lead.phone  # type: ignore[union-attr]
    assert phone and header.phone.isVisible() and header.phone.isEnabled()
    qtbot.mouseClick(header.phone, Qt.MouseButton.LeftButton)
    assert dialer.called == [f"tel:{dial_string(phone)}"]
    qtbot.waitUntil(lambda: seeded_leads.rich_id in window.consoles)
    console: Any = window.consoles[seeded_leads.rich_id]
    assert console.timer.started_at is not None and console.timer._ended is None  # running
    console.ended = True
    console.close()


def test_the_brief_number_is_a_link_too_and_ctrl_shift_c_dials(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
    dialer: Dialer,
) -> None:
    window = window_on(qtbot, seeded_ctx, seeded_leads.rich_id)
    brief = window.lead_view.brief
    phone = window.lead_view.detail.lead.phone  # type: ignore[union-attr]
    # Click on the number where the brief shows it.
    found = brief.view.document().find(phone)
    assert not found.isNull()
    middle = QTextCursor(found)
    middle.setPosition((found.selectionStart() + found.selectionEnd()) // 2)
    assert brief.view.anchorAt(brief.view.cursorRect(middle).center()).startswith("tel:")
    qtbot.mouseClick(
        brief.view.viewport(), Qt.MouseButton.LeftButton, pos=brief.view.cursorRect(middle).center()
    )
    qtbot.waitUntil(lambda: len(dialer.called) == 1)
    qtbot.waitUntil(lambda: seeded_leads.rich_id in window.consoles)
    console: Any = window.consoles.pop(seeded_leads.rich_id)
    console.ended = True
    console.close()

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.today.table, Qt.Key.Key_C, CTRL_SHIFT)
    assert dialer.called == [f"tel:{dial_string(phone)}"] * 2


def test_with_no_phone_app_the_rep_is_told_and_the_number_copied(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
) -> None:
    QDesktopServices.unsetUrlHandler("tel")  # nothing on this (offscreen) desktop takes tel:
    window = window_on(qtbot, seeded_ctx, seeded_leads.rich_id)
    header = window.lead_view.header
    phone = window.lead_view.detail.lead.phone  # type: ignore[union-attr]
    assert not window.lead_view.dial()
    assert header.dial_note.isVisible()
    assert "could not dial" in header.dial_note.text() and phone in header.dial_note.text()
    assert QGuiApplication.clipboard().text() == phone
    assert window.consoles == {}
    grab(window, "dial-no-handler")


@pytest.mark.parametrize(
    ("phone", "dialled"),
    [
        ("+1 (555) 940-9779", "+15559409779"),
        ("030 1234 5678 ext. 12", "03012345678"),
        ("+44 20 7946 0958 x7", "+442079460958"),
        ("<b>12</b>", ""),
        ("n/a", ""),
    ],
)
def test_numbers_become_dial_strings(phone: str, dialled: str) -> None:
    assert dial_string(phone) == dialled


def test_mailto_carries_the_address_and_an_encoded_subject(qapp: Any) -> None:
    url = mailto_url("ada@example.com", "Pricing & packaging: 25 seats?")
    assert url is not None
    assert url.scheme() == "mailto" and url.path() == "ada@example.com"
    encoded = url.toString(QUrl.ComponentFormattingOption.FullyEncoded)
    assert encoded == "mailto:ada@example.com?subject=Pricing%20%26%20packaging:%2025%20seats?"
    assert mailto_url("not an address", "x") is None
    assert mailto_url("a@b.c?cc=evil@x.y", "x") is None
