"""The suite is self-contained: a bare clone (nothing beside it) runs every test.

Tests once read the PDF corpus from the shared folder beside the checkout (two by an
absolute path) and stopped at collection on a fresh clone. This keeps any test, test
helper or doc from reaching outside the repository again.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.corpus import CORPUS, ENCRYPTED, corpus_pdfs

REPO = Path(__file__).resolve().parents[1]
SHARED = "shared"  # the folder CI lays beside the checkout; tests must not read it
OUTSIDE = re.compile(
    rf"""["'/]\.\./{SHARED}\b"""  # a path string that climbs out of the repository
    rf"""|"\.\."\s*/\s*"{SHARED}"|{SHARED}/collateral-corpus"""  # the same, with pathlib
    r"""|["'`\s](/work|/home|/root)/"""  # an absolute path on one machine
)


def _texts() -> list[Path]:
    found = [*REPO.joinpath("tests").rglob("*.py"), *REPO.joinpath("docs").rglob("*.md")]
    return [p for p in found if p.resolve() != Path(__file__).resolve()]


def test_no_test_or_doc_reaches_outside_the_repository() -> None:
    offenders = []
    for path in _texts():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_corpus_is_in_the_repository_with_its_licence() -> None:
    assert CORPUS.is_relative_to(REPO)
    assert (CORPUS / "LICENSE").read_text(encoding="utf-8").startswith("Attribution-ShareAlike")
    names = {p.name for p in corpus_pdfs()}
    assert ENCRYPTED in names
    assert len(names) == 14


def test_the_readme_apt_line_is_the_package_list_ci_installs() -> None:
    listed = (REPO / "packaging" / "qt-system-packages.txt").read_text(encoding="utf-8").split()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    line = next(row for row in readme.splitlines() if row.startswith("apt-get install -y"))
    assert line.split()[3:] == listed
    assert "packaging/qt-system-packages.txt" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
