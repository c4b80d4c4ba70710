"""The outbox's data: rows read on the DB lane, their plain-text summaries, the table model."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush

from repdesk.domain.outbox import Conflict, MutationKind, OutboxItem, OutboxState
from repdesk.domain.qualification import Rubric
from repdesk.gui.table_model import RowTableModel
from repdesk.gui.text import format_when, one_line, plain_tooltip, tr
from repdesk.gui.theme import Tone, tone_color
from repdesk.store.api import AnswerChange, StoreApi

__all__ = [
    "RECENT_SENT_SHOWN",
    "OutboxModel",
    "OutboxRow",
    "kind_label",
    "load_rows",
    "rubric_labels",
    "state_label",
    "summary",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One outbox item with what the panel needs to show it (read on the DB lane)."""

    item: OutboxItem
    lead_name: str
    conflicts: tuple[Conflict, ...] = ()
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """BANT value codes -> the rubric's labels, by dimension ("budget" -> {"approved": ...})."""
    changes: tuple[AnswerChange, ...] = ()
    """For a BANT change: each dimension's value before and after it."""

    @property
    def summary(self) -> str:
        return summary(self.item, self.labels, self.changes)

    def value_label(self, dimension: str, code: str) -> str:
        return self.labels.get(dimension, {}).get(code, code)


def kind_label(kind: MutationKind) -> str:
    return {
        MutationKind.CALL_NOTE_CREATE: tr("outbox", "Call note"),
        MutationKind.QUALIFICATION_UPDATE: tr("outbox", "BANT answers"),
        MutationKind.OBJECTION_CREATE: tr("outbox", "Objection"),
        MutationKind.DISPOSITION_SET: tr("outbox", "Decision"),
        MutationKind.COLLATERAL_USED: tr("outbox", "Collateral used"),
        MutationKind.FOLLOWUP_SET: tr("outbox", "Call-back"),
    }.get(kind, str(kind))


def state_label(state: OutboxState) -> str:
    return {
        OutboxState.PENDING: tr("outbox", "Waiting to send"),
        OutboxState.APPLIED: tr("outbox", "Sent"),
        OutboxState.REJECTED: tr("outbox", "Refused by the hub"),
        OutboxState.CONFLICT: tr("outbox", "Needs your decision"),
    }.get(state, str(state))


_DISPOSITION = {
    "accept": "Accepted",
    "return_to_nurture": "Sent back to nurture",
    "disqualify": "Disqualified",
}


def rubric_labels(rubric: Rubric | None) -> dict[str, dict[str, str]]:
    if rubric is None:
        return {}
    return {d.dimension.value: {o.code: o.label for o in d.options} for d in rubric.dimensions}


def summary(
    item: OutboxItem,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    changes: Sequence[AnswerChange] = (),
) -> str:
    """A short plain-text line about what the change says (from its queued payload)."""
    p: dict[str, Any] = item.payload if isinstance(item.payload, dict) else {}
    kind = item.kind
    if kind is MutationKind.CALL_NOTE_CREATE:
        return one_line(str(p.get("body", "")))
    if kind is MutationKind.QUALIFICATION_UPDATE:
        fields = p.get("fields")
        if isinstance(fields, dict) and fields:
            before = {c.dimension: c.before for c in changes}
            parts = []
            for name, answer in fields.items():
                value = str(answer.get("value", "")) if isinstance(answer, dict) else ""
                shown = _answer_label(labels, str(name), value) or tr("outbox", "cleared")
                if str(name) in before:
                    was = _answer_label(labels, str(name), before[str(name)]) or "\u2014"
                    shown = f"{was} \u2192 {shown}"
                parts.append(f"{str(name).capitalize()}: {shown}")
            return one_line(", ".join(parts))
        return ""
    if kind is MutationKind.OBJECTION_CREATE:
        return one_line(str(p.get("verbatim") or p.get("category_code", "")))
    if kind is MutationKind.DISPOSITION_SET:
        label = tr("outbox", _DISPOSITION.get(str(p.get("kind", "")), str(p.get("kind", ""))))
        reason = str(p.get("reason", ""))
        return one_line(f"{label}: {reason}" if reason else label)
    if kind is MutationKind.COLLATERAL_USED:
        verb = tr("outbox", "Sent") if p.get("kind") == "sent" else tr("outbox", "Shown")
        return one_line(verb)
    if kind is MutationKind.FOLLOWUP_SET:
        return one_line(_followup_summary(p))
    return ""


_FOLLOWUP_VERBS = {
    "create": "Scheduled for %1",
    "update": "Moved to %1",
    "complete": "Done",
    "cancel": "Cancelled",
}


def _followup_summary(p: Mapping[str, Any]) -> str:
    """ "Scheduled for Tue 14 Mar 15:30: send pricing" (local time), "Done: ..."."""
    from repdesk.domain.ids import ensure_utc

    verb = tr("outbox", _FOLLOWUP_VERBS.get(str(p.get("action", "")), "Changed"))
    try:
        due = ensure_utc(datetime.fromisoformat(str(p.get("due_at"))))
        when = due.astimezone().strftime("%a %d %b %H:%M")
    except ValueError:
        when = str(p.get("due_at", ""))
    head = verb.replace("%1", when)
    reason = str(p.get("reason", ""))
    return f"{head}: {reason}" if reason else head


def _answer_label(labels: Mapping[str, Mapping[str, str]] | None, dimension: str, code: str) -> str:
    return (labels or {}).get(dimension, {}).get(code, code)


#: Sent items stay in the store for good; the panel shows only the most recent of them.
RECENT_SENT_SHOWN = 200
_UNSENT = (OutboxState.PENDING, OutboxState.REJECTED, OutboxState.CONFLICT)


def load_rows(store: StoreApi, recent_sent: int = RECENT_SENT_SHOWN) -> list[OutboxRow]:
    """Unsent items and the most recent sent ones, with lead names and open conflicts.

    Runs on the DB lane; lead names come from one batched `lead_rows` call.
    """
    unsent = store.outbox(_UNSENT)
    sent = sorted(store.outbox((OutboxState.APPLIED,)), key=lambda i: i.seq)[-recent_sent:]
    items = sorted([*unsent, *sent], key=lambda i: i.seq)
    by_mutation: dict[str, list[Conflict]] = {}
    for conflict in store.conflicts(open_only=True):
        by_mutation.setdefault(conflict.mutation_id, []).append(conflict)
    lead_ids = list(dict.fromkeys(i.lead_id for i in items))
    names = {row.id: row.name for row in store.lead_rows(lead_ids)} if lead_ids else {}
    labels = rubric_labels(store.rubric())
    bant_ids = [i.id for i in items if i.kind is MutationKind.QUALIFICATION_UPDATE]
    changes = store.bant_changes(bant_ids) if bant_ids else {}
    return [
        OutboxRow(
            item,
            names.get(item.lead_id, ""),
            tuple(by_mutation.get(item.id, ())),
            labels,
            changes.get(item.id, ()),
        )
        for item in items
    ]


class OutboxModel(RowTableModel):
    """Outbox rows in queue order; all text is plain (the hub's reasons included)."""

    COLUMNS = ("recorded", "lead", "change", "state", "reason")
    ID_ROLE = Qt.ItemDataRole.UserRole + 1
    STATE_ROLE = Qt.ItemDataRole.UserRole + 2

    _STATE_TONES = {
        OutboxState.REJECTED: Tone.BAD,
        OutboxState.CONFLICT: Tone.WARN,
        OutboxState.APPLIED: Tone.OK,
    }

    def headers(self) -> tuple[str, ...]:
        return (
            tr("outbox", "Recorded"),
            tr("outbox", "Lead"),
            tr("outbox", "Change"),
            tr("outbox", "State"),
            tr("outbox", "Hub's reason"),
        )

    def row_key(self, row: Any) -> str:
        return str(row.item.id)

    def cell(self, row: Any, column: str, role: int) -> Any:
        item = row.item
        if role == self.ID_ROLE:
            return item.id
        if role == self.STATE_ROLE:
            return item.state.value
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column, full=False)
        if role == Qt.ItemDataRole.ToolTipRole:
            # Hub and rep text: Qt would guess "<b>…" is HTML, so tooltips are made plain.
            return plain_tooltip(self._text(row, column, full=True)) or None
        if role == Qt.ItemDataRole.ForegroundRole and column == "state":
            tone = self._STATE_TONES.get(item.state)
            return QBrush(tone_color(tone)) if tone is not None else None
        return None

    @staticmethod
    def _text(row: OutboxRow, column: str, *, full: bool) -> str:
        item = row.item
        if column == "recorded":
            return format_when(item.recorded_at)
        if column == "lead":
            return row.lead_name or tr("outbox", "(a lead no longer assigned to you)")
        if column == "change":
            text = row.summary
            label = kind_label(item.kind)
            return f"{label}: {text}" if text else label
        if column == "state":
            return state_label(item.state)
        return item.detail if full else one_line(item.detail, 120)
