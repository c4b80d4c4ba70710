"""Entry point for `repdesk`: parses arguments without touching Qt, then dispatches.

With no sub-command it starts the desktop app; the sub-commands are for scripting and for
reps who live in a terminal. Nothing here imports Qt unless the GUI is started.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from repdesk import __version__

BANT_FLAGS = ("budget", "authority", "need", "timeframe")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="repdesk",
        description="repdesk: your leads, their nurture history and a live-call console, "
        "offline-first, synced with marketing's hub. Without a command, starts the app.",
    )
    parser.add_argument("--version", action="version", version=f"repdesk {__version__}")
    _data_dir(parser)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start an embedded demo hub on loopback with realistic data and sign in to it",
    )
    parser.add_argument(
        "--screenshot",
        metavar="DIR",
        help="render the main views offscreen into PNG files in DIR and exit",
    )
    parser.add_argument(
        "--grab-window",
        metavar="PNG",
        help="open the real window, save a picture of the screen to PNG once it is shown, "
        "and exit (a smoke test for a display)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("login", help="sign in to a hub (password from a prompt, or stdin)")
    p.add_argument("--hub", required=True, metavar="URL", help="the hub's address, https://...")
    p.add_argument("--email", required=True)
    p.add_argument(
        "--ca-file",
        metavar="PEM",
        help="your company's certificate authority file, trusted for the hub in addition "
        "to this computer's own certificate store (kept in the settings)",
    )
    _data_dir(p)

    p = sub.add_parser("logout", help="sign out (refuses while work is unsent, unless --force)")
    p.add_argument("--force", action="store_true", help="sign out even with unsent work")
    _data_dir(p)

    p = sub.add_parser("sync", help="push queued work, pull changes, fetch collateral")
    _data_dir(p)

    p = sub.add_parser("status", help="signed-in hub, last sync, pending/rejected/conflicts")
    _data_dir(p)

    p = sub.add_parser("leads", help="list your leads")
    p.add_argument("--search", metavar="Q", default="", help="prefix search over name/company")
    p.add_argument("--ready", action="store_true", help="only sales-ready leads")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    _data_dir(p)

    p = sub.add_parser("log", help="record a call note, BANT answers or objections for a lead")
    p.add_argument("lead", metavar="LEAD", help="lead id, email, or a search that finds one lead")
    p.add_argument("--note", metavar="TEXT")
    for flag in BANT_FLAGS:
        p.add_argument(f"--{flag}", metavar="CODE", help=f"{flag} value code from the rubric")
    p.add_argument(
        "--confidence",
        choices=["low", "medium", "high"],
        default="medium",
        help="confidence for the BANT answers given",
    )
    p.add_argument(
        "--objection",
        action="append",
        default=[],
        metavar="CATEGORY:TEXT",
        help="an objection: category code, a colon, the prospect's words (repeatable)",
    )
    _data_dir(p)

    p = sub.add_parser("update", help="a newer repdesk from your hub: check, or download it")
    p.add_argument(
        "action",
        choices=["check", "download"],
        help="check: say whether the hub has a newer build; download: fetch, verify and "
        "unpack it (it starts next time repdesk starts)",
    )
    _data_dir(p)

    p = sub.add_parser("export-pending", help="save every unsent item to a JSON file")
    p.add_argument("file", metavar="FILE")
    _data_dir(p)
    return parser


def _data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="where repdesk keeps its data (default: $REPDESK_HOME or the user data folder)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not hasattr(args, "data_dir"):
        args.data_dir = None
    if args.command is None:
        from repdesk.app.handover import hand_over_to_newer

        hand_over_to_newer(args.data_dir)  # an installed bundle starts a newer verified build
        from repdesk.app.launch import run_gui

        return run_gui(args)
    from repdesk.cli.commands import run_command
    from repdesk.terminal import run_quietly_piped

    return run_quietly_piped(lambda: run_command(args))


if __name__ == "__main__":
    sys.exit(main())
