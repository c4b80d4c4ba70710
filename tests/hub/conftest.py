"""tests/hub: every test hashes passwords at a small argon2 cost. The hub fixtures
(`embedded_hub`, `hub_admin`, `client_for`, ...) are in `tests/support/hub_fixtures.py`,
the seeded hub (`world`) in `tests/support/world.py`."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _cheap_argon2_here(cheap_argon2: None) -> None:
    """Sign-ins here use `cheap_argon2`: the same code path, a fraction of the CPU."""
