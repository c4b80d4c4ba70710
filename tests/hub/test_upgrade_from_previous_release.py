"""A hub database made by the previous release upgrades to this one (issue 11.5).

`tests/data/hub-db-rev0005/` is a hub home created by the code at migration 0005 (its
README says how). A copy is upgraded the way an operator does it (`repdesk-hub init`, as
the systemd unit runs before every start), then served: the rep signs in with the
password set then and pulls the leads, events and collateral made then, and the cursor
epoch and hub id are unchanged, so reps' apps carry on without a full refresh.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from tests.hub.helpers import pull_all
from tests.support.hub_fixtures import login

from repdesk.hub.cli.main import main as hub_main
from repdesk.hub.config import HubConfig
from repdesk.hub.db.migrate import head_revision
from repdesk.hub.embedded import EmbeddedHub

OLD_HOME = Path(__file__).resolve().parent.parent / "data" / "hub-db-rev0005"
HUB_ID = "c61b776a-936d-4b17-b820-cfa3d0cb7e0f"
EPOCH = "d82a18cf-ade5-4893-bf8c-69f3a93e5bf2"
PDF_SHA = "f723638db6e763cf4ccadad38a3d38a02d9ecab95dab1f0bbf00e801991b5f92"


def _one(db: Path, sql: str) -> object:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


@pytest.fixture
def old_home(tmp_path: Path) -> Path:
    home = tmp_path / "hub"
    shutil.copytree(OLD_HOME, home, ignore=shutil.ignore_patterns("README.md"))
    assert _one(home / "hub.db", "SELECT version_num FROM alembic_version") == "0005"
    return home


def test_init_upgrades_the_previous_releases_hub_and_keeps_its_data(
    old_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REPDESK_HUB_DATABASE_URL", raising=False)
    db = old_home / "hub.db"
    assert hub_main(["--home", str(old_home), "init"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert _one(db, "SELECT version_num FROM alembic_version") == head_revision()
    assert _one(db, "SELECT count(*) FROM followups") == 0  # 0006's table, now there
    assert _one(db, "SELECT value FROM hub_meta WHERE key = 'hub_id'") == HUB_ID
    assert _one(db, "SELECT value FROM hub_meta WHERE key = 'epoch'") == EPOCH
    assert _one(db, "SELECT count(*) FROM users WHERE email = 'mia@example.com'") == 1

    with EmbeddedHub(HubConfig.resolve(old_home)) as base_url:
        alice = login(base_url, "alice@example.com", "alice-password-0005")
        try:
            changes, _cursor = pull_all(alice)
            by_entity: dict[str, set[str]] = {}
            for change in changes:
                by_entity.setdefault(change["entity"], set()).add(change["id"])
            assert len(by_entity["lead"]) == 4
            assert len(by_entity["nurture_event"]) == 3
            assert len(by_entity["campaign"]) == 2
            (item,) = [c["data"] for c in changes if c["entity"] == "collateral"]
            assert item["sha256"] == PDF_SHA
            body = alice.get(f"/v1/collateral/{PDF_SHA}")
            assert body.status_code == 200
            assert hashlib.sha256(body.content).hexdigest() == PDF_SHA
        finally:
            alice.close()
