"""The kill -9 suite's driver: a client or a hub in a process of its own, killed with SIGKILL
at a seeded point aimed at its busy windows.

How it works. `python -m tests.support.fault_driver` (the project's python) imports the
client and the hub once and then serves as a fork server: each JSON line on stdin asks it
to fork a child (`client` or `hub`), and it answers with the child's pid, or to reap one
(`wait`), answering how it ended. Forking after the imports keeps a kill cycle short (a fresh
interpreter takes seconds on a loaded CI box); each child is a separate process with its own
SQLite connections, sockets and threads, and dies exactly as a process killed by the OS does.

Aiming. The test gives each child a `kill` plan: a window (`push`: the client's push request
and the outcomes it writes; `apply`: the store applying a pull page; `collateral`: a file
written into the cache; `any`: anywhere in the run; `hub_push`: the hub applying a pushed
batch; `hub_checkpoint`: the hub's checkpoint thread copying the WAL into the database
file after a request's write; `hub_pull`: the hub reading a pull page), which entry of
that window (`nth`), and a delay. When the child enters that window it starts a timer
thread that sends SIGKILL to its own process after the delay; if the window ends first,
SIGKILL is sent as the window returns
(for `hub_push`: after the batch committed and before the answer left, the "applied but
never acknowledged" case). So every aimed kill lands inside its window or at its very end,
at a seeded, varying point. The hooks wrap the real functions in the child only; the
product code has no test switch in it.

Acknowledged work. Before syncing, a client child writes the call notes it is given (skipping
those already in its store, as a rep would not retype a saved note) and appends each note's
id to `acked.txt` (fsynced) once the store has committed it: that is what the rep was told is
saved. The test checks each acknowledged note is on the hub exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: What a child is asked to do, as sent on stdin.
Command = dict[str, Any]


def _kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class Aim:
    """Counts entries into each window; on the planned one, arms the kill."""

    def __init__(self, plan: dict[str, Any] | None) -> None:
        self.window = plan["window"] if plan else ""
        self.nth = int(plan["nth"]) if plan else 0
        self.delay = float(plan["delay"]) if plan else 0.0
        self.seen: dict[str, int] = {}
        self.armed = False
        self._lock = threading.Lock()

    def enter(self, window: str) -> bool:
        """True when this entry is the one to kill in (the timer is then running)."""
        with self._lock:
            self.seen[window] = self.seen.get(window, 0) + 1
            if self.armed or window != self.window or self.seen[window] != self.nth:
                return False
            self.armed = True
        timer = threading.Timer(self.delay, _kill_self)
        timer.daemon = True
        timer.start()
        return True

    def wrap(self, owner: Any, name: str, window: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        def aimed(*args: Any, **kwargs: Any) -> Any:
            fire = self.enter(window)
            result = original(*args, **kwargs)
            if fire:
                _kill_self()  # the window ended before the timer: die as it returns
            return result

        setattr(owner, name, aimed)


# --- the client ---------------------------------------------------------------------------


def note_body(note_id: str) -> str:
    return f"Fault-suite note {note_id}"


def run_client(cmd: Command) -> None:
    from repdesk.domain.feedback import CallNote
    from repdesk.store import Store
    from repdesk.sync.collateral import CollateralCache
    from repdesk.sync.credentials import Credentials
    from repdesk.sync.engine import PULL_BATCH_CHANGES, SyncEngine
    from repdesk.sync.http import HubClient
    from repdesk.sync.retry import RetryPolicy

    aim = Aim(cmd.get("kill"))
    aim.wrap(HubClient, "push", "push")
    aim.wrap(Store, "apply_pull_page", "apply")
    aim.wrap(CollateralCache, "fetch", "collateral")
    if cmd.get("kill", {}).get("window") == "any":
        aim.enter("any")

    home = Path(cmd["home"])
    store = Store.open(home / "data")
    cache = CollateralCache(home / "cache")
    engine = SyncEngine(
        store,
        Credentials(),
        cache,
        retry=RetryPolicy(max_attempts=2, sleep=lambda _s: None),
        pull_limit=int(cmd.get("pull_limit", 50)),
        pull_batch=int(cmd.get("pull_batch", PULL_BATCH_CHANGES)),
    )
    engine.login(cmd["url"], cmd["email"], cmd["password"])
    acked = open(home / "acked.txt", "a", encoding="utf-8")  # noqa: SIM115 - kept open on purpose
    for note_id, lead_id in cmd.get("notes", []):
        if any(n.id == note_id for n in store.notes(lead_id)):
            continue
        store.add_call_note(CallNote(note_id, lead_id, note_body(note_id), datetime.now(UTC)))
        acked.write(note_id + "\n")
        acked.flush()
        os.fsync(acked.fileno())
    engine.sync()
    store.close()


# --- the hub ------------------------------------------------------------------------------


def run_hub(cmd: Command) -> None:
    from repdesk.hub.api import sync_routes
    from repdesk.hub.config import HubConfig
    from repdesk.hub.db import checkpoint
    from repdesk.hub.embedded import EmbeddedHub

    aim = Aim(cmd.get("kill"))
    aim.wrap(sync_routes, "push_batch", "hub_push")
    aim.wrap(sync_routes, "pull_page", "hub_pull")
    url = cmd.get("database_url") or None
    config = HubConfig.resolve(Path(cmd["home"]), database_url=url)
    hub = EmbeddedHub(config, port=int(cmd["port"]))
    hub.start()
    aim.wrap(checkpoint, "checkpoint", "hub_checkpoint")  # those the requests ask for
    with socket.create_connection(("127.0.0.1", int(cmd["ready_port"])), timeout=30) as ready:
        ready.sendall(b"ready\n")
    threading.Event().wait()  # serve until killed


# --- the fork server ----------------------------------------------------------------------


def _reply(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _child(cmd: Command) -> None:
    code = 0
    try:
        sys.stdin.close()
        os.dup2(sys.stderr.fileno(), 1)  # only the server answers on stdout
        {"client": run_client, "hub": run_hub}[cmd["op"]](cmd)
    except BaseException:  # noqa: BLE001 - a child reports any failure by its exit code
        traceback.print_exc()
        code = 1
    sys.stderr.flush()
    os._exit(code)


def serve() -> None:
    # Everything a child needs, imported once, before any thread exists.
    import repdesk.hub.api.sync_routes
    import repdesk.hub.embedded
    import repdesk.store
    import repdesk.sync.engine  # noqa: F401

    _reply({"ready": os.getpid()})
    for line in sys.stdin:
        cmd: Command = json.loads(line)
        if cmd["op"] == "wait":
            _pid, status = os.waitpid(int(cmd["pid"]), 0)
            killed = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
            code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
            _reply({"pid": cmd["pid"], "signal": killed, "code": code})
            continue
        pid = os.fork()
        if pid == 0:
            _child(cmd)
        _reply({"pid": pid})


if __name__ == "__main__":
    serve()
