"""A lead's timeline: nurture history and the rep's own actions merged, newest first."""

from __future__ import annotations

from sqlalchemy import Connection, select

from repdesk.domain.feedback import DispositionKind, UseKind
from repdesk.domain.outbox import OutboxState
from repdesk.domain.qualification import BantDimension, Rubric
from repdesk.domain.rubric import dimension_title
from repdesk.store.api import TimelineEntry, TimelineKind
from repdesk.store.convert import must
from repdesk.store.derived import load_rubric
from repdesk.store.models import (
    BANT_HISTORY,
    CATEGORIES,
    COLLATERAL,
    DISPOSITIONS,
    EVENTS,
    NOTES,
    OBJECTIONS,
    OUTBOX,
    USES,
)

_DISPOSITION_TITLES = {
    DispositionKind.ACCEPT.value: "Accepted as sales-ready",
    DispositionKind.RETURN_TO_NURTURE.value: "Returned to nurture",
    DispositionKind.DISQUALIFY.value: "Disqualified",
}
_USE_TITLES = {UseKind.SHOWN.value: "Shown", UseKind.SENT.value: "Sent"}


def _first_line(body: str, width: int = 80) -> str:
    line = body.strip().splitlines()[0] if body.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def _bant_words(rubric: Rubric | None, dimension: str, value: str) -> tuple[str, str]:
    """The rubric's title and option label when it has them ("Need", "Critical problem")."""
    try:
        dim = BantDimension(dimension)
    except ValueError:
        return dimension.capitalize(), value
    rubric_dimension = rubric.for_dimension(dim) if rubric is not None else None
    option = rubric_dimension.option(value) if rubric_dimension is not None else None
    return dimension_title(dim, rubric_dimension), option.label if option else value


def timeline(conn: Connection, lead_id: str) -> list[TimelineEntry]:
    unsent_rows = conn.execute(
        select(OUTBOX.c.id, OUTBOX.c.entity_id)
        .where(OUTBOX.c.lead_id == lead_id)
        .where(OUTBOX.c.state != OutboxState.APPLIED.value)
    ).all()
    unsent_entities = {r.entity_id for r in unsent_rows}
    unsent_mutations = {r.id for r in unsent_rows}
    entries: list[TimelineEntry] = []

    for r in conn.execute(select(EVENTS).where(EVENTS.c.lead_id == lead_id)):
        kind = r.type.replace("_", " ").capitalize()
        entries.append(
            TimelineEntry(
                kind=TimelineKind.NURTURE,
                at=must(r.occurred_at),
                title=f"{kind}: {r.asset}" if r.asset else kind,
                detail=r.detail,
                event_type=r.type,
                ref_id=r.id,
            )
        )
    for r in conn.execute(select(NOTES).where(NOTES.c.lead_id == lead_id)):
        entries.append(
            TimelineEntry(
                kind=TimelineKind.NOTE,
                at=must(r.created_at),
                title=f"Call note: {_first_line(r.body)}",
                detail=r.body,
                ref_id=r.id,
                unsent=r.id in unsent_entities,
            )
        )
    labels = {k: v for k, v in conn.execute(select(CATEGORIES.c.code, CATEGORIES.c.label))}
    for r in conn.execute(select(OBJECTIONS).where(OBJECTIONS.c.lead_id == lead_id)):
        entries.append(
            TimelineEntry(
                kind=TimelineKind.OBJECTION,
                at=must(r.created_at),
                title=f"Objection: {labels.get(r.category_code, r.category_code)}",
                detail=r.verbatim,
                ref_id=r.id,
                unsent=r.id in unsent_entities,
            )
        )
    for r in conn.execute(select(DISPOSITIONS).where(DISPOSITIONS.c.lead_id == lead_id)):
        entries.append(
            TimelineEntry(
                kind=TimelineKind.DISPOSITION,
                at=must(r.decided_at),
                title=_DISPOSITION_TITLES.get(r.kind, r.kind),
                detail=r.reason,
                ref_id=r.id,
                unsent=r.id in unsent_entities,
            )
        )
    titles = {k: v for k, v in conn.execute(select(COLLATERAL.c.id, COLLATERAL.c.title))}
    for r in conn.execute(select(USES).where(USES.c.lead_id == lead_id)):
        entries.append(
            TimelineEntry(
                kind=TimelineKind.COLLATERAL_USE,
                at=must(r.used_at),
                title=f"{_USE_TITLES.get(r.kind, r.kind)}: "
                f"{titles.get(r.collateral_id, 'a document')}",
                ref_id=r.id,
                unsent=r.id in unsent_entities,
            )
        )
    rubric = load_rubric(conn)
    for r in conn.execute(select(BANT_HISTORY).where(BANT_HISTORY.c.lead_id == lead_id)):
        name, value = _bant_words(rubric, r.dimension, r.value)
        entries.append(
            TimelineEntry(
                kind=TimelineKind.QUALIFICATION,
                at=must(r.recorded_at),
                title=f"{name}: {value}" if r.value else f"{name} cleared",
                detail=r.verbatim,
                ref_id=r.mutation_id or "",
                unsent=r.mutation_id is not None and r.mutation_id in unsent_mutations,
            )
        )
    entries.sort(key=lambda e: (e.at, e.kind.value, e.ref_id), reverse=True)
    return entries
