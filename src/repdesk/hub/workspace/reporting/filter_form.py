"""The report pages' filter bar as a GET query string, so a filtered page can be
bookmarked and shared: `start`, `end` (ISO dates), and `campaign`, `source`, `rep` (each
may repeat; an empty value means "all").

`read_filter` turns a request's query into a `ReportFilter` plus what the form shows
back; bad values never raise: they are dropped and described in `problems`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from repdesk.domain.errors import ValidationError
from repdesk.hub.reports import ReportFilter

FILTER_KEYS = ("start", "end", "campaign", "source", "rep")
_MAX_VALUES = 50
_MAX_LENGTH = 200


@dataclass(frozen=True, slots=True)
class FilterForm:
    flt: ReportFilter
    start: str = ""
    end: str = ""
    campaigns: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    reps: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default_factory=tuple)

    def pairs(self) -> list[tuple[str, str]]:
        """The filter as query pairs, in a stable order (what links carry along)."""
        found: list[tuple[str, str]] = []
        if self.start:
            found.append(("start", self.start))
        if self.end:
            found.append(("end", self.end))
        found += [("campaign", v) for v in self.campaigns]
        found += [("source", v) for v in self.sources]
        found += [("rep", v) for v in self.reps]
        return found

    def query(self, **extra: str | None) -> str:
        """ "?start=...&campaign=..." plus `extra` (None or "" values left out); "" when
        there is nothing to carry."""
        pairs = self.pairs() + [(k, v) for k, v in extra.items() if v]
        return "?" + urlencode(pairs) if pairs else ""

    def chosen(self, name: str) -> str:
        """The one value a single-choice dropdown shows for `name` ("" = all)."""
        values = {"campaign": self.campaigns, "source": self.sources, "rep": self.reps}[name]
        return values[0] if len(values) == 1 else ""


def _values(params: QueryParams | Mapping[str, str], key: str) -> tuple[str, ...]:
    raw: Iterable[str] = (
        params.getlist(key) if isinstance(params, QueryParams) else [params.get(key, "")]
    )
    kept: list[str] = []
    for text in raw:
        value = text.strip()
        if value and len(value) <= _MAX_LENGTH and value not in kept:
            kept.append(value)
    return tuple(kept[:_MAX_VALUES])


def _day(value: str, what: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"The {what} date {value[:40]!r} is not a date (YYYY-MM-DD); ignored.")
        return None


def read_filter(params: QueryParams | Mapping[str, str]) -> FilterForm:
    """The filter a page's query string asks for (never raises; see `problems`)."""
    problems: list[str] = []
    start_text = _values(params, "start")[:1]
    end_text = _values(params, "end")[:1]
    start = _day(start_text[0] if start_text else "", "start", problems)
    end = _day(end_text[0] if end_text else "", "end", problems)
    campaigns, sources, reps = (_values(params, k) for k in ("campaign", "source", "rep"))
    try:
        flt = ReportFilter(start, end, frozenset(campaigns), frozenset(sources), frozenset(reps))
    except ValidationError as exc:
        problems.append(f"{exc} The dates are ignored.")
        start = end = None
        flt = ReportFilter(None, None, frozenset(campaigns), frozenset(sources), frozenset(reps))
    return FilterForm(
        flt,
        start.isoformat() if start else "",
        end.isoformat() if end else "",
        campaigns,
        sources,
        reps,
        tuple(problems),
    )


__all__ = ["FILTER_KEYS", "FilterForm", "read_filter"]
