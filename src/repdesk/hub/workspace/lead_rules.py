"""The Leads page's assign / unassign form: up to `ROWS` conditions on the fields
`admin.assign` filters by (`WHERE_FIELDS`), a limit, reassign; read from the posted
fields into what the operations take, with messages for what is missing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from repdesk.domain.errors import ValidationError
from repdesk.hub.admin.assign import WHERE_FIELDS, parse_where

ROWS = 3
FIELD_LABELS: dict[str, str] = {
    "external_id": "CRM id",
    "email": "Email",
    "company": "Company",
    "industry": "Industry",
    "country": "Country",
    "title": "Job title",
    "lifecycle_stage": "Lifecycle stage",
    "lead_status": "Lead status",
    "campaign": "Source campaign",
    "min_score": "Score at least",
}


def field_choices() -> list[tuple[str, str]]:
    """(field, label) for every field the operations filter by, in their order."""
    return [(name, FIELD_LABELS.get(name, name)) for name in WHERE_FIELDS]


@dataclass
class RuleForm:
    """The form as posted (strings, so it can be shown again as typed)."""

    rep: str = ""
    """The rep's email (assign: who gets the leads; unassign: whose leads, "" = anyone's)."""
    fields: list[str] = field(default_factory=lambda: [""] * ROWS)
    values: list[str] = field(default_factory=lambda: [""] * ROWS)
    limit: str = ""
    reassign: bool = False

    def hidden(self) -> list[tuple[str, str]]:
        """The form as hidden inputs (name, value), for the confirmation step."""
        out = [("rep", self.rep), ("limit", self.limit)]
        for i, (name, value) in enumerate(zip(self.fields, self.values, strict=True)):
            out += [(f"field{i}", name), (f"value{i}", value)]
        if self.reassign:
            out.append(("reassign", "1"))
        return out


@dataclass(frozen=True, slots=True)
class Rule:
    where: list[tuple[str, str]]
    limit: int | None


def _text(form: Mapping[str, Any], key: str) -> str:
    value = form.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def read_form(form: Mapping[str, Any]) -> RuleForm:
    return RuleForm(
        rep=_text(form, "rep"),
        fields=[_text(form, f"field{i}") for i in range(ROWS)],
        values=[_text(form, f"value{i}") for i in range(ROWS)],
        limit=_text(form, "limit"),
        reassign=_text(form, "reassign") not in ("", "0"),
    )


def rule_of(form: RuleForm) -> Rule:
    """The conditions and limit (ValidationError saying what to fix)."""
    items = []
    for name, value in zip(form.fields, form.values, strict=True):
        if not name:
            continue
        if not value:
            label = FIELD_LABELS.get(name, name)
            raise ValidationError(f"Give a value for {label}, or set that condition to “any”.")
        items.append(f"{name}={value}")
    where = parse_where(items)
    limit: int | None = None
    if form.limit:
        if not form.limit.isdigit() or int(form.limit) < 1 or len(form.limit) > 9:
            raise ValidationError("The limit must be a whole number of at least 1 (or empty).")
        limit = int(form.limit)
    return Rule(where, limit)


def describe(rule: Rule) -> str:
    """ "industry is Retail, score at least 50" (or "all leads")."""
    parts = [
        f"score at least {value}"
        if name == "min_score"
        else f"{FIELD_LABELS.get(name, name).lower()} is {value}"
        for name, value in rule.where
    ]
    text = ", ".join(parts) or "any lead"
    return text + (f" (at most {rule.limit})" if rule.limit else "")


__all__ = [
    "FIELD_LABELS",
    "ROWS",
    "Rule",
    "RuleForm",
    "describe",
    "field_choices",
    "read_form",
    "rule_of",
]
