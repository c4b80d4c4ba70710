"""The real-world PDF corpus the tests use, kept inside the repository.

`tests/data/collateral-corpus/` holds the files, their licence (CC-BY-SA-4.0) and their
source; a bare clone has everything the tests read. Nothing here reaches outside the
repository.
"""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "data" / "collateral-corpus"
ENCRYPTED = "libreoffice-writer-password.pdf"


def corpus_pdfs() -> list[Path]:
    """Every PDF of the corpus, sorted by name."""
    return sorted(CORPUS.glob("*.pdf"))
