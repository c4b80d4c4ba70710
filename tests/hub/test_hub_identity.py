"""The hub's stable identity: `hub_id`, made once per database and never rotated.

A hub is recognised by this id, not by its address: the demo hub gets a new port each
run and a real hub may move behind a proxy. The cursor epoch is NOT an identity (it
rotates on purpose when cursors are invalidated), so the two are separate.
"""

from __future__ import annotations

from typing import Any

import httpx
from alembic import command
from tests.support.hub_fixtures import PASSWORD
from tests.support.world import World

from repdesk.hub.config import HubConfig
from repdesk.hub.db.engine import Database, make_engine
from repdesk.hub.db.migrate import alembic_config, upgrade_database
from repdesk.hub.db.models import HubMeta
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.sync.cursor import rotate_epoch


def _meta(base_url: str) -> dict[str, Any]:
    response = httpx.get(f"{base_url}/v1/sync/meta", timeout=30)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def _stored(db: Database, key: str) -> str:
    with db.read() as s:
        row = s.get(HubMeta, key)
        assert row is not None, f"hub_meta has no {key}"
        return row.value


def test_meta_and_login_name_the_hub_by_an_id_that_survives_a_new_port_and_a_new_epoch(
    embedded_hub: EmbeddedHub, hub_config: HubConfig, world: World
) -> None:
    hub_id = _meta(embedded_hub.base_url)["hub_id"]
    assert isinstance(hub_id, str) and len(hub_id) == 36
    assert hub_id == _stored(embedded_hub.state.db, "hub_id")
    assert hub_id != embedded_hub.state.epoch
    login = httpx.post(
        f"{embedded_hub.base_url}/v1/auth/login",
        json={"email": world.ada.email, "password": PASSWORD},
        timeout=30,
    )
    assert login.status_code == 200 and login.json()["hub_id"] == hub_id

    # The operator invalidates every cursor and restarts the hub, on another port.
    with embedded_hub.state.db.write() as s:
        old_epoch = embedded_hub.state.epoch
        rotate_epoch(s)
    embedded_hub.stop()
    moved = EmbeddedHub(hub_config)
    moved.start()
    try:
        assert moved.base_url != embedded_hub.base_url or moved.port != embedded_hub.port
        assert moved.state.epoch != old_epoch
        assert _meta(moved.base_url)["hub_id"] == hub_id
    finally:
        moved.stop()


def test_an_existing_hub_gets_its_id_from_the_migration_and_keeps_it(hub_db_url: str) -> None:
    """A database made before hub ids (schema 0004) is given one when migrated, once."""
    engine = make_engine(hub_db_url)
    cfg = alembic_config(hub_db_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
    engine.dispose()
    db = Database(hub_db_url)
    try:
        with db.read() as s:
            assert s.get(HubMeta, "hub_id") is None
        upgrade_database(hub_db_url)
        first = _stored(db, "hub_id")
        upgrade_database(hub_db_url)
        assert _stored(db, "hub_id") == first
        assert first != _stored(db, "epoch")
    finally:
        db.dispose()
