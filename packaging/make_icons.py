"""Regenerate the app icon's PNG sizes, .ico and .icns from the one drawing (the SVG).

    .venv/bin/python packaging/make_icons.py

Needs `rsvg-convert` (Debian: apt-get install librsvg2-bin) to draw each size from the
SVG, and Pillow (in the project's lock, via fpdf2) to pack the Windows .ico and the macOS
.icns. The outputs are committed, so a build never needs either tool: run this only after
changing `src/repdesk/resources/icons/repdesk.svg`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

ICONS = Path(__file__).resolve().parent.parent / "src" / "repdesk" / "resources" / "icons"
SVG = ICONS / "repdesk.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # Windows reads up to 256
ICNS_SIZES = (16, 32, 64, 128, 256, 512)  # the sizes the .icns format has slots for


def png_path(size: int) -> Path:
    return ICONS / f"repdesk-{size}.png"


def main() -> int:
    rsvg = shutil.which("rsvg-convert")
    if rsvg is None:
        print("rsvg-convert is missing: apt-get install librsvg2-bin", file=sys.stderr)
        return 1
    for size in PNG_SIZES:
        out = png_path(size)
        subprocess.run(
            [rsvg, "--width", str(size), "--height", str(size), "-o", str(out), str(SVG)],
            check=True,
        )
        # Re-save through Pillow: drops rsvg's timestamps so a re-run changes no bytes.
        Image.open(out).convert("RGBA").save(out, optimize=True)
    images = {size: Image.open(png_path(size)).convert("RGBA") for size in PNG_SIZES}
    largest = images[256]
    largest.save(
        ICONS / "repdesk.ico",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != 256],
    )
    images[512].save(
        ICONS / "repdesk.icns",
        append_images=[images[s] for s in ICNS_SIZES if s != 512],
    )
    for path in sorted(ICONS.iterdir()):
        print(f"{path.name}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
