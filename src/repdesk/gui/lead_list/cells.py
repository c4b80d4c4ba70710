"""What each lead list column shows for a row: text, tooltip and colour (no Qt model code)."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtGui import QBrush

from repdesk.gui.lead_list.labels import (
    plural,
    readiness_text,
    short_stage_label,
    stage_label,
    unsent_text,
)
from repdesk.gui.text import format_when, one_line, tr
from repdesk.gui.theme import Tone, tone_color
from repdesk.store.api import LeadRow, LeadSort


class Column(IntEnum):
    NAME = 0
    COMPANY = 1
    STAGE = 2
    SCORE = 3
    READINESS = 4
    LAST_TOUCH = 5
    NEXT_STEP = 6
    UNSENT = 7


SORT_OF_COLUMN: dict[Column, LeadSort] = {
    Column.NAME: LeadSort.NAME,
    Column.COMPANY: LeadSort.COMPANY,
    Column.STAGE: LeadSort.STAGE,
    Column.SCORE: LeadSort.SCORE,
    Column.READINESS: LeadSort.READY,
    Column.LAST_TOUCH: LeadSort.LAST_TOUCH,
    Column.NEXT_STEP: LeadSort.NEXT_STEP,
}
COLUMN_OF_SORT: dict[LeadSort, Column] = {v: k for k, v in SORT_OF_COLUMN.items()}


def column_titles() -> dict[Column, str]:
    return {
        Column.NAME: tr("leads", "Name"),
        Column.COMPANY: tr("leads", "Company"),
        Column.STAGE: tr("leads", "Stage"),
        Column.SCORE: tr("leads", "Score"),
        Column.READINESS: tr("leads", "BANT readiness"),
        Column.LAST_TOUCH: tr("leads", "Last touch"),
        Column.NEXT_STEP: tr("leads", "Next step"),
        Column.UNSENT: tr("leads", "Unsent"),
    }


def display(row: LeadRow, column: int) -> str:
    if column == Column.NAME:
        return one_line(row.name, 60)
    if column == Column.COMPANY:
        return one_line(row.company, 60)
    if column == Column.STAGE:
        return short_stage_label(row.stage)
    if column == Column.SCORE:
        return str(row.score)
    if column == Column.READINESS:
        return readiness_text(row.ready, row.missing)
    if column == Column.LAST_TOUCH:
        return format_when(row.last_touch_at) if row.last_touch_at else "—"
    if column == Column.NEXT_STEP:
        return one_line(row.next_step, 80)
    return unsent_text(row.unsent)


def tooltip(row: LeadRow, column: int) -> str | None:
    if column == Column.NAME:
        return f"{row.name}\n{row.title}" if row.title else row.name
    if column == Column.COMPANY:
        return row.company or None
    if column == Column.STAGE:
        return stage_label(row.stage)
    if column == Column.READINESS:
        if row.ready:
            return tr("leads", "Meets marketing's definition of a sales-ready lead")
        return tr("leads", "Still missing: %1").replace("%1", row.missing or "—")
    if column == Column.NEXT_STEP:
        return row.next_step or None
    if column == Column.UNSENT and row.unsent:
        return plural(
            "leads",
            row.unsent,
            "%n change about this lead waits to be sent",
            "%n changes about this lead wait to be sent",
        )
    return None


def foreground(row: LeadRow, column: int) -> QBrush | None:
    if column == Column.READINESS:
        return QBrush(tone_color(Tone.OK if row.ready else Tone.WARN))
    if column == Column.UNSENT and row.unsent:
        return QBrush(tone_color(Tone.ACCENT))
    return None
