"""The app's clock: a jump of the wall clock (sleep, a clock change) is noticed."""

from __future__ import annotations

from typing import Any

import pytest

from repdesk.gui import clock as clock_module
from repdesk.gui.clock import SystemClock


def test_a_jump_of_the_wall_clock_is_noticed_and_ticking_is_not(
    qapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    wall, mono = [1000.0], [50.0]
    monkeypatch.setattr(clock_module.time, "time", lambda: wall[0])
    monkeypatch.setattr(clock_module.time, "monotonic", lambda: mono[0])
    clock = SystemClock()
    jumps: list[bool] = []
    clock.jumped.connect(lambda: jumps.append(True))
    wall[0] += 60
    mono[0] += 60  # a minute ticked by
    clock.beat()
    assert jumps == []
    wall[0] += 3600 + 60
    mono[0] += 60  # the laptop slept for an hour
    clock.beat()
    assert jumps == [True]
    clock.deleteLater()
