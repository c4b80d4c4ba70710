"""The lead view: a header and five tabs (brief, timeline, qualification, collateral, feedback)."""

from __future__ import annotations

import logging
from enum import IntEnum

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QTabWidget, QVBoxLayout, QWidget

from repdesk.domain.changes import Changes
from repdesk.gui.context import AppContext
from repdesk.gui.events import touches_lead
from repdesk.gui.lead_view.brief_tab import BriefTab
from repdesk.gui.lead_view.collateral_tab import CollateralTab
from repdesk.gui.lead_view.detail import LeadDetail, load_detail
from repdesk.gui.lead_view.feedback_tab import FeedbackTab
from repdesk.gui.lead_view.followups_tab import FollowUpsTab
from repdesk.gui.lead_view.header import LeadHeader
from repdesk.gui.lead_view.qualification_tab import QualificationTab
from repdesk.gui.lead_view.timeline_tab import TimelineTab
from repdesk.gui.ops import QueryOp
from repdesk.gui.text import tr

log = logging.getLogger(__name__)


class Tab(IntEnum):
    BRIEF = 0
    TIMELINE = 1
    QUALIFICATION = 2
    COLLATERAL = 3
    FEEDBACK = 4
    FOLLOWUPS = 5


class LeadView(QWidget):
    """Shows one lead. Every read is one op on the DB lane; refreshes come from AppEvents."""

    loaded = Signal(object)
    """The `LeadDetail` now on screen (after a show or a refresh)."""
    lead_gone = Signal(str)
    """The lead shown is no longer in the store (reassigned away by marketing)."""
    call_started = Signal(str)
    """The rep dialled the lead's phone from here (the system took the tel: link)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("leadView")
        self._lead_id: str | None = None
        self._detail: LeadDetail | None = None
        self._load_seq = 0
        self.header = LeadHeader(self)
        self.brief = BriefTab(ctx, self)
        self.timeline = TimelineTab(self)
        self.qualification = QualificationTab(ctx, self)
        self.collateral = CollateralTab(ctx, self)
        self.feedback = FeedbackTab(ctx, self)
        self.followups = FollowUpsTab(ctx, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("leadTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.brief, tr("lead", "Call &brief"))
        self.tabs.addTab(self.timeline, tr("lead", "&Timeline"))
        self.tabs.addTab(self.qualification, tr("lead", "&Qualification"))
        self.tabs.addTab(self.collateral, tr("lead", "C&ollateral"))
        self.tabs.addTab(self.feedback, tr("lead", "&Feedback"))
        self.tabs.addTab(self.followups, tr("lead", "Follow-&ups"))
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(line)
        layout.addWidget(self.tabs, 1)
        ctx.events.changed.connect(self._on_changes)
        self.header.dial_requested.connect(self.dial)
        self.brief.dial_requested.connect(self.dial)

    def dial(self, phone: str = "") -> bool:
        """Hand the lead's number to the system's dialer (a `tel:` link). True when it was
        taken (the call console opens, its timer running); otherwise the rep is told and the
        number is copied to dial by hand."""
        from repdesk.gui.handoff import copy_text, open_link, tel_url

        detail = self._detail
        if detail is None:
            return False
        phone = phone or detail.lead.phone
        url = tel_url(phone)
        if url is None:
            return False
        if open_link(url):
            self.call_started.emit(detail.lead.id)
            return True
        copy_text(phone)
        self.header.say_not_dialled(phone)
        return False

    @property
    def lead_id(self) -> str | None:
        return self._lead_id

    @property
    def detail(self) -> LeadDetail | None:
        return self._detail

    def show_lead(self, lead_id: str | None) -> None:
        """Load and show `lead_id` (None clears the view). Older loads still running are dropped."""
        if lead_id is None:
            self._lead_id = None
            self._load_seq += 1  # a load still on its way answers for nothing now
            self._show(None)
            return
        if self._detail is not None and self._detail.lead.id == lead_id:
            return  # already on screen; its own data changes reload it (_on_changes)
        if self._lead_id == lead_id and self._load_seq > 0:
            return  # already on its way (Today and All leads both point here)
        self._lead_id = lead_id
        self._load()

    def focus_tabs(self) -> None:
        self.tabs.setFocus()

    def _load(self) -> None:
        lead_id = self._lead_id
        if lead_id is None or self.ctx.ops.closed:
            return  # nothing to show, or the app is closing (a late timer asked)
        self._load_seq += 1
        seq = self._load_seq
        QueryOp(
            parent=self,
            op=lambda c: load_detail(c.store, lead_id),
            success=lambda detail: self._loaded(seq, lead_id, detail),
        ).run_in_background(self.ctx.ops)

    def _loaded(self, seq: int, lead_id: str, detail: LeadDetail | None) -> None:
        if seq != self._load_seq:
            return  # the rep moved on to another lead meanwhile
        if detail is None:
            log.info("lead %s is no longer in the store", lead_id)
            self._lead_id = None
            self._show(None)
            self.lead_gone.emit(lead_id)
            return
        self._show(detail)

    def _show(self, detail: LeadDetail | None) -> None:
        self._detail = detail
        if detail is None:
            self.header.clear()
        else:
            self.header.show_detail(detail)
        self.brief.show_detail(detail)
        self.timeline.set_entries(detail.timeline if detail else ())
        self.qualification.show_detail(detail)
        self.collateral.show_detail(detail)
        self.feedback.show_detail(detail)
        self.followups.show_detail(detail)
        if detail is not None:
            self.loaded.emit(detail)

    def _on_changes(self, changes: Changes) -> None:
        if self._lead_id is None:
            return
        relevant = (
            changes.leads
            or changes.timeline
            or changes.qualification
            or changes.feedback
            or changes.collateral
            or changes.outbox
            or changes.followups
        )
        if changes.reference or (relevant and touches_lead(changes, self._lead_id)):
            self._load()
