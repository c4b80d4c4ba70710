"""Editing the objection taxonomy one category at a time (the workspace's editor): add,
rename (a new label or description; the code is the stable id reps and collateral tags
use), retire and restore.

Each edit rebuilds the whole list and goes through the same `validate_taxonomy` and
`apply_categories` as a taxonomy file, in one transaction with its audit entry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from repdesk.domain.errors import ValidationError
from repdesk.hub.admin import audit
from repdesk.hub.admin.hub import Hub
from repdesk.hub.admin.reference import apply_categories, validate_taxonomy
from repdesk.hub.db.models import ObjectionCategory

log = logging.getLogger(__name__)

_WHAT = "The objection taxonomy"
_MAX_LABEL = 300


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    code: str
    label: str
    description: str
    retired: bool


def list_categories(session: Session, *, include_retired: bool = True) -> list[CategoryInfo]:
    """Active categories by label, then (with `include_retired`) the retired ones."""
    query = select(ObjectionCategory)
    if not include_retired:
        query = query.where(ObjectionCategory.retired.is_(False))
    rows = session.scalars(query).all()
    ordered = sorted(rows, key=lambda r: (r.retired, r.label.casefold(), r.code))
    return [CategoryInfo(r.code, r.label, r.description, r.retired) for r in ordered]


def _active(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(ObjectionCategory)
        .where(ObjectionCategory.retired.is_(False))
        .order_by(ObjectionCategory.code)
    ).all()
    return [{"code": r.code, "label": r.label, "description": r.description} for r in rows]


def _find(session: Session, code: str) -> ObjectionCategory:
    row = session.get(ObjectionCategory, code.strip())
    if row is None:
        raise ValidationError(f"There is no objection category with the code {code.strip()!r}.")
    return row


def _check(code: str, label: str) -> None:
    if not code:
        raise ValidationError("The category needs a code (e.g. data_residency).")
    if not label.strip():
        raise ValidationError(f"The category {code!r} needs a label.")
    if len(label.strip()) > _MAX_LABEL:
        raise ValidationError(f"The label can have at most {_MAX_LABEL} characters.")


def _edit(
    hub: Hub,
    actor: str,
    action: str,
    code: str,
    change: Callable[[Session, list[dict[str, Any]]], list[dict[str, Any]]],
) -> None:
    with hub.db.write() as session:
        categories = change(session, _active(session))
        validated = validate_taxonomy(categories, _WHAT)
        apply_categories(session, validated)
        audit.record(session, actor, action, code)
    log.info("objection category %s: %s by %s", code, action, actor)


def add_category(
    hub: Hub, code: str, label: str, description: str = "", *, actor: str = audit.CLI_ACTOR
) -> None:
    """A new category; its code must be new (a retired code is restored instead)."""
    code = code.strip()
    _check(code, label)

    def change(session: Session, active: list[dict[str, Any]]) -> list[dict[str, Any]]:
        row = session.get(ObjectionCategory, code)
        if row is not None:
            if row.retired:
                raise ValidationError(
                    f"The code {code!r} belongs to the retired category {row.label!r}: "
                    "restore it instead."
                )
            raise ValidationError(f"There is already a category with the code {code!r}.")
        return [*active, {"code": code, "label": label.strip(), "description": description}]

    _edit(hub, actor, "category.add", code, change)


def update_category(
    hub: Hub, code: str, label: str, description: str = "", *, actor: str = audit.CLI_ACTOR
) -> None:
    """A new label and description for an active category (the code stays)."""
    code = code.strip()
    _check(code, label)

    def change(session: Session, active: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if _find(session, code).retired:
            raise ValidationError(f"{code!r} is retired: restore it before renaming it.")
        return [
            {**c, "label": label.strip(), "description": description} if c["code"] == code else c
            for c in active
        ]

    _edit(hub, actor, "category.update", code, change)


def retire_category(hub: Hub, code: str, *, actor: str = audit.CLI_ACTOR) -> None:
    """Reps stop offering it; objections already filed keep their code."""
    code = code.strip()

    def change(session: Session, active: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if _find(session, code).retired:
            raise ValidationError(f"{code!r} is already retired.")
        remaining = [c for c in active if c["code"] != code]
        if not remaining:
            raise ValidationError("The last category cannot be retired: reps need at least one.")
        return remaining

    _edit(hub, actor, "category.retire", code, change)


def restore_category(hub: Hub, code: str, *, actor: str = audit.CLI_ACTOR) -> None:
    """Bring a retired category back, with its label and description."""
    code = code.strip()

    def change(session: Session, active: list[dict[str, Any]]) -> list[dict[str, Any]]:
        row = _find(session, code)
        if not row.retired:
            raise ValidationError(f"{code!r} is not retired.")
        return [*active, {"code": row.code, "label": row.label, "description": row.description}]

    _edit(hub, actor, "category.restore", code, change)


__all__ = [
    "CategoryInfo",
    "add_category",
    "list_categories",
    "restore_category",
    "retire_category",
    "update_category",
]
