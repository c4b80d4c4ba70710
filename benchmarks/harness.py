"""The benchmark harness: a registry of named measurements, the data scales, and the
figures they produce (median of several runs, with min and max, and where a floor exists
the floor measured in the same run and value ÷ floor).

A *suite* is a function registered with `@suite(...)` in one of the `bench_*.py` modules;
it builds its data once for a scale and returns `Figure`s for the names it measures.
`benchmarks/run.py` runs the suites and writes `results/latest.json` and `RESULTS.md`.
"""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Scale:
    name: str
    leads: int
    events: int

    @property
    def events_per_lead(self) -> int:
        return max(1, self.events // self.leads)


SCALES = {
    "S": Scale("S", 1_000, 30_000),
    "M": Scale("M", 10_000, 300_000),
    "L": Scale("L", 100_000, 1_000_000),
}

# Every figure the harness reports, with the scales of a full run (a quick run takes
# each of them at S only, so every code path runs in the test suite).
FIGURES: dict[str, tuple[str, ...]] = {
    "sync.initial": ("M", "L"),
    "sync.noop": ("M", "L"),
    "sync.incremental": ("S", "L"),
    "sync.push": ("M",),
    "hub.push_pg": ("S",),
    "hub.scaleout": ("S",),
    "store.bulk_load": ("L",),
    "outbox.commit": ("L",),
    "search.query": ("L",),
    "collateral.download": ("S",),
    "collateral.download_s3": ("S",),
    "gui.filter": ("L",),
    "gui.open_lead": ("L",),
    "gui.startup": ("L",),
    "gui.rss": ("L",),
    "hub.concurrent": ("S",),
    "import.leads": ("L",),
    "import.rss": ("L",),
}


@dataclass
class Figure:
    """One reported figure. `ratio` is value ÷ floor (for times: lower is better)."""

    name: str
    value: float | None
    unit: str
    scale: str
    min: float | None = None
    max: float | None = None
    runs: int = 0
    floor: float | None = None
    ratio: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "value": _round(self.value)}
        out |= {"unit": self.unit, "scale": self.scale}
        if self.floor is not None:
            out |= {"floor": _round(self.floor), "ratio": _round(self.ratio)}
        out |= {"min": _round(self.min), "max": _round(self.max), "runs": self.runs}
        if self.note:
            out["note"] = self.note
        out |= {k: _round(v) if isinstance(v, float) else v for k, v in self.extra.items()}
        return out


def _round(value: float | None) -> float | None:
    if value is None:
        return None
    return float(f"{value:.4g}")


def figure(
    name: str,
    unit: str,
    scale: Scale,
    samples: Sequence[float],
    floor: Sequence[float] = (),
    *,
    note: str = "",
    **extra: Any,
) -> Figure:
    """The median of `samples` with min and max; `floor` samples from the same run give
    floor (their median) and ratio (value ÷ floor)."""
    value = statistics.median(samples)
    fig = Figure(name, value, unit, scale.name, min(samples), max(samples), len(samples))
    if floor:
        fig.floor = statistics.median(floor)
        fig.ratio = value / fig.floor if fig.floor else None
    fig.note = note
    fig.extra = dict(extra)
    return fig


def skipped(name: str, unit: str, scale: Scale, why: str) -> Figure:
    return Figure(name, None, unit, scale.name, note=f"skipped: {why}")


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@dataclass
class Context:
    """What a suite gets: a scratch folder, how many runs, and the run's options."""

    work: Path
    runs: int
    quick: bool
    pg_url: str | None = None
    log: Callable[[str], None] = print

    def wants(self, name: str, scale: Scale) -> bool:
        if self.quick:
            return scale.name == "S"
        return scale.name in FIGURES[name]

    def scratch(self, label: str) -> Path:
        path = self.work / label
        path.mkdir(parents=True, exist_ok=True)
        return path


SuiteFn = Callable[[Context, Scale], list[Figure]]


@dataclass(frozen=True)
class Suite:
    name: str
    figures: tuple[str, ...]
    fn: SuiteFn

    def scales(self, quick: bool) -> list[Scale]:
        if quick:
            return [SCALES["S"]]
        wanted = {s for f in self.figures for s in FIGURES[f]}
        return [s for key, s in SCALES.items() if key in wanted]


REGISTRY: dict[str, Suite] = {}


def suite(name: str, figures: Sequence[str]) -> Callable[[SuiteFn], SuiteFn]:
    """Register `fn(ctx, scale) -> [Figure]` as the suite producing `figures`."""
    unknown = set(figures) - set(FIGURES)
    if unknown:
        raise ValueError(f"unknown figure names {sorted(unknown)}")

    def register(fn: SuiteFn) -> SuiteFn:
        REGISTRY[name] = Suite(name, tuple(figures), fn)
        return fn

    return register


# -- output -------------------------------------------------------------------------------


def _cell(value: float | None) -> str:
    if value is None:
        return "–"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def table(figures: Sequence[Figure]) -> str:
    """A Markdown table of the figures."""
    lines = [
        "| figure | scale | value | unit | min | max | runs | floor | ratio | note |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for f in figures:
        note = f.note
        if f.extra:
            note = "; ".join(
                [
                    *([note] if note else []),
                    *(f"{k} {_cell(v) if isinstance(v, float) else v}" for k, v in f.extra.items()),
                ]
            )
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else "–"
        lines.append(
            f"| {f.name} | {f.scale} | {_cell(f.value)} | {f.unit} | {_cell(f.min)} | "
            f"{_cell(f.max)} | {f.runs} | {_cell(f.floor)} | {ratio} | {note} |"
        )
    return "\n".join(lines)


def write(
    figures: Sequence[Figure],
    out: Path,
    *,
    command: str,
    started: datetime,
    load_at_start: tuple[float, float, float],
) -> None:
    """`out/results/latest.json` (a list of figure objects) and `out/RESULTS.md`."""
    (out / "results").mkdir(parents=True, exist_ok=True)
    payload = [f.as_json() for f in figures]
    (out / "results" / "latest.json").write_text(json.dumps(payload, indent=2) + "\n")

    def load(values: tuple[float, float, float]) -> str:
        return " / ".join(f"{x:.2f}" for x in values)

    text = (
        "# Benchmark results (the last run)\n\n"
        f"`{command}` on {os.cpu_count()} CPUs, started {started:%Y-%m-%d %H:%M} UTC "
        f"(load average {load(load_at_start)} over 1 / 5 / 15 min), last figure at "
        f"{datetime.now(UTC):%H:%M} UTC (load average {load(os.getloadavg())}).\n\n"
        "Every value is the median of `runs` runs, with their min and max; `ratio` is "
        "value ÷ floor, the floor measured in the same run (for times, lower is better).\n\n"
        f"{table(figures)}\n"
    )
    (out / "RESULTS.md").write_text(text)
