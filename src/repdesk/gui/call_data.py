"""What the call console reads from the store (on the DB lane) and small pure helpers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from repdesk.domain.defaults import DEFAULT_RUBRIC
from repdesk.domain.feedback import Objection, ObjectionCategory
from repdesk.domain.leads import Lead
from repdesk.domain.qualification import Bant, BantAnswer, BantDimension, Rubric
from repdesk.gui.objection_dialog import severity_name
from repdesk.gui.ops import OpContext
from repdesk.gui.text import one_line, tr
from repdesk.store.call_drafts import CallDraft, load_draft


@dataclass(frozen=True, slots=True)
class CallData:
    lead: Lead | None
    rubric: Rubric
    default_rubric: bool
    """True when marketing's rubric has not been synced yet (the standard one is used)."""
    bant: Bant
    objections: list[Objection]
    categories: dict[str, ObjectionCategory]
    draft: CallDraft | None


def load_call(drafts_dir: Path, lead_id: str, c: OpContext) -> CallData:
    store = c.store
    rubric = store.rubric()
    return CallData(
        lead=store.lead(lead_id),
        rubric=rubric or DEFAULT_RUBRIC,
        default_rubric=rubric is None,
        bant=store.bant(lead_id),
        objections=store.objections(lead_id),
        categories={cat.code: cat for cat in store.objection_categories()},
        draft=load_draft(drafts_dir, lead_id, store.key),
    )


@dataclass(frozen=True, slots=True)
class Reference:
    """What a sync may change under a running call."""

    lead: Lead | None
    rubric: Rubric | None
    categories: dict[str, ObjectionCategory]


def load_reference(lead_id: str, c: OpContext) -> Reference:
    store = c.store
    categories = {cat.code: cat for cat in store.objection_categories()}
    return Reference(store.lead(lead_id), store.rubric(), categories)


def with_answer(bant: Bant, dimension: BantDimension, answer: BantAnswer | None) -> Bant:
    if dimension is BantDimension.BUDGET:
        return replace(bant, budget=answer)
    if dimension is BantDimension.AUTHORITY:
        return replace(bant, authority=answer)
    if dimension is BantDimension.NEED:
        return replace(bant, need=answer)
    return replace(bant, timeframe=answer)


def objection_lines(
    objections: list[Objection], categories: dict[str, ObjectionCategory], last: int = 6
) -> str:
    """The latest objections, one plain line each: "• Price / budget (high) — “...”"."""
    if not objections:
        return tr("call", "None yet. Ctrl+O to add one.")
    lines = []
    for obj in objections[-last:]:
        cat = categories.get(obj.category_code)
        label = cat.label if cat else obj.category_code
        words = f" — “{one_line(obj.verbatim, 70)}”" if obj.verbatim else ""
        lines.append(f"• {label} ({severity_name(obj.severity)}){words}")
    return "\n".join(lines)
