"""The benchmark harness works: `benchmarks/run.py --quick` (what `./dev bench --quick`
runs) measures every named figure at S and writes `results/latest.json` and `RESULTS.md`.

No speed is asserted here: the figures of a test run on a shared machine mean nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIGURES = [  # the harness's names, in its order
    *("sync.initial", "sync.noop", "sync.incremental", "sync.push", "hub.push_pg"),
    "hub.scaleout",
    *("store.bulk_load", "outbox.commit", "search.query", "collateral.download"),
    "collateral.download_s3",
    *("gui.filter", "gui.open_lead", "gui.startup", "gui.rss"),
    *("hub.concurrent", "import.leads", "import.rss"),
]
NEEDS_PG = {"hub.push_pg", "hub.scaleout"}
WITH_FLOOR = {
    "hub.concurrent",
    "hub.scaleout",
    "sync.initial",
    "store.bulk_load",
    "search.query",
    "collateral.download",
    "collateral.download_s3",
    "gui.startup",
    "gui.rss",
}


@pytest.mark.timeout(900)
def test_a_quick_run_writes_every_figure(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path)}
    # The benchmarks run as `./dev bench` does, with the machine's keyring choice: the
    # tests' in-memory backend is not importable from the benchmark's own processes.
    env.pop("PYTHON_KEYRING_BACKEND", None)
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick", "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=840,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    figures = json.loads((out / "results" / "latest.json").read_text())
    assert [f["name"] for f in figures] == FIGURES
    for f in figures:
        assert f["scale"] == "S"
        assert isinstance(f["unit"], str) and f["unit"]
        if f["name"] in NEEDS_PG and not os.environ.get("REPDESK_TEST_PG_URL"):
            assert f["value"] is None
            assert f["note"].startswith("skipped")
            continue
        assert f["value"] > 0, f
        assert f["min"] <= f["value"] <= f["max"]
        if f["name"] in WITH_FLOOR:
            assert f["floor"] > 0
            assert f["ratio"] == pytest.approx(f["value"] / f["floor"], rel=1e-2)
    assert next(f for f in figures if f["name"] == "hub.concurrent")["errors"] == 0

    page = (out / "RESULTS.md").read_text()
    assert "load average" in page
    assert all(f"| {name} | S |" in page for name in FIGURES)
