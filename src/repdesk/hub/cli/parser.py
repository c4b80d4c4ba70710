"""The `repdesk-hub` command line's arguments (the commands themselves are in `cli`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from repdesk import __version__
from repdesk.hub import admin

PROG = "repdesk-hub"


DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def build_parser() -> argparse.ArgumentParser:
    home = argparse.ArgumentParser(add_help=False)
    home.add_argument(
        "--home",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the hub's folder (default: $REPDESK_HUB_HOME, else the user data folder); "
        "set REPDESK_HUB_DATABASE_URL to use PostgreSQL",
    )
    home.add_argument(
        "--files-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="where collateral and client builds are kept (default: $REPDESK_HUB_FILES_DIR, "
        "else the hub's folder); hubs on several hosts share one, e.g. a shared mount",
    )
    home.add_argument(
        "--files-s3",
        metavar="S3_URL",
        default=argparse.SUPPRESS,
        help="keep collateral and client builds in an S3-compatible bucket instead, e.g. "
        "s3://bucket/repdesk (default: $REPDESK_HUB_FILES_S3); hubs on several hosts share "
        "it. Credentials come only from the standard AWS places (AWS_ACCESS_KEY_ID / "
        "AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws, an instance role), never from options",
    )
    home.add_argument(
        "--s3-endpoint-url",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="the S3-compatible service's address, e.g. https://minio.example:9000 "
        "(default: $REPDESK_HUB_S3_ENDPOINT_URL, else $AWS_ENDPOINT_URL_S3, else AWS)",
    )
    home.add_argument(
        "--s3-region",
        metavar="REGION",
        default=argparse.SUPPRESS,
        help="the bucket's region (default: $REPDESK_HUB_S3_REGION, else $AWS_REGION)",
    )
    parser = argparse.ArgumentParser(
        prog=PROG, parents=[home], description="Marketing's repdesk hub: reps, leads, collateral."
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def cmd(
        name: str, helptext: str, parent: argparse._SubParsersAction[argparse.ArgumentParser] = sub
    ) -> argparse.ArgumentParser:
        return parent.add_parser(name, parents=[home], help=helptext, description=helptext)

    cmd("init", "create the hub (or upgrade it) with the default rubric and taxonomy")
    cmd("migrate", "bring an existing hub's database to the newest schema (serve does it too)")
    p = cmd("serve", "serve the sync API to reps' desktop apps")
    p.add_argument("--host", default=DEFAULT_HOST)
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="serve from N processes (PostgreSQL only; default 1); migrations and upkeep "
        "run once, before the workers start",
    )
    p.add_argument(
        "--forwarded-allow-ips",
        metavar="IPS",
        help="trust X-Forwarded-For/-Proto only from these proxy addresses (comma-separated; "
        "default: trust no proxy header)",
    )

    rep = cmd("rep", "manage rep accounts").add_subparsers(dest="action", required=True)
    p = cmd("add", "add a rep (a password is generated and shown once)", rep)
    p.add_argument("email")
    p.add_argument("--name", required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    cmd("list", "list reps and how many leads each has", rep)
    cmd("disable", "disable a rep and end their sessions", rep).add_argument("email")
    cmd("enable", "let a disabled rep sign in again", rep).add_argument("email")
    cmd("reset-password", "give a rep a new generated password", rep).add_argument("email")

    user = cmd("user", "manage workspace users (marketing's team, not reps)").add_subparsers(
        dest="action", required=True
    )
    p = cmd("add", "add a workspace user (a password is generated and shown once)", user)
    p.add_argument("email")
    p.add_argument("--role", required=True, choices=admin.users.ROLES)
    p.add_argument("--name", default="")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    cmd("list", "list workspace users and their roles", user)
    cmd("disable", "disable a workspace user and end their sessions", user).add_argument("email")
    cmd("enable", "let a disabled workspace user sign in again", user).add_argument("email")
    cmd("reset-password", "give a workspace user a new generated password", user).add_argument(
        "email"
    )

    imp = cmd("import", "import leads or nurture history").add_subparsers(
        dest="action", required=True
    )
    for what, helptext in (
        ("leads", "leads from a Salesforce/HubSpot export or repdesk CSV/JSONL"),
        ("events", "nurture history (CSV/JSONL keyed by lead id or email)"),
    ):
        p = cmd(what, helptext, imp)
        p.add_argument("file", type=Path)
        p.add_argument("--dry-run", action="store_true", help="check and count, change nothing")
        p.add_argument(
            "--encoding",
            metavar="NAME",
            help="the file's text encoding, e.g. cp1252 or utf-8 (default: found from the "
            "file; --dry-run shows which and how)",
        )

    p = cmd("assign", "give leads to a rep, from a CSV or by a rule")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--csv", type=Path, metavar="FILE", help="columns: lead, rep_email")
    source.add_argument("--to", metavar="EMAIL", help="the rep who gets the matching leads")
    _selection_args(p)
    p.add_argument("--reassign", action="store_true", help="also move leads other reps have")

    p = cmd("unassign", "take leads back from reps")
    p.add_argument("--from", dest="from_email", metavar="EMAIL", help="only this rep's leads")
    _selection_args(p)

    col = cmd("collateral", "the collateral library").add_subparsers(dest="action", required=True)
    p = cmd("add", "add a file (PDF or other) to the library", col)
    p.add_argument("file", type=Path)
    p.add_argument("--title", required=True)
    p.add_argument("--campaign", metavar="NAME")
    p.add_argument("--tag", action="append", default=[], metavar="TAG", dest="tags")
    cmd("list", "list the library", col)
    cmd("retire", "withdraw an item; reps' apps drop it on their next sync", col).add_argument(
        "sha_or_id", metavar="SHA_OR_ID", help="the sha256 shown by `collateral list`, or the id"
    )

    cli = cmd("client", "desktop app builds reps' apps update from").add_subparsers(
        dest="action", required=True
    )
    p = cmd("add", "publish a bundle (.tar.gz made by ./dev bundle) for reps' apps", cli)
    p.add_argument("bundle", type=Path, metavar="BUNDLE")
    p.add_argument("--platform", required=True, help="the platform it runs on, e.g. linux-x86_64")
    cmd("list", "list published builds, newest first", cli)
    cmd("retire", "stop offering a build (apps that have it keep it)", cli).add_argument(
        "key", metavar="VERSION_OR_SHA", help="the version, or the sha256 shown by `client list`"
    )

    for what, helptext in (
        ("rubric", "marketing's definition of a sales-ready lead (JSON)"),
        ("taxonomy", "the objection categories reps pick from (JSON)"),
    ):
        s = cmd(what, helptext).add_subparsers(dest="action", required=True)
        cmd("set", f"replace the {what} from a JSON file", s).add_argument("file", type=Path)

    fb = cmd("feedback", "what reps sent back").add_subparsers(dest="action", required=True)
    p = cmd("export", "export call notes, BANT, objections, dispositions, collateral use", fb)
    p.add_argument("--since", metavar="DATE", help="only what reached the hub since DATE")
    p.add_argument("--format", choices=admin.FORMATS, default="csv")
    p.add_argument("--output", type=Path, metavar="FILE", help="default: standard output")

    cmd("demo", "fill a new hub with realistic demo data and demo reps")
    return parser


def _selection_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help=f"filter (repeatable); fields: {', '.join(admin.WHERE_FIELDS)}",
    )
    p.add_argument("--limit", type=int, metavar="N", help="at most N leads (hottest first)")


__all__ = ["PROG", "build_parser"]
