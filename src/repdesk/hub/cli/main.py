"""`repdesk-hub`: marketing's command line for the hub (reps, imports, assignment, serving).

Every failure ends as one plain line on stderr and a non-zero exit status; details go to
the log file in the hub home. Exit codes: 0 ok, 1 error, 2 bad command line, 3 partial
import (some rows skipped, the rest imported).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from repdesk.domain.errors import RepdeskError, ValidationError
from repdesk.hub import admin
from repdesk.hub.admin.hub import describe
from repdesk.hub.cli.parser import DEFAULT_HOST, DEFAULT_PORT, PROG, build_parser
from repdesk.hub.config import HubConfig
from repdesk.hub.db.migrate import current_revision
from repdesk.hub.demo import workspace_hint
from repdesk.hub.demo.loader import seed_demo
from repdesk.hub.importers import RowError, values
from repdesk.hub.serving import check_port_free, serve_workers, uvicorn_config
from repdesk.terminal import run_quietly_piped

log = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
_MAX_ROW_ERRORS_SHOWN = 20
_log_handler: logging.Handler | None = None


class CliError(RepdeskError):
    """A problem with what the operator asked for, reported as one line."""


# --- commands ---------------------------------------------------------------------------


def _init(config: HubConfig, _args: argparse.Namespace) -> int:
    created = admin.init_hub(config)
    where = describe(config)
    print(f"{'Created a new hub' if created else 'The hub is up to date'} at {where}.")
    if created:
        print(f"Next: {PROG} rep add EMAIL --name NAME, then {PROG} import leads FILE.")
    return EXIT_OK


def _migrate(config: HubConfig, _args: argparse.Namespace) -> int:
    with admin.open_hub(config) as hub:  # refuses a home never `init`-ed; upgrades
        revision = current_revision(hub.db.engine)
    print(f"The hub database at {describe(config)} is at schema {revision}.")
    return EXIT_OK


def _serve(config: HubConfig, args: argparse.Namespace) -> int:
    # Refuse a home that was never `init`-ed (serving would create a hub without the
    # rubric and taxonomy); an existing one is upgraded to the newest schema here, once,
    # with the rest of the start's upkeep, before any worker starts.
    from repdesk.hub.app import start_upkeep

    if args.workers < 1:
        raise CliError("--workers must be 1 or more.")
    with admin.open_hub(config) as hub:
        start_upkeep(config, hub.db)
    check_port_free(args.host, args.port)
    where = f"http://{args.host}:{args.port}" if args.port else f"{args.host}, on a free port"
    if args.workers > 1:
        print(f"Serving the hub at {where} from {args.workers} processes.", flush=True)
        serve_workers(
            config,
            args.host,
            args.port,
            args.workers,
            forwarded_allow_ips=args.forwarded_allow_ips,
            log_level="info",
        )
        return EXIT_OK
    import uvicorn

    from repdesk.hub.app import create_app

    app = create_app(config, migrate=False)
    print(f"Serving the hub at {where} (Ctrl+C to stop).", flush=True)
    if args.forwarded_allow_ips:
        print(f"Trusting X-Forwarded-For from: {args.forwarded_allow_ips}", flush=True)
    uvicorn.Server(
        uvicorn_config(
            app,
            args.host,
            args.port,
            forwarded_allow_ips=args.forwarded_allow_ips,
            log_level="info",
        )
    ).run()
    return EXIT_OK


def _rep(hub: admin.Hub, args: argparse.Namespace) -> int:
    if args.action == "add":
        password = None
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        info, password = admin.add_rep(hub, args.email, args.name, password)
        print(f"Added {info.name} <{info.email}>.")
        if not args.password_stdin:
            print(f"Password (shown only now; give it to them privately): {password}")
    elif args.action == "list":
        reps = admin.list_reps(hub)
        if not reps:
            print(f"No reps yet: add one with {PROG} rep add EMAIL --name NAME.")
        for r in reps:
            state = "disabled" if r.disabled else "active"
            print(f"{r.email:<32} {r.name:<24} {r.leads:>5} leads  {state}")
    elif args.action == "disable":
        sessions = admin.disable_rep(hub, args.email)
        print(
            f"Disabled {args.email}; ended {sessions} signed-in session(s). Their leads stay "
            f"assigned: move them with {PROG} unassign --from {args.email}."
        )
    elif args.action == "enable":
        if admin.enable_rep(hub, args.email):
            print(f"Enabled {args.email}: they can sign in again with their password.")
        else:
            print(f"{args.email} is already active.")
    else:
        password = admin.reset_password(hub, args.email)
        print(f"New password for {args.email} (shown only now): {password}")
    return EXIT_OK


def _user(hub: admin.Hub, args: argparse.Namespace) -> int:
    users = admin.users
    if args.action == "add":
        password = None
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        info, password = users.add_user(hub, args.email, args.role, args.name, password)
        print(f"Added {info.name or info.email} <{info.email}> as {info.role}.")
        if not args.password_stdin:
            print(f"Password (shown only now; give it to them privately): {password}")
    elif args.action == "list":
        people = users.list_users(hub)
        if not people:
            print(f"No workspace users yet: add one with {PROG} user add EMAIL --role admin.")
        for u in people:
            state = "disabled" if u.disabled else "active"
            print(f"{u.email:<32} {u.name:<24} {u.role:<10} {state}")
    elif args.action == "disable":
        sessions = users.disable_user(hub, args.email)
        print(f"Disabled {args.email}; ended {sessions} signed-in session(s).")
    elif args.action == "enable":
        if users.enable_user(hub, args.email):
            print(f"Enabled {args.email}: they can sign in again with their password.")
        else:
            print(f"{args.email} is already active.")
    else:
        password = users.reset_user_password(hub, args.email)
        print(f"New password for {args.email} (shown only now): {password}")
    return EXIT_OK


def _row_errors(errors: list[RowError], total: int | None = None) -> None:
    """The first few errors, then how many more (`total`: all of them, when `errors`
    holds only the first ones)."""
    total = len(errors) if total is None else total
    for error in errors[:_MAX_ROW_ERRORS_SHOWN]:
        print(f"  {error}", file=sys.stderr)
    if total > _MAX_ROW_ERRORS_SHOWN:
        print(f"  ... and {total - _MAX_ROW_ERRORS_SHOWN} more", file=sys.stderr)


def _import(hub: admin.Hub, args: argparse.Namespace) -> int:
    prefix = "Dry run, nothing changed: would import" if args.dry_run else "Imported"
    options = {"dry_run": args.dry_run, "encoding": args.encoding}
    report: admin.LeadImportReport | admin.EventImportReport
    if args.action == "leads":
        report = r = admin.import_leads(hub, args.file, **options)
        print(
            f"{prefix} {args.file.name} ({r.format}): {r.created} new, {r.updated} updated, "
            f"{r.unchanged} unchanged, {r.assigned} assigned to reps."
        )
        done, shown = r.created + r.updated + r.unchanged, "Names as read"
    else:
        report = e = admin.import_events(hub, args.file, **options)
        print(
            f"{prefix} {args.file.name} ({e.format}): {e.created} new events, "
            f"{e.already_there} already there, {e.campaigns_created} new campaigns."
        )
        done, shown = e.created + e.already_there, "Campaigns and assets as read"
    # A dry run always says how the file was decoded; a real import when it was a guess.
    if args.dry_run or report.encoding_guessed:
        print(f"Encoding: {report.encoding_note}.")
        if report.sample:
            print(f"{shown}: {', '.join(report.sample)}")
    if report.skipped:
        print(f"{report.skipped} row(s) skipped:", file=sys.stderr)
        _row_errors(report.errors, report.skipped)
    return EXIT_OK if not report.skipped else EXIT_PARTIAL if done else EXIT_ERROR


def _partial(errors: list[RowError], done: int) -> int:
    if not errors:
        return EXIT_OK
    return EXIT_PARTIAL if done else EXIT_ERROR


def _assign(hub: admin.Hub, args: argparse.Namespace) -> int:
    if args.csv is not None:
        if args.where or args.limit is not None:
            raise CliError("--where and --limit go with --to, not with --csv.")
        report = admin.assign_from_csv(hub, args.csv, reassign=args.reassign)
        target = "their reps"
    else:
        where = admin.parse_where(args.where)
        report = admin.assign_by_rule(hub, args.to, where, limit=args.limit, reassign=args.reassign)
        target = args.to
    moved = f" ({report.moved} moved from other reps)" if report.moved else ""
    print(f"Assigned {report.assigned} lead(s) to {target}{moved}.")
    if report.errors:
        print(f"{len(report.errors)} row(s) skipped:", file=sys.stderr)
        _row_errors(report.errors)
    return _partial(report.errors, report.assigned + report.unchanged)


def _unassign(hub: admin.Hub, args: argparse.Namespace) -> int:
    count = admin.unassign(
        hub, from_email=args.from_email, where=admin.parse_where(args.where), limit=args.limit
    )
    print(f"Unassigned {count} lead(s); they are back in the unassigned pool.")
    return EXIT_OK


def _collateral(hub: admin.Hub, args: argparse.Namespace) -> int:
    if args.action == "add":
        info = admin.add_collateral(
            hub, args.file, args.title, campaign=args.campaign, tags=tuple(args.tags)
        )
        print(
            f"Added {info.title!r} ({info.media_type}, {info.size:,} bytes, "
            f"sha256 {info.sha256[:12]}...)."
        )
        if info.problem:
            print(f"Warning: {info.problem}", file=sys.stderr)
        return EXIT_OK
    if args.action == "retire":
        gone = admin.retire_collateral(hub, args.sha_or_id)
        print(f"Retired {gone.title!r}; reps' apps remove it on their next sync.")
        return EXIT_OK
    items = admin.list_collateral(hub)
    if not items:
        print(f"The library is empty: add files with {PROG} collateral add FILE --title T.")
    for c in items:
        flag = f"  [{c.problem}]" if c.problem else ""
        tags = f"  tags: {','.join(c.tags)}" if c.tags else ""
        campaign = c.campaign or "(no campaign)"
        print(
            f"{c.sha256[:12]}  {c.media_type:<22} {c.size:>10,}  {c.title}  "
            f"[{campaign}]{tags}{flag}"
        )
    return EXIT_OK


def _client(hub: admin.Hub, args: argparse.Namespace) -> int:
    if args.action == "add":
        build = admin.add_build(hub, args.bundle, args.platform)
        print(
            f"Published repdesk {build.version} for {build.platform} ({build.size:,} bytes, "
            f"sha256 {build.sha256[:12]}...); reps' apps offer it at their next sync."
        )
        return EXIT_OK
    if args.action == "retire":
        gone = admin.retire_build(hub, args.key)
        print(f"Retired repdesk {gone.version} for {gone.platform}; it is no longer offered.")
        return EXIT_OK
    builds = admin.list_builds(hub)
    if not builds:
        print(f"No builds published: add one with {PROG} client add BUNDLE --platform P.")
    for b in builds:
        print(
            f"{b.sha256[:12]}  {b.platform:<15} {b.version:<10} {b.size:>12,}  "
            f"{b.created_at:%Y-%m-%d %H:%M}"
        )
    return EXIT_OK


def _reference(hub: admin.Hub, args: argparse.Namespace) -> int:
    if args.command == "rubric":
        rubric = admin.set_rubric(hub, args.file)
        print(
            f"Published the rubric {rubric.name!r} ({len(rubric.dimensions)} dimensions); "
            "reps get it on their next sync."
        )
    else:
        c = admin.set_taxonomy(hub, args.file)
        print(
            f"Objection taxonomy updated: {c.added} added, {c.updated} changed, "
            f"{c.retired} retired, {c.unchanged} unchanged."
        )
    return EXIT_OK


def _feedback(hub: admin.Hub, args: argparse.Namespace) -> int:
    since: datetime | None = None
    if args.since:
        try:
            since = values.timestamp(args.since, "--since")
        except values.BadValue as exc:
            raise CliError(f"{exc} (use e.g. 2025-03-01 or 2025-03-01T09:00)") from exc
    if args.output is None:
        admin.export_feedback(hub, sys.stdout, since=since, fmt=args.format)
        return EXIT_OK
    target: Path = args.output
    try:
        fd, tmp = tempfile.mkstemp(
            dir=target.parent if str(target.parent) else ".", prefix=".feedback-"
        )
    except OSError as exc:
        raise CliError(f"Cannot write to {target.parent}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            count = admin.export_feedback(hub, stream, since=since, fmt=args.format)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    print(f"Wrote {count} feedback row(s) to {target}.")
    return EXIT_OK


def _demo(config: HubConfig, _args: argparse.Namespace) -> int:
    with admin.open_hub(config, create=True) as hub:
        s = seed_demo(hub)
    print(
        f"Demo hub ready at {config.home}: {s.leads} leads ({s.assigned} assigned), "
        f"{s.events} nurture events, {s.campaigns} campaigns, {s.collateral} collateral PDFs, "
        f"{s.rep_writes} rep notes/answers."
    )
    print(f"Demo reps (password for each: {s.reps[0].password}):")
    for rep in s.reps:
        print(f"  {rep.email:<24} {rep.name}")
    print("Marketing's workspace users (same password):")
    for user in s.users:
        print(f"  {user.email:<24} {user.name} ({user.role})")
    print(f"Start it with: {PROG} --home {config.home} serve")
    print(workspace_hint(f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"))
    return EXIT_OK


_NO_HUB: dict[str, Callable[[HubConfig, argparse.Namespace], int]] = {
    "init": _init,
    "migrate": _migrate,
    "serve": _serve,
    "demo": _demo,
}
_WITH_HUB: dict[str, Callable[[admin.Hub, argparse.Namespace], int]] = {
    "rep": _rep,
    "user": _user,
    "import": _import,
    "assign": _assign,
    "unassign": _unassign,
    "collateral": _collateral,
    "client": _client,
    "rubric": _reference,
    "taxonomy": _reference,
    "feedback": _feedback,
}


def _setup_logging(config: HubConfig) -> None:
    """A rotating log in the hub home (replaced on each call, so tests do not pile up)."""
    global _log_handler  # noqa: PLW0603 - one handler per process, swapped per home
    package = logging.getLogger("repdesk")
    if _log_handler is not None:
        package.removeHandler(_log_handler)
        _log_handler.close()
        _log_handler = None
    try:
        (config.home / "logs").mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            config.home / "logs" / "hub.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return  # an unwritable home is reported by the command itself
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    package.addHandler(handler)
    package.setLevel(logging.INFO)
    _log_handler = handler


def main(argv: Sequence[str] | None = None) -> int:
    return run_quietly_piped(lambda: _main(argv))


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed usage and the reason
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_USAGE
    try:
        config = HubConfig.resolve(
            getattr(args, "home", None),
            files_dir=getattr(args, "files_dir", None),
            files_s3=getattr(args, "files_s3", None),
            s3_endpoint_url=getattr(args, "s3_endpoint_url", None),
            s3_region=getattr(args, "s3_region", None),
        )
        _setup_logging(config)
        if args.command in _NO_HUB:
            return _NO_HUB[args.command](config, args)
        with admin.open_hub(config) as hub:
            return _WITH_HUB[args.command](hub, args)
    except (RepdeskError, ValidationError) as exc:
        return _fail(str(exc))
    except SQLAlchemyError as exc:
        log.exception("database error")
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return _fail(f"The hub database refused the change: {first[0] if first else exc}")
    except BrokenPipeError:
        raise  # the reader went away (`| head`): run_quietly_piped ends quietly
    except OSError as exc:
        log.exception("file error")
        name = f" {exc.filename}" if exc.filename else ""
        return _fail(f"Cannot access{name}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        return _fail("Interrupted.", 130)
    except Exception as exc:  # the promise is "never a traceback"; the log keeps it
        log.exception("unexpected error")
        return _fail(f"Something went wrong ({type(exc).__name__}: {exc}); see logs/hub.log.")


def _fail(message: str, code: int = EXIT_ERROR) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
