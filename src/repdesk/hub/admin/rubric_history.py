"""The published rubrics, newest first, each with who published it, when, and what
changed from the version before: a compact list of dimension, option and threshold
changes (`rubric_changes`), in plain text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from repdesk.hub.db.models import RubricVersion
from repdesk.protocol.schema import RubricData, RubricDimensionData, ScaleOptionData

CONFIDENCE = {1: "low", 2: "medium", 3: "high"}


@dataclass(frozen=True, slots=True)
class RubricVersionInfo:
    version: int
    name: str
    published_at: datetime
    published_by: str
    """A user's email, "cli", or "" (the defaults a new hub was seeded with)."""
    changes: tuple[str, ...]
    """What changed from the previous version (empty for the first, or if identical)."""
    first: bool


def _read(data: dict[str, Any]) -> RubricData | None:
    try:
        return RubricData.model_validate(data)
    except ValueError:
        return None


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _option_changes(dim: str, old: RubricDimensionData, new: RubricDimensionData) -> list[str]:
    changes: list[str] = []
    before: dict[str, ScaleOptionData] = {}
    for option in old.options:
        before.setdefault(option.code, option)
    after: dict[str, ScaleOptionData] = {}
    for option in new.options:
        after.setdefault(option.code, option)
    for code, option in after.items():
        was = before.get(code)
        if was is None:
            qualifies = "qualifies" if option.qualifies else "does not qualify"
            changes.append(f"{dim}: option {code} ({option.label!r}) added, {qualifies}")
            continue
        if was.label != option.label:
            changes.append(f"{dim}: option {code} renamed {was.label!r} → {option.label!r}")
        if was.qualifies != option.qualifies:
            now = "now qualifies" if option.qualifies else "no longer qualifies"
            changes.append(f"{dim}: option {code} {now}")
    for code, option in before.items():
        if code not in after:
            changes.append(f"{dim}: option {code} ({option.label!r}) removed")
    if [o.code for o in old.options if o.code in after] != [
        o.code for o in new.options if o.code in before
    ]:
        changes.append(f"{dim}: options reordered")
    return changes


def _dimension_changes(old: RubricDimensionData, new: RubricDimensionData) -> list[str]:
    dim = new.dimension
    changes: list[str] = []
    if old.required != new.required:
        changes.append(f"{dim}: {'now required' if new.required else 'no longer required'}")
    if old.title != new.title:
        changes.append(f"{dim}: title {old.title!r} → {new.title!r}")
    if old.question != new.question:
        changes.append(f"{dim}: question reworded")
    return changes + _option_changes(dim, old, new)


def rubric_changes(old: RubricData, new: RubricData) -> list[str]:
    """What changed from `old` to `new`, one short line per change."""
    changes: list[str] = []
    if old.name != new.name:
        changes.append(f"name {old.name!r} → {new.name!r}")
    if old.min_qualifying != new.min_qualifying:
        changes.append(f"dimensions needed to qualify: {old.min_qualifying} → {new.min_qualifying}")
    if old.min_confidence != new.min_confidence:
        changes.append(
            f"confidence floor: {CONFIDENCE.get(old.min_confidence, old.min_confidence)} → "
            f"{CONFIDENCE.get(new.min_confidence, new.min_confidence)}"
        )
    before = {d.dimension: d for d in old.dimensions}
    after = {d.dimension: d for d in new.dimensions}
    for dim in new.dimensions:
        was = before.get(dim.dimension)
        if was is None:
            changes.append(f"{dim.dimension}: dimension added (required: {_yes(dim.required)})")
        else:
            changes.extend(_dimension_changes(was, dim))
    for dim in old.dimensions:
        if dim.dimension not in after:
            changes.append(f"{dim.dimension}: dimension removed")
    return changes


def rubric_history(session: Session, limit: int = 50) -> list[RubricVersionInfo]:
    """The newest `limit` published versions, newest first, each compared with the one
    published before it."""
    rows = session.scalars(
        select(RubricVersion)
        .order_by(RubricVersion.published_at.desc(), RubricVersion.id.desc())
        .limit(limit + 1)
    ).all()
    out: list[RubricVersionInfo] = []
    for index, row in enumerate(rows[:limit]):
        previous = rows[index + 1] if index + 1 < len(rows) else None
        new, old = _read(row.data), _read(previous.data) if previous is not None else None
        if previous is None:
            changes: tuple[str, ...] = ()
        elif new is None or old is None:
            changes = ("(this version cannot be compared: its data is unreadable)",)
        else:
            changes = tuple(rubric_changes(old, new))
        out.append(
            RubricVersionInfo(
                row.version,
                row.name,
                row.published_at,
                row.published_by,
                changes,
                first=previous is None,
            )
        )
    return out


__all__ = ["RubricVersionInfo", "rubric_changes", "rubric_history"]
