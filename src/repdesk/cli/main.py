"""Entry point for `repdesk`: parses arguments without touching Qt, then dispatches."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from repdesk import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="repdesk",
        description="repdesk: your leads, their nurture history and a live-call console, "
        "offline-first, synced with marketing's hub.",
    )
    parser.add_argument("--version", action="version", version=f"repdesk {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where repdesk keeps its data (default: $REPDESK_HOME "
        "or the platform's user data directory)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start an embedded demo hub on loopback and sign in to it",
    )
    parser.add_argument(
        "--screenshot",
        metavar="DIR",
        help="render the main views offscreen into PNG files and exit",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from repdesk.app.launch import run_gui

    return run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
