"""The objection feed's own narrowing: one category and one competitor, read from the
query string (`category`, `competitor`), and the choices its dropdowns offer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from repdesk.hub.db.models import ObjectionCategory, ObjectionRow
from repdesk.hub.reports import Option

_MAX_LENGTH = 200


@dataclass(frozen=True, slots=True)
class FeedChoice:
    category: str = ""
    competitor: str = ""
    after: str = ""
    """The keyset cursor of the page before (empty: the newest)."""

    def extra(self) -> dict[str, str | None]:
        """The feed's own query pairs (for `FilterForm.query(**...)`)."""
        return {"category": self.category, "competitor": self.competitor}


def read_feed_choice(params: QueryParams | Mapping[str, str]) -> FeedChoice:
    def one(key: str) -> str:
        value = (params.get(key) or "").strip()
        return value if len(value) <= _MAX_LENGTH else ""

    return FeedChoice(one("category"), one("competitor"), one("after"))


@dataclass(frozen=True, slots=True)
class FeedOptions:
    categories: tuple[Option, ...]
    competitors: tuple[Option, ...]


def feed_options(session: Session) -> FeedOptions:
    """Every objection category (by label) and every competitor named in an objection."""
    categories = session.execute(
        select(ObjectionCategory.code, ObjectionCategory.label).order_by(
            ObjectionCategory.label, ObjectionCategory.code
        )
    ).all()
    competitors = session.scalars(
        select(ObjectionRow.competitor)
        .where(ObjectionRow.competitor != "")
        .distinct()
        .order_by(ObjectionRow.competitor)
    ).all()
    return FeedOptions(
        tuple(Option(code, label or code) for code, label in categories),
        tuple(Option(c, c) for c in competitors),
    )


__all__ = ["FeedChoice", "FeedOptions", "feed_options", "read_feed_choice"]
