"""The demo's rubric history: marketing tightened its definition of a sales-ready lead once,
so the workspace's rubric history (and any report by rubric version) has two to compare."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from repdesk.domain.qualification import Rubric
from repdesk.protocol.convert import rubric_to_data


@dataclass(frozen=True, slots=True)
class DemoRubricVersion:
    version: int
    name: str
    data: dict[str, Any]
    """A `RubricData` dump, as the hub stores it."""
    published_at: datetime
    published_by: str


def rubric_history(current: Rubric, now: datetime, author: str) -> tuple[DemoRubricVersion, ...]:
    """Version 1: the launch rubric (any 2 of 4, only Need required); version 2 (`current`,
    what reps use now): Authority required too, 3 of 4."""
    data = rubric_to_data(current).model_dump(mode="json")
    first = {
        **data,
        "name": "Sales-ready lead (launch)",
        "min_qualifying": 2,
        "dimensions": [{**d, "required": d["dimension"] == "need"} for d in data["dimensions"]],
    }
    return (
        DemoRubricVersion(1, first["name"], first, now - timedelta(days=180), author),
        DemoRubricVersion(2, data["name"], data, now - timedelta(days=45), author),
    )
