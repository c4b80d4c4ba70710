"""Marketing's rubric and objection taxonomy: defaults on init, replaced from JSON files
(the CLI) or from data (the workspace's editors). Every publication writes its audit entry
in the same transaction, in the name of `actor` ("cli" for the command line)."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES, DEFAULT_RUBRIC
from repdesk.domain.errors import ValidationError
from repdesk.domain.ids import utcnow
from repdesk.hub.admin import audit
from repdesk.hub.admin.hub import Hub
from repdesk.hub.db.models import ObjectionCategory, RubricRow, RubricVersion
from repdesk.hub.sync.changes import touch_global
from repdesk.protocol.convert import rubric_to_data
from repdesk.protocol.schema import RubricData

log = logging.getLogger(__name__)

_CODE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,99}$")
_MAX_CODE = 100
"""An answer's code is stored as the lead's answer value (at most 100 characters)."""


def seed_defaults(session: Session) -> None:
    """Give a new hub the default rubric and taxonomy (nothing happens if it has them)."""
    if session.scalar(select(RubricRow.id).limit(1)) is None:
        _store_rubric(session, rubric_to_data(DEFAULT_RUBRIC).model_dump(mode="json"))
    if session.scalar(select(ObjectionCategory.code).limit(1)) is None:
        for category in DEFAULT_OBJECTION_CATEGORIES:
            session.add(
                ObjectionCategory(
                    code=category.code, label=category.label, description=category.description
                )
            )
            touch_global(session, "objection_category", category.code, 1)


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path.name} is not a UTF-8 text file; {what} is JSON.") from exc
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{path.name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from exc


def _pydantic_message(exc: PydanticValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "the top level"
    more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside `X`, `list[X]`, `X | None`..., if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _unknown_key(raw: Any, model: type[BaseModel], where: str = "") -> str | None:
    """'key "x" in dimensions[1] (budget)' for the first key `model` does not know."""
    if not isinstance(raw, dict):
        return None  # a wrong shape is the validator's to report
    for key, value in raw.items():
        field = model.model_fields.get(key)
        if field is None:
            known = ", ".join(model.model_fields)
            place = f" in {where}" if where else " at the top level"
            return f"unknown key {key!r}{place} (known keys: {known})"
        inner = _nested_model(field.annotation)
        if inner is None:
            continue
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            label = key if index is None else f"{key}[{index}]"
            if isinstance(item, dict):
                named = item.get("dimension") or item.get("code")
                if isinstance(named, str) and named:
                    label += f" ({named})"
            problem = _unknown_key(item, inner, f"{where} > {label}" if where else label)
            if problem:
                return problem
    return None


def validate_rubric(raw: Any, name: str = "the rubric file") -> RubricData:
    """A RubricData that makes sense, else a ValidationError saying what is wrong."""
    # RubricData ignores unknown keys (newer hubs may add some on the wire), but in a file
    # marketing wrote, an unknown key is a typo ("requried") that would silently change
    # the rubric.
    unknown = _unknown_key(raw, RubricData)
    if unknown:
        raise ValidationError(f"{name}: {unknown}.")
    try:
        rubric = RubricData.model_validate(raw)
    except PydanticValidationError as exc:
        raise ValidationError(f"{name} is not a valid rubric: {_pydantic_message(exc)}") from exc
    if not rubric.name.strip():
        raise ValidationError(f"{name}: the rubric needs a name.")
    seen: set[str] = set()
    for dim in rubric.dimensions:
        if dim.dimension in seen:
            raise ValidationError(f"{name}: the {dim.dimension} dimension is listed twice.")
        seen.add(dim.dimension)
        if not dim.title.strip():
            raise ValidationError(f"{name}: {dim.dimension} needs a title.")
        for option in dim.options:
            if not option.code.strip():
                raise ValidationError(
                    f"{name}: an option of {dim.dimension} ({option.label!r}) has no code."
                )
            if option.code != option.code.strip() or len(option.code) > _MAX_CODE:
                raise ValidationError(
                    f"{name}: the code {option.code!r} of {dim.dimension} must have no "
                    f"spaces around it and at most {_MAX_CODE} characters."
                )
            if not option.label.strip():
                raise ValidationError(
                    f"{name}: the option {option.code} of {dim.dimension} needs a label."
                )
        codes = [o.code for o in dim.options]
        if not codes:
            raise ValidationError(f"{name}: {dim.dimension} has no answer options.")
        if len(set(codes)) != len(codes):
            raise ValidationError(f"{name}: {dim.dimension} has two options with the same code.")
        if not any(o.qualifies for o in dim.options):
            raise ValidationError(
                f"{name}: no answer for {dim.dimension} qualifies, so no lead could be ready."
            )
    if not rubric.dimensions:
        raise ValidationError(f"{name}: the rubric has no dimensions.")
    if rubric.min_qualifying > len(rubric.dimensions):
        raise ValidationError(
            f"{name}: min_qualifying is {rubric.min_qualifying} but the rubric has only "
            f"{len(rubric.dimensions)} dimensions."
        )
    return rubric


def _store_rubric(session: Session, data: dict[str, Any], published_by: str = "") -> RubricRow:
    row = session.scalar(select(RubricRow).where(RubricRow.active.is_(True)).limit(1))
    if row is None:
        row = RubricRow(name=data["name"], data=data, active=True, version=1)
        session.add(row)
    else:
        row.name = data["name"]
        row.data = data
        row.version += 1
    session.flush()  # the id is made on flush
    session.add(
        RubricVersion(
            rubric_id=row.id,
            version=row.version,
            name=row.name,
            data=data,
            published_at=utcnow(),
            published_by=published_by,
        )
    )
    touch_global(session, "rubric", row.id, row.version)
    return row


@dataclass(frozen=True, slots=True)
class PublishedRubric:
    rubric: RubricData
    version: int
    """The active rubric's version after the call."""
    changed: bool
    """False when the rubric was the same as the active one (nothing was written)."""


def publish_rubric(
    hub: Hub,
    raw: Any,
    *,
    actor: str = audit.CLI_ACTOR,
    name: str = "the rubric",
    force: bool = False,
) -> PublishedRubric:
    """Validate `raw` (a rubric as JSON data) and make it the active rubric: a new version
    in the history, logged so reps pull it at their next sync, audited as
    "rubric.publish". Unless `force`, a rubric equal to the active one writes nothing."""
    rubric = validate_rubric(raw, name)
    data = rubric.model_dump(mode="json")
    with hub.db.write() as session:
        active = session.scalar(select(RubricRow).where(RubricRow.active.is_(True)).limit(1))
        if active is not None and active.data == data and not force:
            return PublishedRubric(rubric, active.version, changed=False)
        row = _store_rubric(session, data, published_by=actor)
        audit.record(
            session,
            actor,
            "rubric.publish",
            rubric.name,
            {"version": row.version, "dimensions": len(rubric.dimensions)},
        )
        version = row.version
    log.info("rubric %r published as version %d by %s", rubric.name, version, actor)
    return PublishedRubric(rubric, version, changed=True)


def set_rubric(hub: Hub, path: Path, *, actor: str = audit.CLI_ACTOR) -> RubricData:
    """Publish the rubric in the JSON file at `path` (always a new version)."""
    raw = _read_json(path, "a rubric")
    return publish_rubric(hub, raw, actor=actor, name=path.name, force=True).rubric


class _CategoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=100)
    label: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5000)


class _TaxonomyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    categories: list[_CategoryIn] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class TaxonomyChange:
    added: int
    updated: int
    retired: int
    unchanged: int


def validate_taxonomy(raw: Any, name: str = "the taxonomy file") -> list[_CategoryIn]:
    """A list of categories, or {"categories": [...]}; codes unique, lowercase, no spaces."""
    if isinstance(raw, list):
        raw = {"categories": raw}
    unknown = _unknown_key(raw, _TaxonomyIn)
    if unknown:
        raise ValidationError(f"{name}: {unknown}.")
    try:
        taxonomy = _TaxonomyIn.model_validate(raw)
    except PydanticValidationError as exc:
        raise ValidationError(
            f"{name} is not a valid objection taxonomy: {_pydantic_message(exc)}"
        ) from exc
    codes: set[str] = set()
    for category in taxonomy.categories:
        if not _CODE.match(category.code):
            raise ValidationError(
                f"{name}: code {category.code!r} must be lowercase letters, digits, _ or -."
            )
        if category.code in codes:
            raise ValidationError(f"{name}: code {category.code!r} is listed twice.")
        if not category.label.strip():
            raise ValidationError(f"{name}: {category.code} needs a label.")
        codes.add(category.code)
    return taxonomy.categories


def apply_categories(session: Session, categories: list[_CategoryIn]) -> TaxonomyChange:
    """Make `categories` (validated) the taxonomy, in the caller's writing transaction:
    new codes added, changed ones updated (a retired one listed again comes back),
    codes not listed retired. Each change is logged for reps' pulls."""
    added = updated = retired = unchanged = 0
    existing = {row.code: row for row in session.scalars(select(ObjectionCategory))}
    for category in categories:
        row = existing.pop(category.code, None)
        if row is None:
            row = ObjectionCategory(
                code=category.code,
                label=category.label,
                description=category.description,
                version=1,
            )
            session.add(row)
            added += 1
        elif (row.label, row.description, row.retired) == (
            category.label,
            category.description,
            False,
        ):
            unchanged += 1
            continue
        else:
            row.label, row.description, row.retired = (
                category.label,
                category.description,
                False,
            )
            row.version += 1
            updated += 1
        touch_global(session, "objection_category", row.code, row.version)
    for row in existing.values():
        if row.retired:
            continue
        # Retired, not deleted: old objections keep pointing at a known code.
        row.retired = True
        row.version += 1
        retired += 1
        touch_global(session, "objection_category", row.code, row.version, op="remove")
    return TaxonomyChange(added, updated, retired, unchanged)


def apply_taxonomy(
    hub: Hub, raw: Any, *, actor: str = audit.CLI_ACTOR, name: str = "the taxonomy"
) -> TaxonomyChange:
    """Replace the taxonomy with `raw` (JSON data, as `validate_taxonomy` takes it);
    audited as "taxonomy.publish"."""
    categories = validate_taxonomy(raw, name)
    with hub.db.write() as session:
        change = apply_categories(session, categories)
        audit.record(
            session,
            actor,
            "taxonomy.publish",
            name,
            {
                "added": change.added,
                "updated": change.updated,
                "retired": change.retired,
                "unchanged": change.unchanged,
            },
        )
    return change


def set_taxonomy(hub: Hub, path: Path, *, actor: str = audit.CLI_ACTOR) -> TaxonomyChange:
    """Replace the taxonomy: new codes added, changed ones updated, missing ones retired."""
    return apply_taxonomy(hub, _read_json(path, "a taxonomy"), actor=actor, name=path.name)
