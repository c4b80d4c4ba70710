"""Marketing's library with the hub's files in an S3 bucket (moto's real server on
loopback): an upload through the workspace lands under its hash, never its name, and both
marketing (the workspace download) and a rep (the sync API, by range too) get it back."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import moto.settings
import pytest
from sqlalchemy import select

from repdesk.hub.config import HubConfig
from repdesk.hub.db.models import Collateral
from repdesk.hub.embedded import EmbeddedHub
from tests.support.corpus import corpus_pdfs
from tests.support.hub_fixtures import login
from tests.support.s3_fixtures import S3Bucket

from .act_support import flash_after, upload
from .conftest import MARKETER_EMAIL, REP_EMAIL, Browser, People

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


@pytest.fixture
def hub_config(s3_bucket: S3Bucket, tmp_path: Path, hub_db_url: str) -> HubConfig:
    """The served hub keeps its files in `s3_bucket`."""
    return s3_bucket.config(tmp_path / "hub", database_url=hub_db_url)


def test_an_upload_is_stored_by_hash_and_served_to_marketing_and_reps(
    embedded_hub: EmbeddedHub,
    people: People,
    browser: Callable[[str], Browser],
    s3_bucket: S3Bucket,
) -> None:
    client = browser(MARKETER_EMAIL)
    good = corpus_pdfs()[0].read_bytes()
    sha = hashlib.sha256(good).hexdigest()
    answer = upload(client, "/workspace/collateral", "..\\..\\hub.db", good, {"title": "Sheet"})
    assert "Reps get it at their next sync" in flash_after(client, answer)
    assert s3_bucket.keys() == [f"hub/collateral/{sha[:2]}/{sha}"]
    with embedded_hub.state.db.read() as session:
        row = session.scalars(select(Collateral)).one()
    assert row.sha256 == sha and row.original_name == "hub.db"

    download = client.get(f"/workspace/collateral/{row.id}/file")
    assert download.status_code == 200 and download.content == good
    assert download.headers["content-disposition"] == 'attachment; filename="hub.db"'
    assert download.headers["content-type"] == "application/pdf"

    with closing(login(embedded_hub.base_url, REP_EMAIL)) as rep:
        whole = rep.get(f"/v1/collateral/{sha}")
        assert whole.status_code == 200 and whole.content == good
        part = rep.get(f"/v1/collateral/{sha}", headers={"Range": "bytes=100-"})
        assert part.status_code == 206 and part.content == good[100:]


def test_an_upload_the_store_refuses_is_a_sentence_and_adds_nothing(
    embedded_hub: EmbeddedHub,
    people: People,
    browser: Callable[[str], Browser],
    s3_bucket: S3Bucket,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """moto's own switch (`INITIAL_NO_AUTH_ACTION_COUNT`) makes the server check
    credentials from now on; the hub's are unknown to it."""
    client = browser(MARKETER_EMAIL)
    with monkeypatch.context() as checking:
        checking.setattr(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
        answer = upload(client, "/workspace/collateral", "deck.pdf", PDF, {"title": "Deck"})
    assert answer.status_code == 503
    assert "Not added: Cannot look up a stored file" in answer.text
    assert "refused the hub&#39;s credentials" in answer.text
    assert 'value="Deck"' in answer.text  # the form keeps what was typed
    assert s3_bucket.keys() == []
    with embedded_hub.state.db.read() as session:
        assert session.scalars(select(Collateral)).all() == []
