"""The lead view: a header and six tabs (brief, timeline, qualification, collateral,
feedback, follow-ups).

Each tab's widget (and its module) is built the first time the tab is shown or asked for
(`LeadView.brief`, `.timeline`, ...), not with the window: start-up paints sooner (issue 9).
A tab built late is handed the lead on screen at once, so it never shows stale data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import IntEnum
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFrame, QTabWidget, QVBoxLayout, QWidget

from repdesk.domain.changes import Changes
from repdesk.gui.context import AppContext
from repdesk.gui.events import touches_lead
from repdesk.gui.lead_view.detail import LeadDetail, load_detail
from repdesk.gui.lead_view.header import LeadHeader
from repdesk.gui.ops import QueryOp
from repdesk.gui.text import tr

if TYPE_CHECKING:
    from repdesk.gui.lead_view.brief_tab import BriefTab
    from repdesk.gui.lead_view.collateral_tab import CollateralTab
    from repdesk.gui.lead_view.feedback_tab import FeedbackTab
    from repdesk.gui.lead_view.followups_tab import FollowUpsTab
    from repdesk.gui.lead_view.qualification_tab import QualificationTab
    from repdesk.gui.lead_view.timeline_tab import TimelineTab

log = logging.getLogger(__name__)


class Tab(IntEnum):
    BRIEF = 0
    TIMELINE = 1
    QUALIFICATION = 2
    COLLATERAL = 3
    FEEDBACK = 4
    FOLLOWUPS = 5


_W = TypeVar("_W", bound=QWidget)
_Fill = Callable[[LeadDetail | None], None]
"""Hands a built tab the lead on screen (None: no lead)."""

#: Each tab's label, in order.
_LABELS = {
    Tab.BRIEF: ("lead", "Call &brief"),
    Tab.TIMELINE: ("lead", "&Timeline"),
    Tab.QUALIFICATION: ("lead", "&Qualification"),
    Tab.COLLATERAL: ("lead", "C&ollateral"),
    Tab.FEEDBACK: ("lead", "&Feedback"),
    Tab.FOLLOWUPS: ("lead", "Follow-&ups"),
}


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
        self._built: dict[Tab, QWidget] = {}
        self._fills: dict[Tab, _Fill] = {}
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("leadTabs")
        self.tabs.setDocumentMode(True)
        self._pages: dict[Tab, tuple[QWidget, QVBoxLayout]] = {}
        for tab, (context, label) in _LABELS.items():
            page = QWidget(self.tabs)
            page_layout = QVBoxLayout(page)
            page_layout.setContentsMargins(0, 0, 0, 0)
            self._pages[tab] = (page, page_layout)
            self.tabs.addTab(page, tr(context, label))
        self.tabs.currentChanged.connect(lambda index: self._tab(Tab(index)))
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

    # --- tabs, built when first shown or asked for ------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        self._tab(Tab(self.tabs.currentIndex()))
        super().showEvent(event)

    def _tab(self, tab: Tab) -> QWidget:
        built = self._built.get(tab)
        if built is None:
            page, page_layout = self._pages[tab]
            built, fill = self._build(tab, page)
            page_layout.addWidget(built)
            built.show()  # a child added to a page already on screen is hidden until told
            self._built[tab] = built
            self._fills[tab] = fill
            fill(self._detail)
        return built

    def _build(self, tab: Tab, page: QWidget) -> tuple[QWidget, _Fill]:
        """The tab's widget on `page`, and how it is handed a lead (None: no lead)."""
        if tab is Tab.BRIEF:
            from repdesk.gui.lead_view.brief_tab import BriefTab

            brief = BriefTab(self.ctx, page)
            brief.dial_requested.connect(self.dial)
            return brief, brief.show_detail
        if tab is Tab.TIMELINE:
            from repdesk.gui.lead_view.timeline_tab import TimelineTab

            timeline = TimelineTab(page)
            return timeline, lambda d: timeline.set_entries(d.timeline if d else ())
        if tab is Tab.QUALIFICATION:
            from repdesk.gui.lead_view.qualification_tab import QualificationTab

            qualification = QualificationTab(self.ctx, page)
            return qualification, qualification.show_detail
        if tab is Tab.COLLATERAL:
            from repdesk.gui.lead_view.collateral_tab import CollateralTab

            collateral = CollateralTab(self.ctx, page)
            return collateral, collateral.show_detail
        if tab is Tab.FEEDBACK:
            from repdesk.gui.lead_view.feedback_tab import FeedbackTab

            feedback = FeedbackTab(self.ctx, page)
            return feedback, feedback.show_detail
        from repdesk.gui.lead_view.followups_tab import FollowUpsTab

        followups = FollowUpsTab(self.ctx, page)
        return followups, followups.show_detail

    def _typed(self, tab: Tab, kind: type[_W]) -> _W:
        widget = self._tab(tab)
        assert isinstance(widget, kind)
        return widget

    @property
    def brief(self) -> BriefTab:
        from repdesk.gui.lead_view.brief_tab import BriefTab

        return self._typed(Tab.BRIEF, BriefTab)

    @property
    def timeline(self) -> TimelineTab:
        from repdesk.gui.lead_view.timeline_tab import TimelineTab

        return self._typed(Tab.TIMELINE, TimelineTab)

    @property
    def qualification(self) -> QualificationTab:
        from repdesk.gui.lead_view.qualification_tab import QualificationTab

        return self._typed(Tab.QUALIFICATION, QualificationTab)

    @property
    def collateral(self) -> CollateralTab:
        from repdesk.gui.lead_view.collateral_tab import CollateralTab

        return self._typed(Tab.COLLATERAL, CollateralTab)

    @property
    def feedback(self) -> FeedbackTab:
        from repdesk.gui.lead_view.feedback_tab import FeedbackTab

        return self._typed(Tab.FEEDBACK, FeedbackTab)

    @property
    def followups(self) -> FollowUpsTab:
        from repdesk.gui.lead_view.followups_tab import FollowUpsTab

        return self._typed(Tab.FOLLOWUPS, FollowUpsTab)

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

    # --- the window's lead actions (each builds its tab if not shown yet) --------------------

    def export_brief(self) -> None:
        self.brief.choose_pdf_path()

    def print_brief(self) -> None:
        self.brief.print_brief()

    def add_objection(self) -> None:
        self.feedback.add_objection()

    def decide(self) -> None:
        self.feedback.decide()

    def schedule_followup(self) -> None:
        self.followups.schedule()

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
        for fill in self._fills.values():
            fill(detail)
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
