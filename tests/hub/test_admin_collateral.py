"""Collateral intake with real PDFs from many producers, an encrypted one, and broken files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy.engine import make_url
from tests.hub.admin_helpers import upserts
from tests.support import hub_rows
from tests.support.corpus import CORPUS

from repdesk.domain.errors import ValidationError
from repdesk.hub import admin
from repdesk.hub.file_store import FileStore

# files.json describes the whole upstream corpus; only some of its files are shipped here.
CORPUS_FILES = [
    entry
    for entry in json.loads((CORPUS / "files.json").read_text(encoding="utf-8"))["data"]
    if (CORPUS / Path(entry["path"]).name).is_file()
]


def test_the_corpus_is_there_with_an_encrypted_file() -> None:
    assert len(CORPUS_FILES) >= 10
    assert any(entry["encrypted"] for entry in CORPUS_FILES)


@pytest.mark.parametrize("entry", CORPUS_FILES, ids=lambda e: Path(e["path"]).name)
def test_corpus_pdfs_are_flagged_exactly_when_encrypted(hub_admin: admin.Hub, entry: dict) -> None:
    path = CORPUS / Path(entry["path"]).name
    info = admin.add_collateral(hub_admin, path, Path(entry["path"]).stem, tags=("Case-Study",))
    assert info.media_type == "application/pdf"
    assert bool(info.problem) == entry["encrypted"], info.problem
    if entry["encrypted"]:
        assert "password" in info.problem
    stored = hub_admin.files.path_for(info.sha256)
    assert stored.read_bytes() == path.read_bytes()
    assert info.tags == ("case-study",)


def test_truncated_and_fake_pdfs_are_accepted_but_flagged(
    hub_admin: admin.Hub, tmp_path: Path
) -> None:
    original = (CORPUS / "pdflatex-4-pages.pdf").read_bytes()
    truncated = tmp_path / "cut.pdf"
    truncated.write_bytes(original[: len(original) // 2])
    info = admin.add_collateral(hub_admin, truncated, "Cut off")
    assert info.media_type == "application/pdf"
    assert "damaged" in info.problem or "cut off" in info.problem

    garbage = tmp_path / "brochure.pdf"
    garbage.write_bytes(b"Dear customer, this is not a PDF at all.\n" * 20)
    info = admin.add_collateral(hub_admin, garbage, "Not a PDF")
    assert info.media_type == "text/plain"
    assert "Named like a PDF" in info.problem

    head_only = tmp_path / "head.pdf"
    head_only.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    assert admin.add_collateral(hub_admin, head_only, "Header only").problem


def test_media_type_comes_from_content_not_name(hub_admin: admin.Hub, tmp_path: Path) -> None:
    png = tmp_path / "datasheet.pdf.txt"
    png.write_bytes(bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 64)
    info = admin.add_collateral(hub_admin, png, "Logo")
    assert info.media_type == "image/png"
    assert info.problem == ""
    renamed = tmp_path / "minimal.bin"
    renamed.write_bytes((CORPUS / "minimal-document.pdf").read_bytes())
    info = admin.add_collateral(hub_admin, renamed, "Minimal")
    assert (info.media_type, info.problem) == ("application/pdf", "")


def test_library_listing_campaigns_duplicates_and_pull(
    hub_admin: admin.Hub, tmp_path: Path
) -> None:
    rep, _ = admin.add_rep(hub_admin, "ann@example.com", "Ann")
    with pytest.raises(ValidationError, match="no campaign"):
        admin.add_collateral(hub_admin, CORPUS / "pdfkit.pdf", "Kit", campaign="Spring launch")
    events = tmp_path / "events.csv"
    events.write_text(
        "email,type,occurred_at,campaign\nx@example.com,web_visit,2024-01-01,Spring launch\n",
        encoding="utf-8",
    )
    lead_file = tmp_path / "leads.jsonl"
    lead_file.write_text('{"email": "x@example.com", "first_name": "X"}\n', encoding="utf-8")
    admin.import_leads(hub_admin, lead_file)
    admin.import_events(hub_admin, events)  # creates the campaign by name
    info = admin.add_collateral(hub_admin, CORPUS / "pdfkit.pdf", "Kit", campaign="spring LAUNCH")
    assert info.campaign == "Spring launch"
    with pytest.raises(ValidationError, match="already in the library"):
        admin.add_collateral(hub_admin, CORPUS / "pdfkit.pdf", "Kit again")
    with pytest.raises(ValidationError, match="needs a title"):
        admin.add_collateral(hub_admin, CORPUS / "habibi.pdf", "   ")
    with pytest.raises(ValidationError, match="not a file"):
        admin.add_collateral(hub_admin, tmp_path / "missing.pdf", "Missing")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError, match="empty"):
        admin.add_collateral(hub_admin, empty, "Empty")
    assert [c.title for c in admin.list_collateral(hub_admin)] == ["Kit"]
    assert upserts(hub_admin, rep.id, "collateral") == {info.id}


class _WritersWatch:
    """The hub's real file store, noting at each `put_file` whether another writer could
    begin a write transaction on the hub's SQLite file at that moment (a fresh
    connection's `BEGIN IMMEDIATE` with no wait). A wrapper, not a stand-in: every call
    goes to the real store."""

    def __init__(self, inner: FileStore, database: Path) -> None:
        self.inner = inner
        self.database = database
        self.others_could_write: list[bool] = []

    def put_file(self, path: Path) -> tuple[str, int]:
        probe = sqlite3.connect(self.database, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.rollback()
            self.others_could_write.append(True)
        except sqlite3.OperationalError:
            self.others_could_write.append(False)
        finally:
            probe.close()
        return self.inner.put_file(path)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_storing_the_file_holds_no_write_lock(hub_admin: admin.Hub, tmp_path: Path) -> None:
    """Storing a file can take long (a large upload to an S3 bucket): other writers (reps'
    pushes, sign-ins) must not wait for it."""
    database = Path(make_url(hub_admin.config.database_url).database or "")
    watch = _WritersWatch(hub_admin.files, database)
    hub = admin.Hub(hub_admin.config, hub_admin.db, cast(FileStore, watch))
    source = tmp_path / "deck.pdf"
    source.write_bytes((CORPUS / "minimal-document.pdf").read_bytes())
    hub_rows.add_campaign(hub_admin.db, "Spring webinar")
    info = admin.add_collateral(hub, source, "Deck", campaign="Spring webinar")
    assert watch.others_could_write == [True]
    assert hub_admin.files.exists(info.sha256)
