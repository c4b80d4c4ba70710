"""The workspace's landing figures: leads, how many are assigned, active reps, and how much
feedback reps sent back lately."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from repdesk.domain.ids import utcnow
from repdesk.hub.admin.hub import Hub
from repdesk.hub.db.models import (
    Base,
    CallNote,
    CollateralUseRow,
    DispositionRow,
    Lead,
    ObjectionRow,
    ProcessedMutation,
    QualificationField,
    Rep,
)

RECENT = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class OverviewCounts:
    leads: int
    """Leads not deleted."""
    assigned: int
    """Of those, owned by a rep."""
    reps: int
    """Reps who can sign in."""
    feedback_recent: int
    """Notes, BANT answers, objections, verdicts and collateral uses received in the last
    `RECENT` (as in the feedback export: by when the hub got them)."""
    since: datetime


def _count(session: Session, table: type[Base], *where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def overview_counts(hub: Hub, now: datetime | None = None) -> OverviewCounts:
    since = (now or utcnow()) - RECENT
    with hub.db.read() as session:
        leads = _count(session, Lead, Lead.deleted.is_(False))
        assigned = _count(session, Lead, Lead.deleted.is_(False), Lead.owner_rep_id.is_not(None))
        reps = _count(session, Rep, Rep.disabled.is_(False))
        feedback = sum(
            _count(session, model, model.received_at >= since)
            for model in (CallNote, ObjectionRow, DispositionRow, CollateralUseRow)
        )
        # A BANT answer arrived when its push was processed (as in the feedback export).
        received = func.coalesce(ProcessedMutation.received_at, QualificationField.recorded_at)
        feedback += int(
            session.scalar(
                select(func.count())
                .select_from(QualificationField)
                .outerjoin(
                    ProcessedMutation,
                    ProcessedMutation.mutation_id == QualificationField.mutation_id,
                )
                .where(QualificationField.value.is_not(None), received >= since)
            )
            or 0
        )
    return OverviewCounts(leads, assigned, reps, feedback, since)


__all__ = ["RECENT", "OverviewCounts", "overview_counts"]
