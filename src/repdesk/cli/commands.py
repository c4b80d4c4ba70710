"""The `repdesk` sub-commands: thin wrappers over the store and the sync engine."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from repdesk.domain import (
    BantAnswer,
    BantDimension,
    CallNote,
    Confidence,
    Objection,
    RepdeskError,
    ValidationError,
    new_id,
    utcnow,
)
from repdesk.domain.errors import DiskFullError, is_no_space
from repdesk.store.api import LeadQuery, LeadSort, StoreApi
from repdesk.store.paths import AppPaths

if TYPE_CHECKING:
    from repdesk.sync.engine import SyncEngine

log = logging.getLogger(__name__)

CONFIDENCE = {"low": Confidence.LOW, "medium": Confidence.MEDIUM, "high": Confidence.HIGH}


def run_command(args: argparse.Namespace) -> int:
    from repdesk.app.logging_setup import configure_logging

    handler = COMMANDS[args.command]
    paths = AppPaths.resolve(args.data_dir)
    try:
        # Retries and warnings go to the log file; the rep sees one clear line on failure.
        configure_logging(paths.logs, stderr_level=logging.CRITICAL)
        return handler(args)
    except RepdeskError as exc:
        print(f"repdesk: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        if not is_no_space(exc):
            raise
        print(f"repdesk: {DiskFullError(where=paths.data)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("repdesk: interrupted; nothing was lost.", file=sys.stderr)
        return 130


@contextmanager
def _store(args: argparse.Namespace) -> Iterator[StoreApi]:
    from repdesk.app.services import open_store

    store = open_store(args.data_dir)
    if store.recovery is not None:
        print(f"repdesk: {store.recovery.message()}", file=sys.stderr)
    try:
        yield store
    finally:
        store.close()


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "never"


def cmd_status(args: argparse.Namespace) -> int:
    with _store(args) as store:
        state = store.sync_state()
        counts = store.outbox_counts()
        if state.session is None:
            print("Not signed in. Use: repdesk login --hub URL --email EMAIL")
        else:
            from repdesk.sync.credentials import Credentials

            who = f"{state.session.rep_name} <{state.session.rep_email}>"
            print(f"Hub:        {state.session.hub_url}")
            if Credentials().load(state.session.hub_url, state.session.rep_email):
                print(f"Signed in:  {who}")
            else:
                print(f"Signed in:  {who}, but no sign-in token is stored on this computer")
                print("            (no system keyring, or the session ended): repdesk sync")
                print("            will ask for your password.")
        print(f"Last sync:  {_when(state.last_sync_at)}")
        if state.last_error:
            print(f"Last error: {state.last_error}")
        print(f"Leads:      {store.lead_count()}")
        print(f"Pending:    {counts.pending}")
        print(f"Rejected:   {counts.rejected}")
        print(f"Conflicts:  {counts.conflicts}")
    return 0


def cmd_leads(args: argparse.Namespace) -> int:
    with _store(args) as store:
        query = LeadQuery(
            search=args.search, ready=True if args.ready else None, sort=LeadSort.LAST_TOUCH
        )
        ids = store.lead_ids(query)[: max(args.limit, 0)]
        rows = store.lead_rows(ids)
    if args.json:
        out = [
            {
                "id": r.id,
                "name": r.name,
                "company": r.company,
                "title": r.title,
                "stage": r.stage.value,
                "score": r.score,
                "ready": r.ready,
                "missing": r.missing,
                "last_touch_at": r.last_touch_at.isoformat() if r.last_touch_at else None,
                "next_step": r.next_step,
                "unsent": r.unsent,
            }
            for r in rows
        ]
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if not rows:
        print("No leads match." if args.search or args.ready else "No leads yet: run repdesk sync.")
        return 0
    for r in rows:
        ready = "ready" if r.ready else f"not yet ({r.missing})" if r.missing else "not yet"
        print(f"{r.id}  {r.name[:28]:<28}  {r.company[:24]:<24}  {r.score:>3}  {ready}")
    return 0


def _resolve_lead(store: StoreApi, needle: str) -> str:
    if store.lead(needle) is not None:
        return needle
    ids = store.lead_ids(LeadQuery(search=needle))
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise ValidationError(f"No lead matches {needle!r}.")
    names = ", ".join(r.name for r in store.lead_rows(ids[:5]))
    raise ValidationError(
        f"{len(ids)} leads match {needle!r} ({names}...): give the lead id or the email."
    )


def cmd_log(args: argparse.Namespace) -> int:
    with _store(args) as store:
        lead_id = _resolve_lead(store, args.lead)
        now = utcnow()
        rep = store.sync_state().session
        by = rep.rep_id if rep else ""
        answers = _bant_answers(store, args, by, now)
        objections = [_objection(store, lead_id, raw, now) for raw in args.objection]
        if not (args.note or answers or objections):
            raise ValidationError("Nothing to log: give --note, a BANT flag or --objection.")
        done: list[str] = []
        if answers:
            store.update_bant(lead_id, answers)
            done.append(f"{len(answers)} BANT answer(s)")
        for objection in objections:
            store.add_objection(objection)
        if objections:
            done.append(f"{len(objections)} objection(s)")
        if args.note:
            store.add_call_note(
                CallNote(
                    id=new_id(), lead_id=lead_id, body=args.note, created_at=now, author_rep_id=by
                )
            )
            done.append("a note")
        print(f"Saved {', '.join(done)}; queued for upload on the next sync.")
    return 0


def _bant_answers(
    store: StoreApi, args: argparse.Namespace, by: str, now: datetime
) -> dict[BantDimension, BantAnswer | None]:
    rubric = store.rubric()
    answers: dict[BantDimension, BantAnswer | None] = {}
    for dim in BantDimension:
        code = getattr(args, dim.value)
        if code is None:
            continue
        scale = rubric.for_dimension(dim) if rubric else None
        if scale is not None and scale.option(code) is None:
            valid = ", ".join(o.code for o in scale.options)
            raise ValidationError(f"{dim.value}: {code!r} is not on the rubric's scale ({valid}).")
        answers[dim] = BantAnswer(
            dimension=dim,
            value=code,
            confidence=CONFIDENCE[args.confidence],
            recorded_by=by,
            recorded_at=now,
        )
    return answers


def _objection(store: StoreApi, lead_id: str, raw: str, now: datetime) -> Objection:
    code, sep, text = raw.partition(":")
    code = code.strip()
    known = {c.code for c in store.objection_categories()}
    if not sep or not code:
        raise ValidationError(f"--objection wants CATEGORY:TEXT, got {raw!r}.")
    if known and code not in known:
        choices = ", ".join(sorted(known))
        raise ValidationError(f"Unknown objection category {code!r}; marketing's: {choices}.")
    return Objection(
        id=new_id(), lead_id=lead_id, category_code=code, verbatim=text.strip(), created_at=now
    )


def cmd_export_pending(args: argparse.Namespace) -> int:
    from repdesk.sync.export import export_pending

    with _store(args) as store:
        count = export_pending(store, args.file)
    print(f"Wrote {count} unsent item(s) to {args.file}.")
    return 0


def _password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\r\n")


def cmd_login(args: argparse.Namespace) -> int:
    from repdesk.app.services import load_settings, sync_engine
    from repdesk.store.settings import HUB_CA_FILE, ca_file_problem

    paths = AppPaths.resolve(args.data_dir)
    settings = load_settings(paths.ensure())
    if args.ca_file is not None:
        ca_file = str(Path(args.ca_file).expanduser().absolute()) if args.ca_file else ""
        problem = ca_file_problem(ca_file)
        if problem:
            raise ValidationError(problem)
        settings.set(HUB_CA_FILE, ca_file)
    with _store(args) as store:
        engine = sync_engine(store, paths, settings)
        result = engine.login(args.hub, args.email, _password())
        for warning in result.warnings:
            print(f"Note: {warning}", file=sys.stderr)
        state = store.sync_state()
        name = state.session.rep_name if state.session else args.email
        print(f"Signed in to {args.hub} as {name}. Run: repdesk sync")
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    from repdesk.app.services import sync_engine

    with _store(args) as store:
        engine = sync_engine(store, AppPaths.resolve(args.data_dir))
        engine.logout(force=args.force)
    print("Signed out.")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from repdesk.app.services import sync_engine

    def progress(phase: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{phase}: {done}/{total or '?'}   ", end="", file=sys.stderr, flush=True)

    with _store(args) as store:
        engine = sync_engine(store, AppPaths.resolve(args.data_dir))
        _sign_in_again_if_needed(store, engine)
        report = engine.sync(progress=progress)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print(str(report))
        counts = store.outbox_counts()
        if counts.rejected or counts.conflicts:
            print(
                f"{counts.rejected} rejected and {counts.conflicts} conflicting item(s) need "
                "your attention: see the Outbox in the app, or repdesk export-pending FILE."
            )
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    from repdesk.app.handover import make_updater
    from repdesk.app.services import sync_engine

    paths = AppPaths.resolve(args.data_dir)
    with _store(args) as store:
        engine = sync_engine(store, paths)
        _sign_in_again_if_needed(store, engine)
        updater = make_updater(engine, paths)
        offer, ready = updater.check(), updater.ready()
        if ready is not None and (offer is None or offer.sha256 == ready.sha256):
            print(f"repdesk {ready.version} is downloaded; it starts next time.")
            return 0
        if offer is None:
            print(f"repdesk {updater.running_version} is the newest your hub offers.")
            return 0
        if args.action == "check":
            print(
                f"repdesk {offer.version} is available ({offer.size:,} bytes); "
                "get it with: repdesk update download"
            )
            return 0
        build = updater.fetch(offer)
    print(f"repdesk {build.version} is downloaded and verified: {build.executable}")
    print("It starts the next time you start repdesk; your unsent work is kept.")
    return 0


def _sign_in_again_if_needed(store: StoreApi, engine: SyncEngine) -> None:
    """No stored token (no keyring, or a revoked session): ask for the password once."""
    session = store.sync_state().session
    if session is None or engine.signed_in:
        return
    if sys.stdin.isatty():
        print(f"Signing in to {session.hub_url} as {session.rep_email}.", file=sys.stderr)
    password = _password()
    if not password:
        raise ValidationError(
            "No sign-in token is stored on this computer: give your password at the prompt, "
            "or on standard input (e.g. from a password manager)."
        )
    engine.login(session.hub_url, session.rep_email, password)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "status": cmd_status,
    "leads": cmd_leads,
    "log": cmd_log,
    "export-pending": cmd_export_pending,
    "login": cmd_login,
    "logout": cmd_logout,
    "sync": cmd_sync,
    "update": cmd_update,
}
