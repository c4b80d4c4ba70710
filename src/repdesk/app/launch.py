"""Starts the desktop app: paths, logging, store, sync engine, demo hub, theme, windows.

This is the composition root: the only place that knows every layer. With no display (a
headless Linux box) it renders the main views to PNG files instead of opening a window.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from repdesk.app.logging_setup import configure_logging
from repdesk.domain.errors import RepdeskError
from repdesk.store.paths import AppPaths

log = logging.getLogger(__name__)

HEADLESS_SCREENSHOT_DIR = "repdesk-screenshots"


def _has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_gui(args: argparse.Namespace) -> int:
    from repdesk.app.qt_platform import check_xcb

    missing = check_xcb()
    if missing:
        # Qt would abort with a message that names no library; say which ones, and how.
        print(missing, file=sys.stderr)
        return 1
    if not _has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        if not args.screenshot:
            args.screenshot = str(Path.cwd() / HEADLESS_SCREENSHOT_DIR)
            print(
                "No display found, so repdesk renders its main views to PNG files instead:\n"
                f"  {args.screenshot}\nOn a desktop session the same command opens the window.",
                file=sys.stderr,
            )
    paths = AppPaths.resolve(args.data_dir)
    root = None
    if args.demo:
        from repdesk.app.demo import demo_root

        root = demo_root(paths.data)
        paths = AppPaths.resolve(root / "client")
    paths.ensure()
    configure_logging(paths.logs, capture_uncaught=True)
    try:
        return _run(args, paths, root)
    except RepdeskError as exc:
        log.warning("could not start: %s", exc)
        _show_fatal(str(exc))
        return 1


def _show_fatal(message: str) -> None:
    print(f"repdesk: {message}", file=sys.stderr)
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        return
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    if QApplication.instance() is not None:
        box = QMessageBox(QMessageBox.Icon.Critical, "repdesk", message)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()


def _show_notice(message: str) -> None:
    """Something the rep must know before working (the local data was recovered)."""
    print(f"repdesk: {message}", file=sys.stderr)
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        return
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, "repdesk", message)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def _route_qt_messages() -> None:
    """Qt's own warnings go to the log file, not the terminal a newcomer is reading."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.INFO,  # mostly platform-plugin chatter
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(mode: QtMsgType, _context: object, message: str) -> None:
        if "propagateSizeHints" in message:  # the offscreen plugin says it for every window
            return
        qt_log.log(levels.get(mode, logging.INFO), "%s", message)

    qInstallMessageHandler(handler)


def _run(args: argparse.Namespace, paths: AppPaths, demo_dir: Path | None) -> int:
    from PySide6.QtWidgets import QApplication

    from repdesk.app.handover import make_updater, start_detached
    from repdesk.app.services import load_settings, sync_engine
    from repdesk.gui.app_icon import app_icon
    from repdesk.gui.context import AppContext
    from repdesk.gui.theme import ThemeManager, theme_mode
    from repdesk.gui.update_notice import RESTART_KEY, UPDATES_KEY
    from repdesk.store.settings import THEME
    from repdesk.sync.api import LoginResult

    _route_qt_messages()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("repdesk")
    app.setApplicationDisplayName("repdesk")
    app.setOrganizationName("repdesk")
    app.setDesktopFileName("repdesk")  # Wayland/X11 match the window to repdesk.desktop
    app.setWindowIcon(app_icon())
    theme = ThemeManager(app)

    store = _open_store(paths, demo=demo_dir is not None)
    if store.recovery is not None:
        _show_notice(store.recovery.message())
    demo: Any = None
    demo_login: LoginResult | None = None
    ctx: AppContext | None = None
    closers: list[Callable[[], None]] = []
    try:
        settings = load_settings(paths)
        theme.set_mode(theme_mode(settings.get(THEME)))
        engine = sync_engine(store, paths, settings)
        closers.append(engine.close)
        if demo_dir is not None:
            from repdesk.app.demo import start_demo_hub

            print(
                "Starting the demo hub (the first run seeds it: a few seconds)...", file=sys.stderr
            )
            demo = start_demo_hub(demo_dir)
            demo_login = engine.login(demo.url, demo.email, demo.password)
            report = engine.sync()
            log.info("demo sync: %s", report)
            print(f"Demo hub at {demo.url}, signed in as {demo.email}.", file=sys.stderr)
            print(demo.workspace_line, flush=True)  # on stdout: open it in a browser
        session = store.sync_state().session
        ctx = AppContext.create(
            store,
            paths.data,
            settings=settings,
            sync=engine,
            collateral=engine.cache,
            rep_id=session.rep_id if session else "",
        )
        if args.screenshot:
            # Rendered from a throwaway copy of the database, never the rep's own.
            ctx.shutdown()
            ctx = None
            return _screenshots(store, settings, engine, Path(args.screenshot))
        ctx.extras[UPDATES_KEY] = make_updater(engine, paths)
        return _interactive(app, ctx, demo is not None, demo_login, grab=args.grab_window)
    finally:
        restart = ctx.extras.pop(RESTART_KEY, None) if ctx is not None else None
        if ctx is not None:
            ctx.shutdown()
        for close in closers:
            close()
        store.close()
        if demo is not None:
            demo.stop()
        if restart is not None:  # "Restart to update": the data folder is free now
            start_detached(restart, sys.argv[1:])


def _open_store(paths: AppPaths, *, demo: bool) -> Any:
    """The rep's store, encrypted at rest; the passphrase (no keyring) is asked in a dialog,
    or in the terminal when there is no screen to show one."""
    from repdesk.app.services import ask_passphrase_in_terminal, open_rep_store
    from repdesk.store import Store
    from repdesk.sync.cache_key import CacheKeys

    if demo and not CacheKeys().persistent:
        # The demo's cache holds generated people only; no keyring to keep a key in, and
        # no passphrase to ask for on a headless demo run.
        log.info("demo without a system keyring: its generated cache is not encrypted")
        return Store.open(paths.data)
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        ask = ask_passphrase_in_terminal if sys.stdin.isatty() else (lambda _choosing: None)
        return open_rep_store(paths.data, ask)
    from repdesk.gui.passphrase_dialog import PassphrasePrompt

    prompt = PassphrasePrompt()
    return open_rep_store(paths.data, prompt, refused=prompt.refused)


def _screenshots(store: Any, settings: Any, engine: Any, out_dir: Path) -> int:
    """Render the main views from a throwaway copy of the rep's database.

    The pictures show a call being logged and its items in the outbox: that sample is
    recorded in the copy, which is deleted afterwards, so no rep work is left behind.
    """
    from repdesk.app.services import scratch_copy
    from repdesk.gui.context import AppContext
    from repdesk.gui.screenshots import render_screenshots

    with tempfile.TemporaryDirectory(prefix="repdesk-screenshots-") as tmp:
        scratch = scratch_copy(store, Path(tmp) / "data")
        ctx = None
        try:
            session = scratch.sync_state().session
            # No sync service: nothing from the copy may ever be sent to the hub.
            ctx = AppContext.create(
                scratch,
                scratch.data_dir,
                settings=settings,
                collateral=engine.cache,
                rep_id=session.rep_id if session else "",
            )
            for path in render_screenshots(ctx, out_dir):
                print(path)
        finally:
            if ctx is not None:
                ctx.shutdown()
            scratch.close()
    return 0


def self_command(*args: str) -> list[str]:
    """The command line that starts this repdesk again, from a source install or a bundle."""
    if getattr(sys, "frozen", False):  # the standalone bundle: its executable is the app
        return [sys.executable, *args]
    return [sys.executable, "-m", "repdesk.cli.main", *args]


def open_windows(ctx: Any, demo: bool = False, demo_login: Any = None) -> Any:
    """The first screen; None when the rep closed the sign-in dialog (or chose the demo).

    The session's owner (`ctx.session`) knows what the rep may see:

    - signed in, or signed in on this computer before (even with no token now: no
      keyring, hub down): the main window with the local leads and outbox; without a
      token the status bar offers to sign in, needed only to send and receive;
    - nobody signed in here (first start, or after signing out): the sign-in dialog.
    """
    from repdesk.gui.main_window import MainWindow
    from repdesk.gui.session import SessionState

    session = ctx.session
    if session.read_now().state is SessionState.SIGNED_OUT:
        dialog = session.sign_in(allow_demo=not demo, show=False)
        wants_demo: list[bool] = []

        def on_demo() -> None:
            wants_demo.append(True)
            dialog.reject()

        dialog.demo_requested.connect(on_demo)
        accepted = dialog.exec()
        if wants_demo:
            # The demo has its own data folder; a fresh process keeps the two apart.
            subprocess.Popen(self_command("--demo"))
            return None
        if not accepted:
            return None  # on success the owner is signed in (and set ctx.rep_id)
    window = MainWindow(ctx)
    window.show()
    if demo_login is not None and demo_login.set_aside is not None:
        session.show_set_aside(demo_login.set_aside)
    return window


def _interactive(
    app: Any, ctx: Any, demo: bool, demo_login: Any = None, grab: str | None = None
) -> int:
    window = open_windows(ctx, demo, demo_login)
    if window is None:
        return 0
    controller = window.controller
    if grab:
        _grab_screen_when_shown(app, window, Path(grab))
    elif controller is not None and ctx.session.status.may_sync:
        controller.start_schedule(first_delay_ms=0)
    _quit_on_signals(app, window)
    try:
        return int(app.exec())
    finally:
        if controller is not None:
            controller.shutdown()


def _grab_screen_when_shown(app: Any, window: Any, path: Path) -> None:
    """Once the window is on screen and painted, save the whole screen to `path` and quit
    (`--grab-window`: proves a real display shows the app, e.g. under Xvfb in CI)."""
    from PySide6.QtCore import QTimer

    timer = QTimer(window)

    def check() -> None:
        handle = window.windowHandle()
        if handle is None or not handle.isExposed():
            return
        timer.stop()
        window.repaint()
        screen = handle.screen()
        saved = screen.grabWindow(0).save(str(path), "PNG")
        print(f"{'Saved' if saved else 'Could not save'} a picture of the screen: {path}")
        window.close()
        app.exit(0 if saved else 1)

    timer.timeout.connect(check)
    timer.start(50)


def _quit_on_signals(app: Any, window: Any) -> None:
    """Ctrl+C in the terminal closes the window properly (drafts and layout saved)."""
    import signal

    from PySide6.QtCore import QTimer

    def close(*_args: object) -> None:
        window.close()
        app.quit()

    signal.signal(signal.SIGINT, close)
    signal.signal(signal.SIGTERM, close)
    # The event loop is C++: a periodic no-op lets Python run its signal handlers.
    timer = QTimer(window)
    timer.timeout.connect(lambda: None)
    timer.start(250)
