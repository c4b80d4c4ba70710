#!/usr/bin/env bash
# The wheel installs into a clean virtualenv and both programs work from it (issue 11.6).
# From CI (.ci/run) or by hand, after ./dev has made .venv:  bash packaging/wheel-check.sh
# Dependencies come from the registry, pinned by the lock (as constraints: only what the
# app and the hub extra need, no dev tools).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
started=${EPOCHREALTIME/./}

.venv/bin/pip wheel --quiet --no-deps --no-build-isolation -w "$tmp/wheel" . >/dev/null
wheel=$(ls "$tmp"/wheel/repdesk-*.whl)
echo "built $(basename "$wheel") ($(stat -c %s "$wheel") bytes)"
"$PYTHON" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --disable-pip-version-check -c requirements/lock.txt "$wheel[hub]" 2>&1 \
  | grep -v "^WARNING: Location" || true
"$tmp/venv/bin/repdesk" --version
"$tmp/venv/bin/repdesk-hub" --version
"$tmp/venv/bin/repdesk-hub" --help >/dev/null
"$tmp/venv/bin/repdesk" --help >/dev/null
# The migrations ship in the wheel: a hub is created from it, then the app's CLI reads a
# fresh data folder (its own migrations) with no display.
"$tmp/venv/bin/repdesk-hub" --home "$tmp/hub" init
# No system keyring here, so the cache's passphrase is chosen (typed twice) on stdin; setsid
# takes the controlling terminal away, so getpass reads the pipe rather than /dev/tty.
printf 'wheel-check passphrase\nwheel-check passphrase\n' \
  | setsid -w env -u DISPLAY -u WAYLAND_DISPLAY "$tmp/venv/bin/repdesk" status --data-dir "$tmp/client"
us=$((${EPOCHREALTIME/./} - started))
printf 'wheel check passed in %d.%d s\n' $((us / 1000000)) $((us % 1000000 / 100000))
