"""Email this: a collateral opens a new message to the lead in the rep's mail app
(`mailto:`, intercepted the way Qt allows: `QDesktopServices.setUrlHandler`), the app says a
link cannot carry the file and opens its folder, and "I sent it" records the use as sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, QUrl, QUrlQuery, Slot
from PySide6.QtGui import QDesktopServices

from repdesk.domain.feedback import UseKind
from repdesk.domain.outbox import MutationKind
from repdesk.gui.context import AppContext
from repdesk.gui.lead_view.view import LeadView, Tab
from tests.gui.test_offline_flow_support import (
    grab,
)
from tests.support.lead_data import Seeded


class Desktop(QObject):
    """The mail app and the file manager: records what the app hands them."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(QUrl(url))


@pytest.fixture
def desktop(qapp: Any) -> Iterator[Desktop]:
    handler = Desktop()
    for scheme in ("mailto", "file"):
        QDesktopServices.setUrlHandler(scheme, handler, "open")
    yield handler
    for scheme in ("mailto", "file"):
        QDesktopServices.unsetUrlHandler(scheme)


def collateral_of(qtbot: Any, ctx: AppContext, lead_id: str) -> tuple[LeadView, Any]:
    view = LeadView(ctx)
    qtbot.addWidget(view)
    view.resize(900, 800)
    view.show()
    view.show_lead(lead_id)
    view.tabs.setCurrentIndex(Tab.COLLATERAL)
    tab = view.collateral
    qtbot.waitUntil(lambda: view.detail is not None and tab.model.rowCount() > 0)
    qtbot.waitUntil(lambda: all(r.checked for r in tab.model.records))
    return view, tab


def test_email_this_opens_the_mail_app_and_records_sent_once_confirmed(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
    desktop: Desktop,
) -> None:
    local: Any = seeded_ctx.store
    view, tab = collateral_of(qtbot, seeded_ctx, seeded_leads.rich_id)
    downloaded = next(r for r in tab.model.records if r.path is not None)
    tab.select(downloaded.collateral.id)
    lead = view.detail.lead  # type: ignore[union-attr]
    before = len(local.outbox())

    assert tab.email_button.isEnabled()
    tab.email_button.click()
    [mail] = desktop.opened
    assert mail.scheme() == "mailto" and mail.path() == lead.email
    subject = QUrlQuery(mail).queryItemValue("subject", QUrl.ComponentFormattingOption.FullyDecoded)
    assert downloaded.collateral.title in subject
    assert tab.handoff.isVisible()
    text = tab.handoff.text.text()
    assert "cannot carry files" in text and lead.email in text
    assert len(local.outbox()) == before, "nothing is recorded until the rep says it went"
    grab(view, "email-handoff")

    tab.handoff.folder_button.click()
    qtbot.waitUntil(lambda: len(desktop.opened) == 2)
    folder = Path(desktop.opened[1].toLocalFile())
    copies = list(folder.iterdir())
    assert [p.name for p in copies] == [f"{downloaded.collateral.title}.pdf"]
    assert copies[0].read_bytes() == downloaded.path.read_bytes()

    tab.handoff.sent_button.click()
    qtbot.waitUntil(lambda: len(local.outbox()) == before + 1)
    [item] = local.outbox()[before:]
    assert item.kind is MutationKind.COLLATERAL_USED
    assert item.payload == {"collateral_id": downloaded.collateral.id, "kind": "sent"}
    assert not tab.handoff.isVisible()
    qtbot.waitUntil(
        lambda: any(
            u.kind is UseKind.SENT and u.collateral_id == downloaded.collateral.id
            for u in local.collateral_uses(seeded_leads.rich_id)
        )
    )


def test_not_sent_records_nothing_and_no_mail_app_is_said(
    qtbot: Any,
    seeded_ctx: AppContext,
    seeded_leads: Seeded,
    desktop: Desktop,
) -> None:
    local: Any = seeded_ctx.store
    _view, tab = collateral_of(qtbot, seeded_ctx, seeded_leads.rich_id)
    before = len(local.outbox())
    tab.email_selected()
    tab.handoff.not_sent_button.click()
    assert not tab.handoff.isVisible()
    qtbot.waitUntil(lambda: seeded_ctx.ops.idle)
    assert len(local.outbox()) == before

    QDesktopServices.unsetUrlHandler("mailto")  # no mail app on this (offscreen) desktop
    assert not tab.email_selected()
    assert tab.handoff.isVisible()
    assert "No mail app" in tab.handoff.text.text()
    assert not tab.handoff.sent_button.isVisible()
