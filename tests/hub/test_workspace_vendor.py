"""The workspace's vendored front-end libraries are exactly the files its README records
(sha256 of each), each library ships its licence, and nothing unrecorded sits beside them."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import repdesk.hub

VENDOR = Path(repdesk.hub.__file__).parent / "workspace" / "static" / "vendor"
ROW = re.compile(
    r"^\|\s*`(?P<file>[^`]+)`\s*\|\s*(?P<package>[^|]+?)\s*\|\s*(?P<version>[^|]+?)\s*\|"
    r"\s*`[^`]+`\s*\|\s*(?P<licence>[^|]+?)\s*\|\s*`(?P<sha256>[0-9a-f]{64})`\s*\|$"
)
LICENCE_TEXT = {"MIT": "Permission is hereby granted", "0BSD": "Zero-Clause BSD"}


@dataclass(frozen=True)
class Entry:
    file: str
    package: str
    version: str
    licence: str
    sha256: str


def recorded() -> list[Entry]:
    text = (VENDOR / "README.md").read_text(encoding="utf-8")
    return [Entry(**m.groupdict()) for line in text.splitlines() if (m := ROW.match(line))]


def test_the_readme_records_both_libraries_and_their_licences() -> None:
    entries = recorded()
    assert {(e.package, e.file) for e in entries} == {
        ("htmx.org", "htmx.min.js"),
        ("htmx.org", "htmx.LICENSE"),
        ("chart.js", "chart.umd.min.js"),
        ("chart.js", "chart.js.LICENSE.md"),
    }


@pytest.mark.parametrize("entry", recorded(), ids=lambda e: e.file)
def test_each_file_matches_its_recorded_sha256(entry: Entry) -> None:
    digest = hashlib.sha256((VENDOR / entry.file).read_bytes()).hexdigest()
    assert digest == entry.sha256, f"{entry.file} differs from vendor/README.md"


def test_nothing_unrecorded_is_vendored() -> None:
    present = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()}
    assert present - {"README.md"} == {e.file for e in recorded()}


@pytest.mark.parametrize("package", ["htmx.org", "chart.js"])
def test_each_library_has_its_licence(package: str) -> None:
    entries = [e for e in recorded() if e.package == package]
    licences = [e for e in entries if "LICENSE" in e.file]
    assert len(licences) == 1, f"{package}: exactly one licence file expected"
    licence = licences[0]
    assert {e.licence for e in entries} == {licence.licence}
    assert {e.version for e in entries} == {licence.version}
    text = (VENDOR / licence.file).read_text(encoding="utf-8")
    assert LICENCE_TEXT[licence.licence] in text


@pytest.mark.parametrize(
    ("file", "stamp"),
    [("htmx.min.js", 'version:"{v}"'), ("chart.umd.min.js", "Chart.js v{v}\n")],
)
def test_each_library_is_the_recorded_version(file: str, stamp: str) -> None:
    (entry,) = [e for e in recorded() if e.file == file]
    assert stamp.format(v=entry.version) in (VENDOR / file).read_text(encoding="utf-8")
