"""The rubric editor's form, both ways: a rubric as form rows to show, and the posted
fields back into rubric data for `validate_rubric` (which says what is wrong).

Fields: `name`, `min_qualifying`, `min_confidence`; per BANT dimension `i` (0-3, in BANT
order) `d{i}.asked`, `d{i}.title`, `d{i}.question`, `d{i}.required`; per option `j`
`d{i}.o{j}.code`, `.label`, `.qualifies`, `.remove`. A row left blank (no code, no label)
or marked `remove` is dropped. Quick-pick keys follow the options' order ("1", "2", ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from repdesk.domain.qualification import BANT_ORDER
from repdesk.protocol.schema import RubricData, RubricDimensionData

DIMENSIONS: tuple[str, ...] = tuple(d.value for d in BANT_ORDER)
BLANK_OPTIONS = 2
"""Empty option rows offered under each dimension for new answers."""
MAX_OPTIONS = 30
CONFIDENCE_LEVELS = ((1, "Low (a guess)"), (2, "Medium"), (3, "High (confirmed)"))


@dataclass
class OptionRow:
    code: str = ""
    label: str = ""
    qualifies: bool = False
    remove: bool = False

    @property
    def blank(self) -> bool:
        return not self.code.strip() and not self.label.strip()


@dataclass
class DimensionForm:
    index: int
    dimension: str
    asked: bool = True
    title: str = ""
    question: str = ""
    required: bool = False
    options: list[OptionRow] = field(default_factory=list)

    def prefix(self) -> str:
        return f"d{self.index}"


@dataclass
class RubricForm:
    name: str
    min_qualifying: str
    min_confidence: str
    dimensions: list[DimensionForm]


def _padded(options: list[OptionRow]) -> list[OptionRow]:
    kept = options[:MAX_OPTIONS]
    room = max(0, min(BLANK_OPTIONS, MAX_OPTIONS - len(kept)))
    return [*kept, *(OptionRow() for _ in range(room))]


def from_rubric(rubric: RubricData) -> RubricForm:
    """The form showing `rubric` (every BANT dimension; those it does not ask, unticked)."""
    by_dimension: dict[str, RubricDimensionData] = {}
    for dim in rubric.dimensions:
        by_dimension.setdefault(dim.dimension, dim)
    dimensions = []
    for index, name in enumerate(DIMENSIONS):
        spec = by_dimension.get(name)
        if spec is None:
            dimensions.append(
                DimensionForm(index, name, asked=False, title=name.title(), options=_padded([]))
            )
            continue
        rows = [OptionRow(o.code, o.label, o.qualifies) for o in spec.options]
        dimensions.append(
            DimensionForm(
                index, name, True, spec.title, spec.question, spec.required, _padded(rows)
            )
        )
    return RubricForm(
        rubric.name, str(rubric.min_qualifying), str(rubric.min_confidence), dimensions
    )


def _text(form: Mapping[str, Any], key: str) -> str:
    value = form.get(key, "")
    return value if isinstance(value, str) else ""


def _ticked(form: Mapping[str, Any], key: str) -> bool:
    return _text(form, key) not in ("", "0", "false", "off")


def from_fields(form: Mapping[str, Any]) -> RubricForm:
    """The form as posted (nothing judged yet; blank rows kept so they are shown again)."""
    dimensions = []
    for index, name in enumerate(DIMENSIONS):
        prefix = f"d{index}"
        options = []
        for j in range(MAX_OPTIONS):
            key = f"{prefix}.o{j}"
            if f"{key}.code" not in form and f"{key}.label" not in form:
                continue
            options.append(
                OptionRow(
                    _text(form, f"{key}.code").strip(),
                    _text(form, f"{key}.label").strip(),
                    _ticked(form, f"{key}.qualifies"),
                    _ticked(form, f"{key}.remove"),
                )
            )
        kept = [o for o in options if not o.remove and not o.blank]
        dimensions.append(
            DimensionForm(
                index,
                name,
                _ticked(form, f"{prefix}.asked"),
                _text(form, f"{prefix}.title").strip(),
                _text(form, f"{prefix}.question").strip(),
                _ticked(form, f"{prefix}.required"),
                _padded(kept),
            )
        )
    return RubricForm(
        " ".join(_text(form, "name").split()),
        _text(form, "min_qualifying").strip(),
        _text(form, "min_confidence").strip(),
        dimensions,
    )


def to_data(form: RubricForm) -> dict[str, Any]:
    """Rubric data (JSON-like) for `validate_rubric`; numbers stay as typed, so a bad one
    gets the validator's message."""
    return {
        "name": form.name,
        "min_qualifying": form.min_qualifying,
        "min_confidence": form.min_confidence,
        "dimensions": [
            {
                "dimension": dim.dimension,
                "title": dim.title,
                "question": dim.question,
                "required": dim.required,
                "options": [
                    {
                        "code": option.code,
                        "label": option.label,
                        "qualifies": option.qualifies,
                        "key": str(number),
                    }
                    for number, option in enumerate(
                        (o for o in dim.options if not o.blank and not o.remove), start=1
                    )
                ],
            }
            for dim in form.dimensions
            if dim.asked
        ],
    }


__all__ = [
    "BLANK_OPTIONS",
    "CONFIDENCE_LEVELS",
    "DIMENSIONS",
    "DimensionForm",
    "OptionRow",
    "RubricForm",
    "from_fields",
    "from_rubric",
    "to_data",
]
